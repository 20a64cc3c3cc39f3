#!/usr/bin/env bash
# labels: workshop kpi training
# timeout: 180
# Training and certification: the foreman plans courses for technicians,
# records attendance and certifications; a certification raises the
# technician's level, which dispatch checks; kpi reports training
# achievement (certifications gained / courses planned, on the planned
# date's month) for the department and each technician, and a technician's
# own sold-hours target with its achievement. Bad input is refused and
# writes nothing. Real bus, reception, workshop and kpi daemons.
. "$(dirname "$0")/lib.sh"
setup workshop_training

sed -i 's/^services = .*/services = reception, workshop, kpi/' "$CONFIG"
cat >>"$CONFIG" <<INI

[staff]
adv-wang = advisor limit=5000
fm-li = foreman
sm-zhao = service_manager
qc-zhao = qc_inspector
tech-07 = technician
tech-08 = technician

[reception]
endpoint = ipc://$T/reception.sock
follows = workshop
heartbeat_ms = 200

[workshop]
endpoint = ipc://$T/workshop.sock
follows = reception
heartbeat_ms = 200

[kpi]
endpoint = ipc://$T/kpi.sock
follows = reception, workshop
heartbeat_ms = 200
INI

start_bus bus
for s in reception workshop kpi; do start_service "$s"; done

VIN=JN1AZ4EH7DM430111
THIS=$(date +%Y-%m) # the month the QC passes in (today)

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
last_seq() { ctl status "$1" | json '.services[0].last_seq'; }
level_of() { as fm-li workshop.board | json ".reply.technicians[] | select(.tech_id==\"$1\") | .level"; }

ask fm-li workshop.technician.register tech_id=tech-07 name="Li Wei" skills=engine level=2 \
    hourly_cost_cents=4500
ask fm-li workshop.technician.register tech_id=tech-08 name="Wu Fang" skills=engine level=3 \
    hourly_cost_cents=4000
ask fm-li workshop.bay.register bay_id=B1 kind=lift

# --- bad input: refused, nothing written -------------------------------------------------
before=$(last_seq workshop)
refused fm-li invalid "planned_date '2026-13-01' is not a date" workshop.training.plan \
    tech_id=tech-07 course=EV-HV planned_date=2026-13-01
refused fm-li invalid "tech_id and course are required" workshop.training.plan tech_id=tech-07 \
    planned_date=2026-01-05
refused fm-li not-found "technician 'tech-99' is not registered" workshop.training.plan \
    tech_id=tech-99 course=EV-HV planned_date=2026-01-05
refused tech-07 denied "" workshop.training.plan tech_id=tech-07 course=EV-HV \
    planned_date=2026-01-05
refused fm-li not-found "technician 'tech-07' has no training 'EV-HV' planned" \
    workshop.training.attend tech_id=tech-07 course=EV-HV
refused fm-li invalid "level reached must be 1..5" workshop.training.certify tech_id=tech-07 \
    course=EV-HV level=6
expect_eq "refused training commands wrote nothing" "$before" "$(last_seq workshop)"

# --- the plans ----------------------------------------------------------------------------
# 2026-01: tech-07 EV-HV (01-05), DIAG (01-12), BODY (01-20); tech-08 DIAG (01-12)
# 2026-02: tech-07 ADAS (02-03)
ask fm-li workshop.training.plan tech_id=tech-07 course=EV-HV planned_date=2026-01-05
ask sm-zhao workshop.training.plan tech_id=tech-07 course=DIAG planned_date=2026-01-12
ask fm-li workshop.training.plan tech_id=tech-07 course=BODY planned_date=2026-01-20
ask fm-li workshop.training.plan tech_id=tech-08 course=DIAG planned_date=2026-01-12
ask fm-li workshop.training.plan tech_id=tech-07 course=ADAS planned_date=2026-02-03
refused fm-li exists "training 'EV-HV' of 'tech-07' is already planned for 2026-01-05" \
    workshop.training.plan tech_id=tech-07 course=EV-HV planned_date=2026-01-06

# --- a job needing level 4: tech-07 (level 2) may not take it until certified -------------
ask adv-wang reception.customer.register customer_id=C1 name="Customer 1" phone=13900000001
ask adv-wang reception.vehicle.register vin=$VIN plate=LU-B00001 customer_id=C1 \
    sale_date=2024-05-01 mileage_km=20000 model=Corolla
job_json() { # job_json CODE SOLD_MINUTES MIN_LEVEL
    echo "{\"concern\":\"needs $1\",\"pay_type\":\"CUSTOMER_PAY\",\"labour\":{\"code\":\"$1\",
      \"sold_minutes\":$2,\"rate_cents\":6000,\"skill\":\"engine\",\"min_level\":$3}}"
}
knows_engine() { [ "$(ctl --actor adv-wang call reception.skill.list | json '.reply.skills[0].skill')" = engine ]; }
wait_for "reception knows the skill engine" knows_engine
ask adv-wang reception.ro.open ro_number=RO-1 vin=$VIN mileage_km=21000 \
    jobs="[$(job_json EN400 90 4), $(job_json EN100 60 1)]"
ask adv-wang reception.ro.consent ro_number=RO-1 consent=signature
has_jobs() { [ "$(ctl --actor fm-li call workshop.ro.show ro_number=RO-1 2>/dev/null | json '.reply.jobs | length')" = 2 ]; }
wait_for "workshop has RO-1's jobs" has_jobs
refused fm-li conflict "technician 'tech-07' is level 2; labour operation 'EN400' needs level 4" \
    workshop.job.dispatch ro_number=RO-1 job_no=1 tech_id=tech-07 bay_id=B1

# --- attendance and certification --------------------------------------------------------
before=$(last_seq workshop)
refused fm-li conflict "'tech-07' has not attended training 'EV-HV': record the attendance first" \
    workshop.training.certify tech_id=tech-07 course=EV-HV level=4
expect_eq "a refused certification wrote nothing" "$before" "$(last_seq workshop)"
for c in EV-HV DIAG; do ask fm-li workshop.training.attend tech_id=tech-07 course=$c; done
refused fm-li exists "'tech-07' already attended training 'DIAG'" workshop.training.attend \
    tech_id=tech-07 course=DIAG
ask fm-li workshop.training.attend tech_id=tech-08 course=DIAG # attended, not certified
reply=$(as fm-li workshop.training.certify tech_id=tech-07 course=EV-HV \
    certification="EV high voltage L4" level=4)
expect_eq "the certification: level 2 -> 4" "EV high voltage L4 2 4" \
    "$(echo "$reply" | json '.reply | "\(.certification) \(.level_before) \(.level_reached)"')"
expect_eq "tech-07 is level 4 now" 4 "$(level_of tech-07)"
# a lower level reached never lowers the technician's
ask sm-zhao workshop.training.certify tech_id=tech-07 course=DIAG level=3
expect_eq "tech-07 stays level 4" 4 "$(level_of tech-07)"
refused fm-li exists "'tech-07' was already certified for training 'DIAG'" \
    workshop.training.certify tech_id=tech-07 course=DIAG level=3
# ADAS (planned for February) attended and certified now: it counts for February
ask fm-li workshop.training.attend tech_id=tech-07 course=ADAS
ask fm-li workshop.training.certify tech_id=tech-07 course=ADAS level=4
expect_eq "tech-07's January plans" "BODY: - DIAG: 3 EV-HV: 4" \
    "$(as tech-07 workshop.training.list tech_id=tech-07 month=2026-01 |
        jq -r '[.reply.plans[] | "\(.course): \(.level_reached // "-")"] | join(" ")')"

# the level used at dispatch rose: tech-07 takes the level-4 job now
ask fm-li workshop.job.dispatch ro_number=RO-1 job_no=1 tech_id=tech-07 bay_id=B1

# --- sold hours for tech-07: both jobs, QC passed today --------------------------------------
ask tech-07 workshop.clock.on ro_number=RO-1 job_no=1
ask tech-07 workshop.clock.off ro_number=RO-1 job_no=1 finished=true
ask fm-li workshop.job.dispatch ro_number=RO-1 job_no=2 tech_id=tech-07 bay_id=B1
ask tech-07 workshop.clock.on ro_number=RO-1 job_no=2
ask tech-07 workshop.clock.off ro_number=RO-1 job_no=2 finished=true
ask qc-zhao workshop.qc.inspect ro_number=RO-1 kind=FINAL passed=true
ask fm-li workshop.shift.record tech_id=tech-08 date="$(date +%F)" minutes=480 # a row for tech-08

# --- targets: tech-07's own monthly sold hours ----------------------------------------------
before=$(last_seq kpi)
refused sm-zhao not-found "technician 'tech-99' is not known to kpi" kpi.target.set \
    month=$THIS metric="sold hours" value=10 technician=tech-99
refused tech-07 denied "" kpi.target.set month=$THIS metric="sold hours" value=10 \
    technician=tech-07
expect_eq "refused targets wrote nothing" "$before" "$(last_seq kpi)"
ask sm-zhao kpi.target.set month=$THIS metric="sold hours" value=10 technician=tech-07
ask sm-zhao kpi.target.set month=$THIS metric="sold hours" value=40 # the department's

# --- the reports ------------------------------------------------------------------------------
report() { "$ASCTL" --config "$CONFIG" --json --actor sm-zhao kpi report --month "$1" ${2:+--by $2}; }
fig() { # fig ROW FIGURE [FIELD]: from $REPORT
    echo "$REPORT" | jq -r --arg k "$1" --arg n "$2" --arg f "${3:-}" \
        '.rows[] | select(.key==$k) | .figures[] | select(.name==$n) |
         if $f == "" then (if .defined then ((.value * 100 | round) / 100) else "undefined" end) else .[$f] end'
}
sold_in() { REPORT=$(report "$THIS" technician); [ "$(fig tech-07 'sold hours')" = 2.5 ]; }
wait_for "kpi counted tech-07's sold hours" sold_in
# tech-07 sold EN400 90 min + EN100 60 min = 150 min = 2.5 h; target 10 h: 2.5 / 10 = 25%
expect_eq "tech-07's sold hours target" 10 "$(fig tech-07 'sold hours' target)"
expect_eq "tech-07's sold hours achievement 2.5 / 10" 0.25 "$(fig tech-07 'sold hours' achievement)"
expect_eq "tech-08 has no sold hours target of their own" null "$(fig tech-08 'sold hours' target)"
REPORT=$(report "$THIS")
# the department: 2.5 h of its 40 h target = 6.25%
expect_eq "the department's sold hours achievement 2.5 / 40" 0.0625 \
    "$(fig department 'sold hours' achievement)"

trained() { REPORT=$(report 2026-02); [ "$(fig department 'training achievement')" = 100 ]; }
wait_for "kpi counted February's training" trained
REPORT=$(report 2026-01)
# January, by the planned date: planned tech-07 EV-HV, DIAG, BODY + tech-08 DIAG = 4;
# certified tech-07 EV-HV, DIAG = 2 (tech-08 attended only): 2 / 4 = 50%
expect_eq "January's training achievement 2 / 4" 50 "$(fig department 'training achievement')"
expect_eq "its formula" \
    "certifications gained / courses planned (on the planned date) = 2 / 4" \
    "$(fig department 'training achievement' formula)"
REPORT=$(report 2026-01 technician)
expect_eq "tech-07 in January: 2 of 3" 66.67 "$(fig tech-07 'training achievement')"
expect_eq "tech-08 in January: 0 of 1" 0 "$(fig tech-08 'training achievement')"
# February: tech-07 ADAS planned and certified (certified today: it counts on its plan's month)
REPORT=$(report 2026-02)
expect_eq "February's training achievement 1 / 1" 100 "$(fig department 'training achievement')"
REPORT=$(report 2026-03)
expect_eq "March: no course planned" undefined "$(fig department 'training achievement')"
expect_eq "March's formula says why" \
    "certifications gained / courses planned (on the planned date) = 0 / 0: no course planned in the period" \
    "$(fig department 'training achievement' formula)"

finish
