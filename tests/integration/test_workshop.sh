#!/usr/bin/env bash
# labels: workshop
# timeout: 300
# The workshop daemon driven as the foreman, technicians and QC inspectors
# would: technicians and bays, jobs made from reception's events (published
# here with astest_frames), dispatch, clocking, an extra defect, a QC fail,
# the rework and the pass; bad input for every command, refused with nothing
# written; the events it emitted, read back with asctl tap.
. "$(dirname "$0")/lib.sh"
setup workshop

sed -i 's/^services = .*/services = workshop/' "$CONFIG"
cat >>"$CONFIG" <<INI

[staff]
fm-li = foreman
sm-zhou = service_manager
adv-wang = advisor limit=5000
tech-07 = technician
tech-08 = technician
tech-09 = technician
qc-zhao = qc_inspector
qc-tech = qc_inspector, technician

[workshop]
endpoint = ipc://$T/workshop.sock
follows = reception
heartbeat_ms = 200
INI

start_bus bus
start_service workshop

INC=0190a000-0000-7000-8000-00000000abcd
SEQ=0
reception_event() { # reception_event TYPE JSON: the next reception event on the bus
    SEQ=$((SEQ + 1))
    "$FRAMES" event-json "ipc://$T/bus-in" reception@test "$INC" "$SEQ" "$1" "$2"
}
as() { local who=$1; shift; ctl --actor "$who" call "$@"; }
# refused CODE TEXT ACTOR COMMAND ARGS...: the command fails with CODE and TEXT in its error
refused() {
    local code=$1 text=$2 out rc=0
    shift 2
    out=$(as "$@") || rc=$?
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
last_seq() { ctl status workshop | json '.services[0].last_seq'; }
job() { # job RO NO FIELD
    ctl --actor fm-li call workshop.ro.show ro_number="$1" |
        json ".reply.jobs[] | select(.job_no==$2) | .$3"
}
bay_ro() { ctl --actor fm-li call workshop.board | json ".reply.bays[] | select(.bay_id==\"$1\") | .current_ro // \"\""; }

# --- technicians, bays, shifts ------------------------------------------------
as fm-li workshop.technician.register tech_id=tech-07 name="Li Wei" skills=engine skills=body \
    level=3 hourly_cost_cents=4500 >/dev/null
as sm-zhou workshop.technician.register tech_id=tech-08 name="Zhang Min" skills=electrical \
    level=2 hourly_cost_cents=4000 >/dev/null
as fm-li workshop.technician.register tech_id=tech-09 name="Chen Bo" skills=engine \
    level=2 hourly_cost_cents=3500 >/dev/null
as fm-li workshop.technician.register tech_id=qc-tech name="Wu Gang" skills=engine \
    level=5 hourly_cost_cents=6000 >/dev/null
for b in B1:lift B2:general B3:alignment; do
    as fm-li workshop.bay.register bay_id="${b%%:*}" kind="${b##*:}" >/dev/null
done
# a shift a week ago: within the window for work keyed in later
SHIFT_DAY=$(date -d "7 days ago" +%F)
expect_eq "shift recorded" 480 \
    "$(as fm-li workshop.shift.record tech_id=tech-07 date=$SHIFT_DAY minutes=480 | json .reply.minutes)"
expect_eq "four technicians" 4 "$(as fm-li workshop.board | json '.reply.technicians | length')"

before=$(last_seq)
refused denied "is not a service_manager or foreman" adv-wang workshop.technician.register \
    tech_id=tech-07 name=X skills=engine level=1 hourly_cost_cents=1
refused invalid "'adv-wang' is not a technician" fm-li workshop.technician.register \
    tech_id=adv-wang name=X skills=engine level=1 hourly_cost_cents=1
refused invalid "level of technician 'tech-08' must be 1..5" fm-li workshop.technician.register \
    tech_id=tech-08 name=X skills=engine level=6 hourly_cost_cents=1
refused invalid "needs at least one skill" fm-li workshop.technician.register \
    tech_id=tech-08 name=X level=2 hourly_cost_cents=1
refused exists "bay 'B1' is already registered" fm-li workshop.bay.register bay_id=B1
refused invalid "bay kind 'garden' is unknown" fm-li workshop.bay.register bay_id=B9 kind=garden
refused denied "is not a service_manager or foreman" tech-07 workshop.bay.register bay_id=B9
refused not-found "technician 'tech-99' is not registered" fm-li workshop.shift.record \
    tech_id=tech-99 date=$SHIFT_DAY minutes=480
refused invalid "date '2026-02-30' is not a date" fm-li workshop.shift.record \
    tech_id=tech-07 date=2026-02-30 minutes=480
refused invalid "minutes of a shift must be 1..1440" fm-li workshop.shift.record \
    tech_id=tech-07 date=$SHIFT_DAY minutes=0
refused exists "shift of 'tech-07' on $SHIFT_DAY is already recorded" fm-li \
    workshop.shift.record tech_id=tech-07 date=$SHIFT_DAY minutes=300
expect_eq "tech-08 unchanged after refusals" 2 \
    "$(as fm-li workshop.board | json '.reply.technicians[] | select(.tech_id=="tech-08") | .level')"
expect_eq "three bays" 3 "$(as fm-li workshop.board | json '.reply.bays | length')"
expect_eq "nothing emitted by refused commands" "$before" "$(last_seq)"

# --- jobs from reception ----------------------------------------------------------
reception_event reception.ro.consented '{"ro": {"ro_number": "RO-1", "vin": "JN1AZ4EH7DM430111",
  "advisor": "adv-wang", "mileage_km": 42000, "jobs": [
  {"job_no": 1, "concern": "engine knocks", "pay_type": "CUSTOMER_PAY",
   "labour": {"code": "EN100", "sold_minutes": 90, "skill": "engine", "min_level": 3},
   "parts": [{"part_number": "P-100", "quantity": 1}]},
  {"job_no": 2, "concern": "window stuck", "pay_type": "WARRANTY",
   "labour": {"code": "EL200", "sold_minutes": 60, "skill": "electrical", "min_level": 2}}]},
  "date": "2026-11-27"}'
reception_event reception.ro.consented '{"ro": {"ro_number": "RO-2", "vin": "JN1AZ4EH7DM430222",
  "advisor": "adv-wang", "jobs": [{"job_no": 1, "concern": "oil change",
   "labour": {"code": "EN010", "sold_minutes": 30, "skill": "engine", "min_level": 1}}]}}'
ro_jobs() { [ "$(ctl --actor fm-li call workshop.ro.show ro_number="$1" 2>/dev/null | json '.reply.jobs | length')" = "$2" ]; }
wait_for "RO-1's jobs" ro_jobs RO-1 2
wait_for "RO-2's job" ro_jobs RO-2 1
expect_eq "job 1 waiting" WORK_WAITING "$(job RO-1 1 status)"
expect_eq "job 1 vin" JN1AZ4EH7DM430111 "$(job RO-1 1 vin)"
expect_eq "job 2 pay type" WARRANTY "$(job RO-1 2 pay_type)"
rc=0; "$FRAMES" event-json "ipc://$T/bus-in" reception@test "$INC" 99 reception.ro.consented \
    '{"ro": {"nope": 1}}' 2>/dev/null || rc=$?
expect_eq "astest_frames refuses a payload that does not fit" 65 "$rc"

# --- dispatch ---------------------------------------------------------------------
before=$(last_seq)
refused not-found "RO RO-9 has no job 1" fm-li workshop.job.dispatch ro_number=RO-9 job_no=1 tech_id=tech-07 bay_id=B1
refused not-found "RO RO-1 has no job 7" fm-li workshop.job.dispatch ro_number=RO-1 job_no=7 tech_id=tech-07 bay_id=B1
refused not-found "technician 'tech-99' is not registered" fm-li workshop.job.dispatch ro_number=RO-1 job_no=1 tech_id=tech-99 bay_id=B1
refused not-found "bay 'B9' is not registered" fm-li workshop.job.dispatch ro_number=RO-1 job_no=1 tech_id=tech-07 bay_id=B9
refused conflict "technician 'tech-08' lacks skill 'engine' needed by labour operation 'EN100'" \
    fm-li workshop.job.dispatch ro_number=RO-1 job_no=1 tech_id=tech-08 bay_id=B1
refused conflict "technician 'tech-09' is level 2; labour operation 'EN100' needs level 3" \
    fm-li workshop.job.dispatch ro_number=RO-1 job_no=1 tech_id=tech-09 bay_id=B1
refused denied "is not a service_manager or foreman" tech-07 workshop.job.dispatch ro_number=RO-1 job_no=1 tech_id=tech-07 bay_id=B1
expect_eq "job 1 still waiting" WORK_WAITING "$(job RO-1 1 status)"
expect_eq "nothing emitted by refused dispatches" "$before" "$(last_seq)"

as fm-li workshop.job.dispatch ro_number=RO-1 job_no=1 tech_id=tech-07 bay_id=B1 >/dev/null
expect_eq "job 1 dispatched" WORK_DISPATCHED "$(job RO-1 1 status)"
expect_eq "B1 holds RO-1" RO-1 "$(bay_ro B1)"
refused conflict "bay 'B1' is occupied by RO RO-1 job 1" fm-li workshop.job.dispatch \
    ro_number=RO-1 job_no=2 tech_id=tech-08 bay_id=B1
refused conflict "RO RO-1 job 1 is WORK_DISPATCHED" fm-li workshop.job.dispatch \
    ro_number=RO-1 job_no=1 tech_id=tech-07 bay_id=B2
expect_eq "job 2 still waiting" WORK_WAITING "$(job RO-1 2 status)"
as fm-li workshop.job.dispatch ro_number=RO-1 job_no=2 tech_id=tech-08 bay_id=B2 >/dev/null
as fm-li workshop.job.dispatch ro_number=RO-2 job_no=1 tech_id=tech-07 bay_id=B3 >/dev/null

# --- clocking -----------------------------------------------------------------------
before=$(last_seq)
refused denied "RO RO-1 job 1 is dispatched to 'tech-07', not to 'tech-08'" tech-08 \
    workshop.clock.on ro_number=RO-1 job_no=1
refused denied "is not a technician" fm-li workshop.clock.on ro_number=RO-1 job_no=1
refused not-found "RO RO-1 has no job 5" tech-07 workshop.clock.on ro_number=RO-1 job_no=5
refused conflict "technician 'tech-07' is not clocked on RO RO-1 job 1" tech-07 \
    workshop.clock.off ro_number=RO-1 job_no=1
expect_eq "clock on" WORK_IN_PROGRESS \
    "$(as tech-07 workshop.clock.on ro_number=RO-1 job_no=1 | json .reply.status)"
refused conflict "technician 'tech-07' is already clocked on RO RO-1 job 1" tech-07 \
    workshop.clock.on ro_number=RO-2 job_no=1
expect_eq "RO-2 job still dispatched" WORK_DISPATCHED "$(job RO-2 1 status)"
refused conflict "already clocked on RO RO-1 job 1; clock off first" tech-07 workshop.clock.on ro_number=RO-1 job_no=1

# --- an extra defect, answered and approved ------------------------------------------
refused denied "dispatched to 'tech-07', not to 'tech-08'" tech-08 workshop.defect.report \
    report_id=D1 ro_number=RO-1 job_no=1 description="worn belt"
refused invalid "description of the defect is required" tech-07 workshop.defect.report \
    report_id=D1 ro_number=RO-1 job_no=1
# the one clock-on between them said so (workshop.clock.started); the refusals nothing
expect_eq "refusals emitted nothing" "$((before + 1))" "$(last_seq)"
as tech-07 workshop.defect.report report_id=D1 ro_number=RO-1 job_no=1 description="worn belt" \
    labour.code=EN300 labour.sold_minutes=45 labour.skill=engine labour.min_level=1 \
    'parts=[{"part_number": "BELT-1", "quantity": 1}]' >/dev/null
refused exists "extra defect 'D1' of RO RO-1 is already reported" tech-07 workshop.defect.report \
    report_id=D1 ro_number=RO-1 job_no=1 description="worn belt"
reception_event reception.extra_work.answered '{"ro_number": "RO-1", "advisor": "adv-wang",
  "request": {"request_id": "D1", "for_job_no": 1, "answer": "approved", "new_job_no": 3}}'
reception_event reception.job.added '{"ro_number": "RO-1", "vin": "JN1AZ4EH7DM430111",
  "advisor": "adv-wang", "job": {"job_no": 3, "concern": "worn belt", "extra_work": true,
  "pay_type": "CUSTOMER_PAY",
  "labour": {"code": "EN300", "sold_minutes": 45, "skill": "engine", "min_level": 1}}}'
wait_for "job 3 from the approved extra work" ro_jobs RO-1 3
answer() { [ "$(ctl --actor fm-li call workshop.ro.show ro_number=RO-1 | json '.reply.defects[0].answer')" = approved ]; }
wait_for "the advisor's answer recorded" answer

# --- work done -----------------------------------------------------------------------------
off=$(as tech-07 workshop.clock.off ro_number=RO-1 job_no=1 finished=true)
expect_eq "job 1 done" WORK_DONE "$(echo "$off" | json .reply.status)"
expect_eq "job 1 minutes (at least 1)" 1 "$(echo "$off" | json .reply.actual_minutes)"
expect_eq "B1 free" "" "$(bay_ro B1)"
refused conflict "final inspection needs every job WORK_DONE" qc-zhao workshop.qc.inspect \
    ro_number=RO-1 kind=FINAL passed=true
as tech-08 workshop.clock.on ro_number=RO-1 job_no=2 >/dev/null
as tech-08 workshop.clock.off ro_number=RO-1 job_no=2 >/dev/null
expect_eq "job 2 back to dispatched after a plain clock off" WORK_DISPATCHED "$(job RO-1 2 status)"
as tech-08 workshop.clock.on ro_number=RO-1 job_no=2 >/dev/null
as tech-08 workshop.clock.off ro_number=RO-1 job_no=2 finished=true >/dev/null
expect_eq "job 2 minutes add up" 2 "$(job RO-1 2 actual_minutes)"
as fm-li workshop.job.dispatch ro_number=RO-1 job_no=3 tech_id=qc-tech bay_id=B1 >/dev/null
as qc-tech workshop.clock.on ro_number=RO-1 job_no=3 >/dev/null
as qc-tech workshop.clock.off ro_number=RO-1 job_no=3 finished=true >/dev/null

# --- QC: fail, rework, pass -------------------------------------------------------------
before=$(last_seq)
refused denied "a technician cannot pass QC on their own job: 'qc-tech' is the technician of RO RO-1 job 3" \
    qc-tech workshop.qc.inspect ro_number=RO-1 kind=FINAL passed=true
refused denied "is not a qc_inspector" fm-li workshop.qc.inspect ro_number=RO-1 kind=FINAL passed=true
refused not-found "RO RO-9 has no jobs in the workshop" qc-zhao workshop.qc.inspect \
    ro_number=RO-9 kind=FINAL passed=true
refused not-found "failed job 8 is not a job of RO RO-1" qc-zhao workshop.qc.inspect \
    ro_number=RO-1 kind=FINAL passed=false failed_jobs=8 reasons=leak
refused invalid "a failed inspection needs at least one reason" qc-zhao workshop.qc.inspect \
    ro_number=RO-1 kind=FINAL passed=false
refused invalid "kind is required" qc-zhao workshop.qc.inspect ro_number=RO-1 passed=true
expect_eq "refused inspections wrote nothing" "$before" "$(last_seq)"
expect_eq "no inspection recorded" 0 \
    "$(as qc-zhao workshop.ro.show ro_number=RO-1 | json '.reply.inspection_log | length')"

as qc-zhao workshop.qc.inspect ro_number=RO-1 kind=FINAL passed=false failed_jobs=1 \
    reasons="oil leak at the sump" >/dev/null
expect_eq "job 1 rework" WORK_REWORK "$(job RO-1 1 status)"
expect_eq "job 1 keeps its technician" tech-07 "$(job RO-1 1 technician)"
expect_eq "job 1 keeps its bay" B1 "$(job RO-1 1 bay)"
expect_eq "job 1 qc failures" 1 "$(job RO-1 1 qc_failures)"
expect_eq "job 2 still done" WORK_DONE "$(job RO-1 2 status)"
refused conflict "RO RO-1 job 1 is WORK_REWORK" qc-zhao workshop.qc.inspect \
    ro_number=RO-1 kind=FINAL passed=true
as tech-07 workshop.clock.on ro_number=RO-1 job_no=1 >/dev/null
as tech-07 workshop.clock.off ro_number=RO-1 job_no=1 finished=true >/dev/null
expect_eq "rework minutes added" 2 "$(job RO-1 1 actual_minutes)"
as qc-zhao workshop.qc.inspect ro_number=RO-1 kind=ROAD_TEST passed=true >/dev/null
cert=$(as qc-zhao workshop.qc.inspect ro_number=RO-1 kind=FINAL passed=true | json .reply.certificate)
expect_eq "certificate" QC-RO-1-3 "$cert"
for n in 1 2 3; do expect_eq "job $n passed" WORK_QC_PASSED "$(job RO-1 $n status)"; done
refused conflict "RO RO-1 already passed final QC (QC-RO-1-3)" qc-zhao workshop.qc.inspect \
    ro_number=RO-1 kind=FINAL passed=true
expect_eq "three inspections recorded" 3 \
    "$(as qc-zhao workshop.ro.show ro_number=RO-1 | json '.reply.inspection_log | length')"
refused not-found "RO RO-9 is not known to the workshop" fm-li workshop.ro.show ro_number=RO-9

# RO-2 passes at its first final inspection; its clock entries are made
# afterwards, with the times they happened (95 minutes of work)
now_us=$(($(date +%s) * 1000000))
refused invalid "is in the future" tech-07 workshop.clock.on ro_number=RO-2 job_no=1 \
    at_us=$((now_us + 3600000000))
as tech-07 workshop.clock.on ro_number=RO-2 job_no=1 at_us=$((now_us - 6000000000)) >/dev/null
refused invalid "is before clocking on" tech-07 workshop.clock.off ro_number=RO-2 job_no=1 \
    finished=true at_us=$((now_us - 7000000000))
as tech-07 workshop.clock.off ro_number=RO-2 job_no=1 finished=true \
    at_us=$((now_us - 300000000)) >/dev/null
expect_eq "backdated clock entries give their minutes" 95 "$(job RO-2 1 actual_minutes)"
expect_eq "RO-2 certificate" QC-RO-2-1 \
    "$(as qc-tech workshop.qc.inspect ro_number=RO-2 kind=FINAL passed=true | json .reply.certificate)"

# --- the events ---------------------------------------------------------------------------
n=$(last_seq)
events=$(timeout 30 "$ASCTL" --json --config "$CONFIG" tap --since workshop@test:1 --count "$n")
of() { echo "$events" | jq -c "select(.type==\"$1\")"; }
expect_eq "events read" "$n" "$(echo "$events" | jq -s 'length')"
expect_eq "technicians registered" 4 "$(of workshop.technician.registered | wc -l)"
expect_eq "bays registered" 3 "$(of workshop.bay.registered | wc -l)"
expect_eq "shift recorded" 480 "$(of workshop.shift.recorded | jq .payload.attendance.minutes)"
expect_eq "dispatches" 4 "$(of workshop.job.dispatched | wc -l)"
# RO-1's jobs 1 and 2 and RO-2's job 1 from the consents, RO-1's job 3 added
# after the approved extra work: four jobs made, each said once
expect_eq "jobs created" "RO-1:1:WORK_WAITING RO-1:2:WORK_WAITING RO-2:1:WORK_WAITING RO-1:3:WORK_WAITING" \
    "$(of workshop.job.created | jq -r '"\(.payload.ro_number):\(.payload.job_no):\(.payload.status)"' | tr '\n' ' ' | sed 's/ $//')"
expect_eq "job created: the concern and the labour operation" "engine knocks EN100 90" \
    "$(of workshop.job.created | jq -r 'select(.payload.ro_number=="RO-1" and .payload.job_no==1) | "\(.payload.concern) \(.payload.labour.code) \(.payload.labour.sold_minutes)"')"
expect_eq "clock intervals" 6 "$(of workshop.clock.stopped | wc -l)"
expect_eq "each clock-on said, with the job in progress" "6 WORK_IN_PROGRESS" \
    "$(of workshop.clock.started | wc -l) $(of workshop.clock.started | jq -r .payload.status | sort -u)"
expect_eq "defect to the advisor" adv-wang "$(of workshop.defect.reported | jq -r .payload.advisor)"
expect_eq "defect vin" JN1AZ4EH7DM430111 "$(of workshop.defect.reported | jq -r .payload.vin)"
failed=$(of workshop.qc.failed)
expect_eq "failed jobs" "[1]" "$(echo "$failed" | jq -c .payload.failed_jobs)"
expect_eq "failed technicians" '["tech-07"]' "$(echo "$failed" | jq -c .payload.technicians)"
expect_eq "two passes" 2 "$(of workshop.qc.passed | wc -l)"
expect_eq "RO-2 first time" true \
    "$(of workshop.qc.passed | jq 'select(.payload.ro_number=="RO-2") | .payload.first_time')"
passed=$(of workshop.qc.passed | jq -c 'select(.payload.ro_number=="RO-1")')
expect_eq "not first time" false "$(echo "$passed" | jq .payload.first_time)"
expect_eq "certificate in the event" QC-RO-1-3 "$(echo "$passed" | jq -r .payload.certificate)"
expect_eq "mileage in the event" 42000 "$(echo "$passed" | jq .payload.mileage_km)"
expect_eq "jobs in the event" '[[1,"tech-07",90,2],[2,"tech-08",60,2],[3,"qc-tech",45,1]]' \
    "$(echo "$passed" | jq -c '[.payload.jobs[] | [.job_no, .technician, .sold_minutes, .actual_minutes]]')"
finish
