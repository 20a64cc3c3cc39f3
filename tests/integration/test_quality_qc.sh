#!/usr/bin/env bash
# labels: workshop
# timeout: 180
# Issue 15, QC's inspection statistics (workshop.qc.stats): three ROs from
# reception's events (published here with astest_frames), their jobs
# dispatched to two technicians, five inspections on two days (in-process,
# road test, final; passed and failed with reasons) keyed in with --at; the
# statistics of each day and of both, counted by hand below; bad periods and
# the wrong roles refused.
. "$(dirname "$0")/lib.sh"
setup quality_qc

sed -i 's/^services = .*/services = workshop/' "$CONFIG"
cat >>"$CONFIG" <<INI

[staff]
fm-li = foreman
sm-zhou = service_manager
adv-wang = advisor limit=5000
tech-07 = technician
tech-08 = technician
qc-zhao = qc_inspector

[workshop]
endpoint = ipc://$T/workshop.sock
follows = reception
heartbeat_ms = 200
INI

start_bus bus
start_service workshop

INC=0190a000-0000-7000-8000-00000000abce
SEQ=0
reception_event() { # reception_event TYPE JSON: the next reception event on the bus
    SEQ=$((SEQ + 1))
    "$FRAMES" event-json "ipc://$T/bus-in" reception@test "$INC" "$SEQ" "$1" "$2" >/dev/null
}
as() { local who=$1; shift; ctl --actor "$who" call "$@"; }
last_seq() { ctl status workshop | json '.services[0].last_seq'; }

DA=$(date -d "10 days ago" +%F) DB=$(date -d "3 days ago" +%F)

for t in tech-07 tech-08; do
    as fm-li workshop.technician.register tech_id=$t name=$t skills=engine skills=electrical \
        skills=brakes level=3 hourly_cost_cents=4500 >/dev/null
done
for b in B1 B2 B3 B4; do as fm-li workshop.bay.register bay_id=$b kind=general >/dev/null; done

# job NO CODE SKILL
job() { echo "{\"job_no\":$1,\"concern\":\"c\",\"labour\":{\"code\":\"$2\",\"sold_minutes\":60,\"skill\":\"$3\",\"min_level\":1}}"; }
ro() { # ro RO JOB...
    local n=$1 jobs
    shift
    jobs=$(printf '%s,' "$@")
    reception_event reception.ro.consented "{\"ro\":{\"ro_number\":\"$n\",\"vin\":\"JN1AZ4EH7DM43011$SEQ\",
        \"advisor\":\"adv-wang\",\"jobs\":[${jobs%,}]},\"date\":\"$DA\"}"
}
ro RO-1 "$(job 1 EN100 engine)" "$(job 2 EL200 electrical)"
ro RO-2 "$(job 1 EN100 engine)"
ro RO-3 "$(job 1 BR300 brakes)"
ro_jobs() { [ "$(as fm-li workshop.ro.show ro_number="$1" 2>/dev/null | json '.reply.jobs | length')" = "$2" ]; }
wait_for "RO-3's job" ro_jobs RO-3 1
wait_for "RO-1's jobs" ro_jobs RO-1 2

log "--- dispatch: EN100 to tech-07 (RO-1, RO-2), EL200 and BR300 to tech-08"
as fm-li workshop.job.dispatch ro_number=RO-1 job_no=1 tech_id=tech-07 bay_id=B1 --at "$DA 08:00" >/dev/null
as fm-li workshop.job.dispatch ro_number=RO-1 job_no=2 tech_id=tech-08 bay_id=B2 --at "$DA 08:00" >/dev/null
as fm-li workshop.job.dispatch ro_number=RO-2 job_no=1 tech_id=tech-07 bay_id=B3 --at "$DA 08:05" >/dev/null
as fm-li workshop.job.dispatch ro_number=RO-3 job_no=1 tech_id=tech-08 bay_id=B4 --at "$DA 08:05" >/dev/null

log "--- five inspections"
qc() { as qc-zhao workshop.qc.inspect "$@" >/dev/null; }
# DA: (1) RO-1 in-process fails job 1 for an oil leak; (2) RO-1 passes the road
# test; (3) RO-2 in-process fails (every job: job 1) for an oil leak and a
# dirty interior
qc ro_number=RO-1 kind=IN_PROCESS passed=false reasons="oil leak" failed_jobs=1 --at "$DA 10:00"
qc ro_number=RO-1 kind=ROAD_TEST passed=true --at "$DA 11:00"
qc ro_number=RO-2 kind=IN_PROCESS passed=false reasons="oil leak" reasons="dirty interior" --at "$DA 12:00"
# DB: (4) RO-3's job done, its final inspection fails for the torque; (5) RO-1
# in-process fails both jobs for a dirty interior
as tech-08 workshop.clock.on ro_number=RO-3 job_no=1 --at "$DB 09:00" >/dev/null
as tech-08 workshop.clock.off ro_number=RO-3 job_no=1 finished=true --at "$DB 10:00" >/dev/null
qc ro_number=RO-3 kind=FINAL passed=false reasons="torque not to spec" failed_jobs=1 --at "$DB 11:00"
qc ro_number=RO-1 kind=IN_PROCESS passed=false reasons="dirty interior" --at "$DB 12:00"

stats() { # stats FROM TO [ACTOR]: one line per part of workshop.qc.stats
    as "${3:-qc-zhao}" workshop.qc.stats from="$1" to="$2" | json '.reply |
        "\(.inspections) \(.passed) \(.failed) \(.final_inspections) \(.final_failed)",
        ([.by_reason[]? | "\(.name) \(.failures)"] | join("|")),
        ([.by_technician[]? | "\(.name) \(.failures)/\(.inspected)"] | join("|")),
        ([.by_operation[]? | "\(.name) \(.failures)/\(.inspected)"] | join("|"))' | paste -sd';'
}

# DA: 3 inspections, 1 passed, 2 failed, no final one.
# reasons: oil leak in (1) and (3) = 2; dirty interior in (3) = 1.
# jobs inspected (failed): (1) RO-1 job 1 tech-07 EN100 (failed), job 2
# tech-08 EL200; (2) both again; (3) RO-2 job 1 tech-07 EN100 (failed).
# tech-07: 3 inspected, 2 failed; tech-08: 2 inspected, 0 failed.
# EN100: 3 inspected, 2 failed; EL200: 2 inspected, 0 failed.
expect_eq "the statistics of $DA" \
    "3 1 2 0 0;oil leak 2|dirty interior 1;tech-07 2/3|tech-08 0/2;EL200 0/2|EN100 2/3" \
    "$(stats "$DA" "$DA")"
# DA to DB: 5 inspections, 1 passed, 4 failed, 1 final (failed).
# reasons: oil leak 2 (1, 3); dirty interior 2 (3, 5); torque 1 (4).
# (4) RO-3 job 1 tech-08 BR300 failed; (5) RO-1 both jobs failed.
# tech-07: 3 + 1 = 4 inspected, 2 + 1 = 3 failed; tech-08: 2 + 1 + 1 = 4, 0 + 1 + 1 = 2.
# EN100: 4 inspected, 3 failed; EL200: 3, 1; BR300: 1, 1.
expect_eq "the statistics of $DA..$DB" \
    "5 1 4 1 1;dirty interior 2|oil leak 2|torque not to spec 1;tech-07 3/4|tech-08 2/4;BR300 1/1|EL200 1/3|EN100 3/4" \
    "$(stats "$DA" "$DB")"
expect_eq "the foreman and the service manager read the same" \
    "$(stats "$DA" "$DB")|$(stats "$DA" "$DB")" "$(stats "$DA" "$DB" fm-li)|$(stats "$DA" "$DB" sm-zhou)"
expect_eq "a period without inspections" "0 0 0 0 0;;;" "$(stats 2020-01-01 2020-01-31)"

log "--- refused"
before=$(last_seq)
refused qc-zhao invalid "from and to are required (YYYY-MM-DD)" workshop.qc.stats from="$DA"
refused qc-zhao invalid "from '2026-02-30' is not a date" workshop.qc.stats from=2026-02-30 to="$DB"
refused qc-zhao invalid "to 'soon' is not a date" workshop.qc.stats from="$DA" to=soon
refused qc-zhao invalid "from $DB is after to $DA" workshop.qc.stats from="$DB" to="$DA"
refused qc-zhao invalid "the period 2024-01-01..2025-12-31 is longer than 366 days" \
    workshop.qc.stats from=2024-01-01 to=2025-12-31
refused tech-07 denied "" workshop.qc.stats from="$DA" to="$DB"
refused adv-wang denied "" workshop.qc.stats from="$DA" to="$DB"
expect_eq "nothing emitted" "$before" "$(last_seq)"

finish
