#!/usr/bin/env bash
# labels: kpi people
# timeout: 120
# The service manager's people tools (issue 15): each advisor's own targets
# on `kpi report --by advisor`; the per-person scorecard (kpi.scorecard) of
# two technicians and two advisors for a hand-worked September and for the
# quarter July..September, each figure against the person's target and beside
# the department's; the staff roster (kpi.roster.plan / .clear / .list) of a
# week with planned shifts beside the workshop's attended ones (one attended,
# one missed). Bad input for every new command is refused and writes
# nothing. One kpi daemon: reception's and workshop's events are published
# with astest_frames event-json, each dated in its payload.
. "$(dirname "$0")/lib.sh"
setup people

sed -i 's/^services = .*/services = kpi/' "$CONFIG"
cat >>"$CONFIG" <<INI

[kpi]
endpoint = ipc://$T/kpi.sock
follows = reception, workshop
heartbeat_ms = 200

[staff]
sm-zhao = service_manager
fm-li = foreman
fdm-wu = front_desk_manager
adv-wang = advisor limit=5000
adv-chen = advisor limit=5000
tech-07 = technician
tech-08 = technician
clerk-sun = info_clerk
wh-zhou = warehouse_keeper
INI

start_bus bus
start_service kpi

RC_INC=0190a0b0-0000-7000-8000-0000000000c1
WS_INC=0190a0b0-0000-7000-8000-0000000000c2
rc_seq=0 ws_seq=0
reception_event() { # TYPE JSON
    rc_seq=$((rc_seq + 1))
    "$FRAMES" event-json "ipc://$T/bus-in" reception@test "$RC_INC" "$rc_seq" "$1" "$2"
}
workshop_event() { # TYPE JSON
    ws_seq=$((ws_seq + 1))
    "$FRAMES" event-json "ipc://$T/bus-in" workshop@test "$WS_INC" "$ws_seq" "$1" "$2"
}
as() { # as ACTOR COMMAND FIELD=VALUE...: must succeed; prints the JSON answer
    local who=$1 out
    shift
    out=$(ctl --actor "$who" call "$@") || fail "$who $*: $(echo "$out" | json .error)"
    echo "$out"
}
ask() { as "$@" >/dev/null; }
last_seq() { ctl status kpi | json '.services[0].last_seq'; }

# --- September, hand-worked -------------------------------------------------------------------
# tech-07 costs 30.00/h, tech-08 24.00/h. Both attend 8 h on 09-10.
# RO-1 (adv-wang, from an appointment, customer pay): tech-07 job 1 (sold 120 min, clocked
#   100), tech-08 job 2 (sold 60, clocked 90); QC passed at the first inspection; invoice
#   labour 120.00; CSI 9.
# RO-2 (adv-chen, walk-in, warranty): tech-07 job 1 (sold 90, clocked 80); QC failed once
#   before it passed; invoice labour 90.00; CSI 7; RO-3 comes back for RO-2's concern.
# Labour rate 60.00/h on every job.
tech() { echo "{\"technician\":{\"tech_id\":\"$1\",\"name\":\"$1\",\"level\":3,\"hourly_cost_cents\":$2}}"; }
workshop_event workshop.technician.registered "$(tech tech-07 3000)"
workshop_event workshop.technician.registered "$(tech tech-08 2400)"
for t in tech-07 tech-08; do
    workshop_event workshop.shift.recorded "{\"attendance\":{\"tech_id\":\"$t\",\"date\":\"2026-09-10\",\"minutes\":480}}"
done
clock() { # RO JOB TECH MINUTES
    workshop_event workshop.clock.stopped "{\"ro_number\":\"$1\",\"job_no\":$2,\"tech_id\":\"$3\",
        \"bay_id\":\"B1\",\"minutes\":$4,\"date\":\"2026-09-10\",\"finished\":true}"
}
clock RO-1 1 tech-07 100
clock RO-1 2 tech-08 90
clock RO-2 1 tech-07 80
qcjob() { echo "{\"job_no\":$1,\"technician\":\"$2\",\"sold_minutes\":$3,\"labour\":{\"code\":\"OP$1\",\"rate_cents\":6000}}"; }
workshop_event workshop.qc.passed "{\"ro_number\":\"RO-1\",\"vin\":\"V1\",\"first_time\":true,
    \"advisor\":\"adv-wang\",\"date\":\"2026-09-10\",\"jobs\":[$(qcjob 1 tech-07 120),$(qcjob 2 tech-08 60)]}"
workshop_event workshop.qc.passed "{\"ro_number\":\"RO-2\",\"vin\":\"V2\",\"first_time\":false,
    \"advisor\":\"adv-chen\",\"date\":\"2026-09-10\",\"jobs\":[$(qcjob 1 tech-07 90)]}"
# tech-07 planned a course on 09-05 and was certified; tech-08 planned none
workshop_event workshop.training.planned "{\"plan\":{\"tech_id\":\"tech-07\",\"course\":\"EV\",\"planned_date\":\"2026-09-05\"}}"
workshop_event workshop.training.certified "{\"plan\":{\"tech_id\":\"tech-07\",\"course\":\"EV\",
    \"planned_date\":\"2026-09-05\",\"certified_date\":\"2026-09-06\",\"level_reached\":4}}"

ro() { # RO ADVISOR APPOINTMENT PAY LABOUR_CENTS
    echo "{\"ro\":{\"ro_number\":\"$1\",\"vin\":\"V-$1\",\"advisor\":\"$2\",\"appointment_id\":\"$3\",
      \"jobs\":[{\"job_no\":1,\"pay_type\":\"$4\",\"status\":\"JOB_QC_PASSED\"}],
      \"invoice\":{\"labour_cents\":$5,\"parts_cents\":0,\"total_cents\":$5}},\"date\":\"2026-09-10\"}"
}
reception_event reception.ro.opened "$(ro RO-1 adv-wang A-1 CUSTOMER_PAY 12000)"
reception_event reception.ro.opened "$(ro RO-2 adv-chen '' WARRANTY 9000)"
reception_event reception.ro.delivered "$(ro RO-1 adv-wang A-1 CUSTOMER_PAY 12000)"
reception_event reception.ro.delivered "$(ro RO-2 adv-chen '' WARRANTY 9000)"
reception_event reception.followup.recorded '{"ro_number":"RO-1","advisor":"adv-wang","csi_score":9,"date":"2026-09-12"}'
reception_event reception.followup.recorded '{"ro_number":"RO-2","advisor":"adv-chen","csi_score":7,"date":"2026-09-12"}'
reception_event reception.comeback.detected '{"ro_number":"RO-3","earlier_ro":"RO-2","vin":"V-RO-2",
    "advisor":"adv-chen","technicians":["tech-07"],"date":"2026-09-20"}'
product() { # TYPE RO ADVISOR LINE AMOUNT ANSWER
    reception_event "$1" "{\"ro_number\":\"$2\",\"advisor\":\"$3\",\"date\":\"2026-09-10\",
        \"product\":{\"line_no\":$4,\"code\":\"P$4\",\"amount_cents\":$5,\"answer\":\"$6\",\"advisor\":\"$3\"}}"
}
# adv-wang recommends 300.00 (sold) and 200.00 (declined); adv-chen 100.00 (sold)
product reception.product.recommended RO-1 adv-wang 1 30000 sold
product reception.product.answered RO-1 adv-wang 1 30000 sold
product reception.product.recommended RO-1 adv-wang 2 20000 declined
product reception.product.recommended RO-2 adv-chen 1 10000 sold
product reception.product.answered RO-2 adv-chen 1 10000 sold

applied() { [ "$(ctl status kpi | jq -r '[.services[0].offsets[] | select(.source=="reception@test" or .source=="workshop@test") | .applied_seq] | add')" = $((rc_seq + ws_seq)) ]; }
wait_for "kpi applied every event" applied

# --- targets: each advisor's own ---------------------------------------------------------------
before=$(last_seq)
refused sm-zhao not-found "advisor 'tech-07' is not on the staff list as an advisor" \
    kpi.target.set month=2026-09 metric="service sales" value=10000 advisor=tech-07
refused sm-zhao not-found "keeper 'adv-wang' is not on the staff list as a warehouse keeper" \
    kpi.target.set month=2026-09 metric="warehouse productivity" value=10 keeper=adv-wang
refused sm-zhao invalid "give one of technician, advisor, keeper" \
    kpi.target.set month=2026-09 metric="sold hours" value=4 technician=tech-07 advisor=adv-wang
refused adv-wang denied "" kpi.target.set month=2026-09 metric="service sales" value=1 advisor=adv-wang
expect_eq "refused targets wrote nothing" "$before" "$(last_seq)"
ask sm-zhao kpi.target.set month=2026-09 metric="advisor product sales" value=40000 advisor=adv-wang
ask sm-zhao kpi.target.set month=2026-09 metric="advisor product sales" value=20000 # every advisor
ask sm-zhao kpi.target.set month=2026-09 metric="service sales" value=10000 advisor=adv-wang
ask sm-zhao kpi.target.set month=2026-09 metric="sold hours" value=4 technician=tech-07
ask sm-zhao kpi.target.set month=2026-09 metric="labour efficiency" value=110 # every row
ask sm-zhao kpi.target.set month=2026-09 metric="labour efficiency" value=80 technician=tech-08
for m in 2026-07 2026-08; do
    ask sm-zhao kpi.target.set month=$m metric="sold hours" value=5 technician=tech-07
done

REPORT=$("$ASCTL" --config "$CONFIG" --json --actor sm-zhao kpi report --month 2026-09 --by advisor)
fig() { # ROW FIGURE FIELD (from $REPORT)
    echo "$REPORT" | jq -r --arg k "$1" --arg n "$2" \
        ".rows[] | select(.key==\$k) | .figures[] | select(.name==\$n) | .$3 // \"none\""
}
# adv-wang's own product target 400.00: sold 300.00 / 400.00 = 75%
expect_eq "adv-wang's own product sales target" 40000 "$(fig adv-wang 'advisor product sales' target)"
expect_eq "adv-wang's achievement 300 / 400" 0.75 "$(fig adv-wang 'advisor product sales' achievement)"
expect_eq "... and in the achievement figure" 75 "$(fig adv-wang 'advisor product sales achievement' value)"
# adv-chen has none of their own: every advisor's 200.00; 100.00 / 200.00 = 50%
expect_eq "adv-chen on every advisor's target" 20000 "$(fig adv-chen 'advisor product sales' target)"
expect_eq "adv-chen's achievement 100 / 200" 50 "$(fig adv-chen 'advisor product sales achievement' value)"
# adv-wang's own service sales target 100.00: 120.00 / 100.00 = 120%
expect_eq "adv-wang's service sales achievement 120 / 100" 1.2 "$(fig adv-wang 'service sales' achievement)"
expect_eq "adv-chen has no service sales target" none "$(fig adv-chen 'service sales' target)"

# --- the scorecards ---------------------------------------------------------------------------
card() { # ACTOR STAFF [FIELD=VALUE...]: the card's JSON reply
    as "$1" kpi.scorecard staff_id="$2" "${@:3}"
}
score() { # SECTION FIGURE FIELD (from $CARD): rounded to 2 decimals
    echo "$CARD" | jq -r --arg s "$1" --arg n "$2" \
        ".reply.sections[] | select(.role==\$s) | .figures[] | select(.name==\$n) | .$3 |
         if type == \"number\" then (. * 100 | round) / 100 elif . == null then \"none\" else . end"
}
CARD=$(card sm-zhao tech-07 month=2026-09)
# tech-07: sold 120 + 90 = 210 min = 3.5 h of an own target of 4 h: 87.5%
expect_eq "tech-07 sold hours" 3.5 "$(score technician 'sold hours' value)"
expect_eq "tech-07 sold hours target" 4 "$(score technician 'sold hours' target)"
expect_eq "tech-07 sold hours achievement 3.5 / 4" 0.88 "$(score technician 'sold hours' achievement)"
# the department sold 210 + 60 = 270 min = 4.5 h
expect_eq "beside the department's sold hours" 4.5 "$(score technician 'sold hours' department_value)"
# efficiency: sold 210 / clocked 180 = 116.67%; every row's target 110%: 116.67 / 110 = 1.06
expect_eq "tech-07 efficiency 210 / 180" 116.67 "$(score technician 'labour efficiency' value)"
expect_eq "against every row's 110%" 1.06 "$(score technician 'labour efficiency' achievement)"
# the department: 270 sold / 270 clocked (100 + 90 + 80) = 100%
expect_eq "the department's efficiency 270 / 270" 100 "$(score technician 'labour efficiency' department_value)"
# utilisation 180 / 480 = 37.5%; first-time fix 1 of 2 ROs; comebacks 1 of 2 delivered
expect_eq "tech-07 utilisation 180 / 480" 37.5 "$(score technician 'labour utilisation' value)"
expect_eq "tech-07 first-time-fix 1 / 2" 50 "$(score technician 'first-time-fix rate' value)"
expect_eq "tech-07 comeback rate 1 / 2" 50 "$(score technician 'comeback rate' value)"
expect_eq "tech-07 training 1 / 1" 100 "$(score technician 'training achievement' value)"
# labour sales: 210 min x 60.00/h = 210.00
expect_eq "tech-07 labour sales 210 min x 60.00/h" 21000 "$(score technician 'labour sales' value)"

CARD=$(card fm-li tech-08 month=2026-09) # the foreman reads technicians' cards
# tech-08: sold 60 / clocked 90 = 66.67% against their own 80%: 0.83
expect_eq "tech-08 efficiency 60 / 90" 66.67 "$(score technician 'labour efficiency' value)"
expect_eq "tech-08's own efficiency target" 80 "$(score technician 'labour efficiency' target)"
expect_eq "tech-08 achievement 66.67 / 80" 0.83 "$(score technician 'labour efficiency' achievement)"
expect_eq "tech-08 has no sold hours target" none "$(score technician 'sold hours' target)"
expect_eq "tech-08's training is not defined" false "$(score technician 'training achievement' defined)"
expect_eq "and says why" "certifications gained / courses planned (on the planned date) = 0 / 0: no course planned in the period" \
    "$(score technician 'training achievement' formula)"

CARD=$(card sm-zhao adv-wang month=2026-09)
# adv-wang: RO-1 handed over, customer pay, labour 120.00 less its clocked cost
# (100 min x 30.00/h = 50.00 + 90 min x 24.00/h = 36.00) = 34.00 gross profit; CSI 9;
# from an appointment 1 of 1; products 300.00 sold of 500.00 recommended = 60%
expect_eq "adv-wang vehicles handed over" 1 "$(score advisor 'vehicles handed over' value)"
expect_eq "adv-wang customer-pay ROs" 1 "$(score advisor 'customer-pay ros' value)"
expect_eq "adv-wang service sales" 12000 "$(score advisor 'service sales' value)"
expect_eq "against their own 100.00" 1.2 "$(score advisor 'service sales' achievement)"
expect_eq "adv-wang gross profit 120.00 - 50.00 - 36.00" 3400 "$(score advisor 'gross profit' value)"
# the department: labour 210.00 - (50.00 + 36.00 + 80 min x 30.00/h = 40.00) = 84.00
expect_eq "beside the department's 210.00 - 126.00" 8400 "$(score advisor 'gross profit' department_value)"
expect_eq "adv-wang csi" 9 "$(score advisor csi value)"
expect_eq "beside the department's (9 + 7) / 2" 8 "$(score advisor csi department_value)"
expect_eq "adv-wang appointment rate 1 / 1" 100 "$(score advisor 'appointment rate' value)"
expect_eq "adv-wang product sales" 30000 "$(score advisor 'advisor product sales' value)"
expect_eq "against their own 400.00" 0.75 "$(score advisor 'advisor product sales' achievement)"
expect_eq "adv-wang take rate 300 / 500" 60 "$(score advisor 'product take rate' value)"
# the department took 400.00 of 600.00 recommended: 66.67%
expect_eq "beside the department's 400 / 600" 66.67 "$(score advisor 'product take rate' department_value)"

CARD=$(card fdm-wu adv-chen month=2026-09) # the front desk manager reads advisors' cards
expect_eq "adv-chen customer-pay ROs (warranty only)" 0 "$(score advisor 'customer-pay ros' value)"
expect_eq "adv-chen gross profit 90.00 - 40.00" 5000 "$(score advisor 'gross profit' value)"
expect_eq "adv-chen on every advisor's product target" 0.5 "$(score advisor 'advisor product sales' achievement)"
expect_eq "adv-chen appointment rate 0 / 1" 0 "$(score advisor 'appointment rate' value)"

CARD=$(card tech-07 tech-07 from_month=2026-07 to_month=2026-09) # their own quarter
# the quarter: sold 3.5 h (all in September) of 5 + 5 + 4 = 14 h: 25%
expect_eq "the quarter's period" "2026-07 2026-09" "$(echo "$CARD" | json '"\(.reply.from_month) \(.reply.to_month)"')"
expect_eq "the quarter's sold hours target 5 + 5 + 4" 14 "$(score technician 'sold hours' target)"
expect_eq "set in 3 months" 3 "$(score technician 'sold hours' target_months)"
expect_eq "the quarter's achievement 3.5 / 14" 0.25 "$(score technician 'sold hours' achievement)"
# a ratio's target is the mean of the months that have one: September's 110% alone
expect_eq "the quarter's efficiency target" 110 "$(score technician 'labour efficiency' target)"
expect_eq "set in 1 month" 1 "$(score technician 'labour efficiency' target_months)"

# a warehouse keeper's card: their own productivity target, and no attended hours yet
ask sm-zhao kpi.target.set month=2026-09 metric="warehouse productivity" value=12 keeper=wh-zhou
CARD=$(card wh-zhou wh-zhou month=2026-09)
expect_eq "wh-zhou's own productivity target" 12 "$(score warehouse_keeper 'warehouse productivity' target)"
expect_eq "not defined without attended hours" false "$(score warehouse_keeper 'warehouse productivity' defined)"

# the human table
human=$(AS_ACTOR=sm-zhao "$ASCTL" --config "$CONFIG" call kpi.scorecard staff_id=adv-wang month=2026-09)
# adv-wang's service sales 120.00 of their own 100.00 target: 120%; the department's 210.00
echo "$human" | grep -Eq "^service sales +120\.00 +100\.00 +120% +210\.00$" ||
    fail "asctl's table does not show the service sales line: $human"

log "--- scorecards refused"
refused tech-07 denied "'tech-07' may read only their own scorecard, not 'tech-08'" \
    kpi.scorecard staff_id=tech-08 month=2026-09
refused fm-li denied "may read only their own scorecard" kpi.scorecard staff_id=adv-wang month=2026-09
refused sm-zhao not-found "staff 'nobody' is not on the staff list" kpi.scorecard staff_id=nobody month=2026-09
refused sm-zhao invalid "'clerk-sun' is info_clerk: a scorecard has figures for technicians" \
    kpi.scorecard staff_id=clerk-sun month=2026-09
refused sm-zhao invalid "from_month 2026-09 is after to_month 2026-07" \
    kpi.scorecard staff_id=tech-07 from_month=2026-09 to_month=2026-07
refused sm-zhao invalid "a scorecard covers at most 12 months" \
    kpi.scorecard staff_id=tech-07 from_month=2025-01 to_month=2026-09
refused sm-zhao invalid "month '2026-13' is not a month" kpi.scorecard staff_id=tech-07 month=2026-13
refused sm-zhao invalid "month (YYYY-MM), or from_month and to_month, is required" \
    kpi.scorecard staff_id=tech-07

# --- the roster --------------------------------------------------------------------------------
d() { date -d "$(date +%F) $1 days" +%F; }
# five days in a row: three days back, today (D4) and tomorrow
D1=$(d -3) D2=$(d -2) D3=$(d -1) D4=$(d +0) D5=$(d +1)
log "--- roster bad input: refused, nothing written"
before=$(last_seq)
refused sm-zhao invalid "ends at 08:00, not after its start 09:00" \
    kpi.roster.plan staff_id=tech-07 date=$D5 start=09:00 end=08:00
refused sm-zhao not-found "staff 'nobody' is not on the staff list" \
    kpi.roster.plan staff_id=nobody date=$D5 shift=day
refused sm-zhao invalid "is more than 7 days back: a roster is planned ahead" \
    kpi.roster.plan staff_id=tech-07 date="$(d -8)" shift=day
refused sm-zhao invalid "shift 'night' is not a named shift" \
    kpi.roster.plan staff_id=tech-07 date=$D5 shift=night
refused sm-zhao invalid "start and end (HH:MM), or a named shift, are required" \
    kpi.roster.plan staff_id=tech-07 date=$D5
refused sm-zhao invalid "date '2026-02-30' is not a date" \
    kpi.roster.plan staff_id=tech-07 date=2026-02-30 shift=day
refused fm-li denied "'fm-li' may not plan the shifts of 'adv-wang'" \
    kpi.roster.plan staff_id=adv-wang date=$D5 shift=day
refused tech-07 denied "" kpi.roster.plan staff_id=tech-07 date=$D5 shift=day
refused sm-zhao not-found "'tech-07' has no shift planned on $D5" \
    kpi.roster.clear staff_id=tech-07 date=$D5
expect_eq "refused roster commands wrote nothing" "$before" "$(last_seq)"

log "--- a week planned"
# tech-07 D1..D5 the day shift (08:30-17:30, 9 h); tech-08 D2 and D3 early (07:30-16:30);
# adv-wang D1 08:00-12:00 and 13:00-18:00 (a split day), D4 (today) late
for day in $D1 $D2 $D3 $D4 $D5; do ask fm-li kpi.roster.plan staff_id=tech-07 date=$day shift=day; done
ask fm-li kpi.roster.plan staff_id=tech-08 date=$D2 shift=early
ask fm-li kpi.roster.plan staff_id=tech-08 date=$D3 shift=early
ask sm-zhao kpi.roster.plan staff_id=adv-wang date=$D1 start=08:00 end=12:00
ask sm-zhao kpi.roster.plan staff_id=adv-wang date=$D1 start=13:00 end=18:00
ask sm-zhao kpi.roster.plan staff_id=adv-wang date=$D4 shift=late
before=$(last_seq)
refused sm-zhao conflict "shift 11:00-14:00 of 'adv-wang' on $D1 overlaps the shift planned 08:00-12:00" \
    kpi.roster.plan staff_id=adv-wang date=$D1 start=11:00 end=14:00
expect_eq "the overlapping shift wrote nothing" "$before" "$(last_seq)"
# the events
planned=$(ctl tap kpi.roster --since kpi@test:1 --wait 1500 | jq -r 'select(.type=="kpi.roster.planned") | .subject' | wc -l)
expect_eq "ten kpi.roster.planned events" 10 "$planned"
# tech-07's shift of tomorrow (D5) is taken off again
cleared=$(as fm-li kpi.roster.clear staff_id=tech-07 date=$D5)
expect_eq "the cleared shift" "08:30-17:30" "$(echo "$cleared" | json '.reply.shifts[0] | "\(.start)-\(.end)"')"

# tech-07 attended D2 (8 h) and did not come on D3 (yesterday); tech-08 attended both
workshop_event workshop.shift.recorded "{\"attendance\":{\"tech_id\":\"tech-07\",\"date\":\"$D2\",\"minutes\":480}}"
for day in $D2 $D3; do
    workshop_event workshop.shift.recorded "{\"attendance\":{\"tech_id\":\"tech-08\",\"date\":\"$day\",\"minutes\":540}}"
done
wait_for "kpi applied the attendance" applied

ROSTER=$(as sm-zhao kpi.roster.list from=$D1 to=$D5)
day_of() { # STAFF DATE FIELD: "none" when the day is not listed
    echo "$ROSTER" | jq -r --arg s "$1" --arg d "$2" \
        "[.reply.days[] | select(.staff_id==\$s and .date==\$d) | .$3] | if length == 0 then \"none\" else .[0] end"
}
expect_eq "the week's person-days: tech-07 4, tech-08 2, adv-wang 2" 8 "$(echo "$ROSTER" | json '.reply.days | length')"
expect_eq "tech-07 on D2: attended" attended "$(day_of tech-07 $D2 state)"
expect_eq "planned 9 h (540 min), attended 8 h (480 min)" "540 480" \
    "$(day_of tech-07 $D2 planned_minutes) $(day_of tech-07 $D2 attended_minutes)"
expect_eq "tech-07 on D3: missed" missed "$(day_of tech-07 $D3 state)"
expect_eq "its attendance is the workshop's" workshop "$(day_of tech-07 $D3 attendance)"
expect_eq "tech-07 today (D4): planned" planned "$(day_of tech-07 $D4 state)"
expect_eq "tech-07 on D5: cleared" none "$(day_of tech-07 $D5 state)"
expect_eq "adv-wang on D1: two shifts, 4 h + 5 h" "2 540" \
    "$(day_of adv-wang $D1 'planned | length') $(day_of adv-wang $D1 planned_minutes)"
expect_eq "an advisor's attendance is kept nowhere" "planned" "$(day_of adv-wang $D1 state)"
expect_eq "tech-08 on D3 attended 9 h" "attended 540" \
    "$(day_of tech-08 $D3 state) $(day_of tech-08 $D3 attended_minutes)"
# a technician reads their own roster only
mine=$(as tech-08 kpi.roster.list from=$D1 to=$D5)
expect_eq "tech-08 sees their own two days" "tech-08 tech-08" "$(echo "$mine" | json '[.reply.days[].staff_id] | join(" ")')"
refused tech-08 denied "'tech-08' may read only their own roster, not 'tech-07'" \
    kpi.roster.list from=$D1 to=$D5 staff_id=tech-07
refused sm-zhao invalid "from $D5 is after to $D1" kpi.roster.list from=$D5 to=$D1
refused sm-zhao invalid "a roster list covers at most 62 days" kpi.roster.list from=2026-01-01 to=2026-12-31

finish
