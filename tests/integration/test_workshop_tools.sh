#!/usr/bin/env bash
# labels: workshop tools
# timeout: 300
# Dispatch checks a job's special tools against workshop's own read model of
# the tool room, built from the tools service's events: the real bus,
# reception, workshop and tools daemons. One RO whose labour operations need
# special tools: dispatch is refused, with nothing written, for a tool out of
# calibration, one returned damaged, one lost and one out of service after a
# failed calibration; it goes through with notes for a tool on loan and one
# workshop never heard of; it goes through once the overdue tool is
# calibrated (workshop saw tools.calibration.recorded); with the tools daemon
# stopped, dispatch still works from workshop's last known state. Bad special
# tool ids are refused by reception (and by workshop's extra-defect report).
. "$(dirname "$0")/lib.sh"
setup workshop_tools

sed -i 's/^services = .*/services = reception, workshop, tools/' "$CONFIG"
cat >>"$CONFIG" <<INI

[staff]
adv-wang = advisor limit=5000
fm-li = foreman
ta-wu = tool_admin
tech-07 = technician
tech-08 = technician

[reception]
endpoint = ipc://$T/reception.sock
follows = workshop
heartbeat_ms = 200

[workshop]
endpoint = ipc://$T/workshop.sock
follows = reception, tools
heartbeat_ms = 200

[tools]
endpoint = ipc://$T/tools.sock
follows = workshop
heartbeat_ms = 200
INI

start_bus bus
for s in reception workshop tools; do start_service "$s"; done

TODAY=$(date -u +%F)
day() { date -u -d "$TODAY $1 days" +%F; }
TOMORROW=$(day +1)
VIN=JN1AZ4EH7DM430111

as() { # as ACTOR COMMAND FIELD=VALUE...: must succeed; prints the JSON answer
    local who=$1 out
    shift
    if ! out=$(ctl --actor "$who" call "$@"); then
        fail "$who $*: $(echo "$out" | json .error)"
        return 1
    fi
    echo "$out"
}
ask() { as "$@" >/dev/null; }
# refused CODE TEXT ACTOR COMMAND ARGS...: the command fails with CODE and TEXT in its error
refused() {
    local code=$1 text=$2 out rc=0
    shift 2
    out=$(ctl --actor "$1" call "${@:2}") || rc=$?
    if [ "$rc" -eq 0 ]; then
        fail "$2 ${*:3}: expected $code, it succeeded"
        return
    fi
    expect_eq "$2 refused ($text)" "$code" "$(echo "$out" | json .code)"
    case "$(echo "$out" | json .error)" in
    *"$text"*) ;;
    *) fail "$2: error '$(echo "$out" | json .error)' does not say '$text'" ;;
    esac
}
last_seq() { ctl status "$1" | json '.services[0].last_seq'; }
job() { # job NO FIELD: a job of RO-T1 as workshop shows it
    ctl --actor fm-li call workshop.ro.show ro_number=RO-T1 |
        json ".reply.jobs[] | select(.job_no==$1) | .$2"
}
dispatch() { # dispatch JOB BAY [ACTOR]
    ctl --actor "${3:-fm-li}" call workshop.job.dispatch ro_number=RO-T1 job_no="$1" \
        tech_id=tech-07 bay_id="$2"
}
# workshop_tool ID JQ: the tool as workshop's read model has it
workshop_tool() {
    ctl --actor fm-li call workshop.tool.list tool_ids="$1" 2>/dev/null | json ".reply.tools[0]$2"
}
workshop_tool_is() { [ "$(workshop_tool "$1" "$2")" = "$3" ]; }

# --- the tool room: registry, loans, a loss, a failed calibration ----------------
tool() { # tool ID INTERVAL [LAST_CALIBRATION]
    ask ta-wu tools.item.register tool_id="$1" kind=special_tool description="special tool $1" \
        location=shelf-A calibration_interval_days="$2" ${3:+last_calibration=$3}
}
tool T-GOOD 365 "$(day -30)"    # calibrated, next due in 335 days
tool T-OVERDUE 30 "$(day -60)"  # due 30 days ago
tool T-DAMAGE 0                 # comes back damaged
tool T-LOAN 0                   # out on loan
tool T-LOST 0                   # lost on a loan
tool T-FAIL 90 "$(day -10)"     # fails its calibration today
checkout() { # checkout LOAN TOOL
    ask ta-wu tools.loan.checkout loan_id="$1" tool_id="$2" technician=tech-08 ro_number=RO-9 \
        job_no=1 condition=good due_date="$TOMORROW" due_time=15:00
}
checkout L-2 T-DAMAGE
ask ta-wu tools.loan.checkin loan_id=L-2 condition=damaged damage="ratchet slips under load"
checkout L-3 T-LOST
ask ta-wu tools.loan.report_lost loan_id=L-3 note="left on a roadside job"
checkout L-7 T-LOAN
ask ta-wu tools.calibration.record tool_id=T-FAIL date="$TODAY" result=fail certificate=C-F1
expect_eq "the tool room refuses the overdue tool" \
    "tool 'T-OVERDUE' is out of calibration: it was due on $(day -30)" \
    "$(as ta-wu tools.availability --payload '{"tool_ids":["T-OVERDUE"]}' | json '.reply.tools[0].reason')"
expect_eq "the same as a code and its arguments" '["calibration_overdue",["T-OVERDUE","'"$(day -30)"'"]]' \
    "$(as ta-wu tools.availability --payload '{"tool_ids":["T-OVERDUE","T-FAIL"]}' | jq -c '.reply.tools[0] | [.reason_code, .reason_args]')"

# workshop follows the tool room's events into its own read model
wait_for "workshop saw T-LOAN go out" workshop_tool_is T-LOAN .loan_id L-7
wait_for "workshop saw T-FAIL fail its calibration" workshop_tool_is T-FAIL .out_of_service true
wait_for "workshop saw T-LOST lost" workshop_tool_is T-LOST .lost true
expect_eq "workshop's view of T-DAMAGE" "damaged ratchet slips under load" \
    "$(workshop_tool T-DAMAGE '| "\(.condition) \(.damage)"')"
expect_eq "workshop's view of T-OVERDUE" "$(day -60) $(day -30)" \
    "$(workshop_tool T-OVERDUE '| "\(.last_calibration) \(.next_calibration)"')"
expect_eq "workshop's view of T-LOAN" "tech-08 $TOMORROW 15:00" \
    "$(workshop_tool T-LOAN '| "\(.loan_technician) \(.loan_due_date) \(.loan_due_time)"')"
expect_eq "workshop knows the six tools" 6 \
    "$(as tech-07 workshop.tool.list | json '.reply.tools | length')"

# --- the workshop, and an RO whose labour operations need special tools ------------
ask fm-li workshop.technician.register tech_id=tech-07 name="Li Wei" skills=engine level=3 \
    hourly_cost_cents=4500
for b in B1 B2 B3; do ask fm-li workshop.bay.register bay_id=$b kind=lift; done
knows_engine() { # reception refuses a job naming a skill it has not learnt from the workshop
    [ "$(ctl --actor adv-wang call reception.skill.list | json '.reply.skills[0].skill')" = engine ]
}
wait_for "reception knows the skill engine" knows_engine
ask adv-wang reception.customer.register customer_id=C1 name="Customer 1" phone=13900000001
ask adv-wang reception.vehicle.register vin=$VIN plate=LU-B00001 customer_id=C1 \
    sale_date=2024-05-01 mileage_km=20000
job_json() { # job_json CODE TOOLS_JSON
    echo "{\"concern\":\"needs $1\",\"pay_type\":\"CUSTOMER_PAY\",\"labour\":{\"code\":\"$1\",
      \"sold_minutes\":30,\"rate_cents\":6000,\"skill\":\"engine\",\"min_level\":1,
      \"special_tools\":$2}}"
}

# bad input: reception refuses bad special tool ids and writes nothing
before=$(last_seq reception)
refused invalid "job 2, labour operation 'EN-BAD': special tool id 'T 1' must be 1 to 64 of letters, digits, '.', '_', '-'" \
    adv-wang reception.ro.open ro_number=RO-BAD vin=$VIN mileage_km=21000 \
    jobs="[$(job_json EN-OK '["T-GOOD"]'),$(job_json EN-BAD '["T-GOOD","T 1"]')]"
many=$(printf '"T-%d",' $(seq 1 17))
refused invalid "job 1, labour operation 'EN-MANY': at most 16 special tools per labour operation (got 17)" \
    adv-wang reception.ro.open ro_number=RO-BAD vin=$VIN mileage_km=21000 \
    jobs="[$(job_json EN-MANY "[${many%,}]")]"
refused invalid "special tool id '' must be" adv-wang reception.ro.open ro_number=RO-BAD \
    vin=$VIN mileage_km=21000 jobs="[$(job_json EN-EMPTY '[""]')]"
refused invalid "special tool 'T-GOOD' is named twice" adv-wang reception.ro.open \
    ro_number=RO-BAD vin=$VIN mileage_km=21000 jobs="[$(job_json EN-TWICE '["T-GOOD","T-GOOD"]')]"
worded adv-wang "job %zu, labour operation '%s': special tool '%s' is named twice" \
    '["1","EN-TWICE","T-GOOD"]' reception.ro.open \
    ro_number=RO-BAD vin=$VIN mileage_km=21000 jobs="[$(job_json EN-TWICE '["T-GOOD","T-GOOD"]')]"
refused not-found "RO-BAD" adv-wang reception.ro.show ro_number=RO-BAD
expect_eq "reception wrote nothing for the refused ROs" "$before" "$(last_seq reception)"

ask adv-wang reception.ro.open ro_number=RO-T1 vin=$VIN mileage_km=21000 jobs="[
    $(job_json EN101 '["T-GOOD","T-OVERDUE"]'), $(job_json EN102 '["T-DAMAGE"]'),
    $(job_json EN103 '["T-LOST"]'), $(job_json EN104 '["T-GOOD","T-LOAN","T-NEW"]'),
    $(job_json EN105 '["T-FAIL"]'), $(job_json EN106 '["T-GOOD","T-LOAN"]')]"
expect_eq "reception keeps the special tools" '["T-GOOD","T-LOAN","T-NEW"]' \
    "$(as adv-wang reception.ro.show ro_number=RO-T1 | jq -c '.reply.jobs[3].labour.special_tools')"
ask adv-wang reception.ro.consent ro_number=RO-T1 consent=signature
work_jobs_are() { [ "$(ctl --actor fm-li call workshop.ro.show ro_number=RO-T1 2>/dev/null | json '.reply.jobs | length')" = 6 ]; }
wait_for "workshop has the six jobs of RO-T1" work_jobs_are
expect_eq "workshop's job keeps the special tools" '["T-GOOD","T-OVERDUE"]' \
    "$(ctl --actor fm-li call workshop.ro.show ro_number=RO-T1 | jq -c '.reply.jobs[0].labour.special_tools')"

# --- the check without dispatching (workshop.tool_check.show: the dispatch form) ---
tools_of() { ctl --actor fm-li call workshop.tool_check.show ro_number=RO-T1 job_no="$1" |
    jq -c '[.reply.dispatchable, [.reply.tools[] | .tool_id + " " + .answer]]'; }
before=$(last_seq workshop)
expect_eq "job 1's tools: the overdue one blocks" '[false,["T-GOOD ok","T-OVERDUE blocked"]]' "$(tools_of 1)"
expect_eq "job 4's tools: notes, dispatchable" '[true,["T-GOOD ok","T-LOAN note","T-NEW note"]]' "$(tools_of 4)"
expect_eq "the blocked tool's reason as dispatch gives it" \
    "which is out of calibration: it was due on $(day -30)" \
    "$(ctl --actor fm-li call workshop.tool_check.show ro_number=RO-T1 job_no=1 | json '.reply.tools[1].text')"
expect_eq "the loan's note as dispatch gives it" \
    "special tool 'T-LOAN' is on loan to tech-08 (loan L-7, due $TOMORROW 15:00)" \
    "$(ctl --actor fm-li call workshop.tool_check.show ro_number=RO-T1 job_no=4 | json '.reply.tools[1].text')"
expect_eq "the blocked tool's reason as a code and its arguments (a page words it)" \
    '{"code":"calibration_overdue","args":["T-OVERDUE","'"$(day -30)"'"]}' \
    "$(ctl --actor fm-li call workshop.tool_check.show ro_number=RO-T1 job_no=1 | jq -c '.reply.tools[1].wording')"
expect_eq "the notes as codes and their arguments; none for a usable tool" \
    '[null,{"code":"on_loan","args":["T-LOAN","tech-08","L-7","'"$TOMORROW"' 15:00"]},{"code":"not_known","args":["T-NEW"]}]' \
    "$(ctl --actor fm-li call workshop.tool_check.show ro_number=RO-T1 job_no=4 | jq -c '[.reply.tools[].wording]')"
refused not-found "RO-T9" fm-li workshop.tool_check.show ro_number=RO-T9 job_no=1
refused invalid "date '2026-13-01' is not a date" fm-li workshop.tool_check.show ro_number=RO-T1 job_no=1 \
    date=2026-13-01
refused invalid "ro_number and job_no are required" fm-li workshop.tool_check.show ro_number=RO-T1
expect_eq "asked for a later date: the overdue tool still blocks" '[false,["T-GOOD ok","T-OVERDUE blocked"]]' \
    "$(ctl --actor fm-li call workshop.tool_check.show ro_number=RO-T1 job_no=1 date="$(day 10)" |
        jq -c '[.reply.dispatchable, [.reply.tools[] | .tool_id + " " + .answer]]')"
expect_eq "the check wrote nothing" "$before" "$(last_seq workshop)"

# --- dispatch refused: nothing written, the reason named ---------------------------
before=$(last_seq workshop)
refused conflict "job 1 of RO RO-T1 needs special tool 'T-OVERDUE', which is out of calibration: it was due on $(day -30)" \
    fm-li workshop.job.dispatch ro_number=RO-T1 job_no=1 tech_id=tech-07 bay_id=B1
refused conflict "job 2 of RO RO-T1 needs special tool 'T-DAMAGE', which is damaged: ratchet slips under load" \
    fm-li workshop.job.dispatch ro_number=RO-T1 job_no=2 tech_id=tech-07 bay_id=B1
refused conflict "job 3 of RO RO-T1 needs special tool 'T-LOST', which is reported lost: left on a roadside job" \
    fm-li workshop.job.dispatch ro_number=RO-T1 job_no=3 tech_id=tech-07 bay_id=B1
worded fm-li "job %u of RO %s needs special tool '%s', which is reported lost: %s" \
    '["3","RO-T1","T-LOST","left on a roadside job"]' \
    workshop.job.dispatch ro_number=RO-T1 job_no=3 tech_id=tech-07 bay_id=B1
refused conflict "job 5 of RO RO-T1 needs special tool 'T-FAIL', which is out of service: failed calibration on $TODAY (certificate C-F1)" \
    fm-li workshop.job.dispatch ro_number=RO-T1 job_no=5 tech_id=tech-07 bay_id=B1
# the tool's own reason, with its note: a format of the tool's (a tool out of
# service without a note has its own too, 未说明原因: not the warranty debit's)
worded fm-li "job %u of RO %s needs special tool '%s', which is out of service: %s" \
    '["5","RO-T1","T-FAIL","failed calibration on '"$TODAY"' (certificate C-F1)"]' \
    workshop.job.dispatch ro_number=RO-T1 job_no=5 tech_id=tech-07 bay_id=B1
expect_eq "the check's reason for it as the tool's code and its note" \
    '{"code":"out_of_service","args":["T-FAIL","failed calibration on '"$TODAY"' (certificate C-F1)"]}' \
    "$(ctl --actor fm-li call workshop.tool_check.show ro_number=RO-T1 job_no=5 | jq -c '.reply.tools[0].wording')"
expect_eq "refused dispatches emitted nothing" "$before" "$(last_seq workshop)"
for n in 1 2 3 5; do expect_eq "job $n still waiting" WORK_WAITING "$(job $n status)"; done
expect_eq "B1 still free" "" \
    "$(ctl --actor fm-li call workshop.board | json '.reply.bays[] | select(.bay_id=="B1") | .current_ro // ""')"

# --- dispatch with notes: a tool on loan, a tool workshop does not know -------------
out=$(dispatch 4 B1)
expect_eq "job 4 dispatched" WORK_DISPATCHED "$(echo "$out" | json .reply.status)"
NOTES='["special tool '"'T-LOAN'"' is on loan to tech-08 (loan L-7, due '"$TOMORROW"' 15:00)","special tool '"'T-NEW'"' is not known to workshop"]'
expect_eq "the foreman is told about the loan and the unknown tool" "$NOTES" \
    "$(echo "$out" | jq -c .reply.tool_notes)"
expect_eq "ro.show shows the notes" "$NOTES" "$(job 4 tool_notes | jq -c .)"
expect_eq "the board shows the notes" "$NOTES" "$(ctl --actor fm-li call workshop.board |
    jq -c '.reply.jobs[] | select(.ro_number=="RO-T1" and .job_no==4) | .tool_notes')"
WORDINGS='[{"code":"on_loan","args":["T-LOAN","tech-08","L-7","'"$TOMORROW"' 15:00"]},{"code":"not_known","args":["T-NEW"]}]'
expect_eq "the notes kept as codes and arguments too, in the notes' order" "$WORDINGS" \
    "$(echo "$out" | jq -c .reply.tool_note_wordings)"
expect_eq "the board has the notes' codes" "$WORDINGS" "$(ctl --actor fm-li call workshop.board |
    jq -c '.reply.jobs[] | select(.ro_number=="RO-T1" and .job_no==4) | .tool_note_wordings')"

# bad special tool ids in an extra defect are refused by workshop too
before=$(last_seq workshop)
refused invalid "labour operation of the defect: special tool id 'T/2' must be" tech-07 \
    workshop.defect.report report_id=D1 ro_number=RO-T1 job_no=4 description="worn seal" \
    labour='{"code":"EN900","sold_minutes":30,"special_tools":["T/2"]}'
expect_eq "the refused defect report emitted nothing" "$before" "$(last_seq workshop)"

# --- the overdue tool is calibrated: workshop sees the event, dispatch goes through ---
ask ta-wu tools.calibration.record tool_id=T-OVERDUE date="$TODAY" result=pass certificate=C-77
wait_for "workshop saw T-OVERDUE calibrated" workshop_tool_is T-OVERDUE .last_calibration "$TODAY"
expect_eq "workshop's next calibration of T-OVERDUE" "$(day 30)" \
    "$(workshop_tool T-OVERDUE .next_calibration)"
out=$(dispatch 1 B2)
expect_eq "job 1 dispatched once its tool is calibrated" WORK_DISPATCHED \
    "$(echo "$out" | json .reply.status)"
expect_eq "no notes for job 1" 0 "$(echo "$out" | jq '.reply.tool_notes // [] | length')"
expect_eq "nor their codes" 0 "$(echo "$out" | jq '.reply.tool_note_wordings // [] | length')"

# --- the tools daemon is down: dispatch goes on from the last state workshop saw ------
stop tools
refused conflict "job 2 of RO RO-T1 needs special tool 'T-DAMAGE', which is damaged" \
    fm-li workshop.job.dispatch ro_number=RO-T1 job_no=2 tech_id=tech-07 bay_id=B3
out=$(dispatch 6 B3)
expect_eq "job 6 dispatched with tools down" WORK_DISPATCHED "$(echo "$out" | json .reply.status)"
expect_eq "job 6 notes from the last known state" \
    '["special tool '"'T-LOAN'"' is on loan to tech-08 (loan L-7, due '"$TOMORROW"' 15:00)"]' \
    "$(echo "$out" | jq -c .reply.tool_notes)"

# --- the events: the notes travel with workshop.job.dispatched -------------------------
n=$(last_seq workshop)
events=$(timeout 30 "$ASCTL" --json --config "$CONFIG" tap --since workshop@test:1 --count "$n")
dispatched=$(echo "$events" | jq -c 'select(.type=="workshop.job.dispatched") | .payload.job')
expect_eq "three dispatches" "4 1 6" "$(echo "$dispatched" | jq -r .job_no | xargs)"
expect_eq "the notes in the event" "$NOTES" \
    "$(echo "$dispatched" | jq -c 'select(.job_no==4) | .tool_notes')"
expect_eq "their codes in the event" "$WORDINGS" \
    "$(echo "$dispatched" | jq -c 'select(.job_no==4) | .tool_note_wordings')"
finish
