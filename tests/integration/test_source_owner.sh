#!/usr/bin/env bash
# labels: security bus
# timeout: 120
# Under CURVE only the owner of a source may publish as it. A technician's key
# (listed, so the bus admits the connection) publishes workshop.qc.passed as
# workshop@test with the workshop's next seq, and a heartbeat claiming
# workshop@test: asbus refuses both, logs who and what, and counts them per
# (identity, claimed source). kpi applies the real event with that seq, and
# its counters are exactly those of the real events alone.
. "$(dirname "$0")/lib.sh"
setup source_owner
base=$((20000 + RANDOM % 20000))
mkdir -p "$T/keys"
for name in bus workshop kpi foreman-liu tech-01 svc-mgr; do
    "$ASCTL" keygen "$name" --dir "$T/keys" >/dev/null
done
cat >"$CONFIG" <<INI
[site]
name = test
data_dir = $T/data
services = workshop, kpi
[security]
curve = on
keys_dir = $T/keys
[bus]
xsub = tcp://127.0.0.1:$base
xpub = tcp://127.0.0.1:$((base + 1))
publish = \${bus.xsub}
subscribe = \${bus.xpub}
[workshop]
endpoint = tcp://127.0.0.1:$((base + 2))
heartbeat_ms = 200
[kpi]
endpoint = tcp://127.0.0.1:$((base + 3))
follows = workshop
heartbeat_ms = 200
[staff]
foreman-liu = foreman
tech-01 = technician
svc-mgr = service_manager
INI
ASCTL_IDENTITY=foreman-liu
start_bus bus
start_service workshop
start_service kpi

ws_last_seq() { ctl status workshop | json '.services[0].last_seq'; }
kpi_applied() { ctl status kpi | json '.services[0].offsets[] | select(.source=="workshop@test") | .applied_seq'; }
kpi_caught_up() { [ "$(kpi_applied)" = "$(ws_last_seq)" ]; }
department() { # the month's department counter $1 (0 when unset)
    ASCTL_IDENTITY=svc-mgr ctl kpi report --month "$(date +%Y-%m)" |
        jq -r ".rows[0].counters.$1 // 0"
}

ctl call workshop.bay.register bay_id=bay-1 kind=lift >/dev/null
wait_for "kpi applied the workshop's first event" kpi_caught_up
NEXT=$(($(ws_last_seq) + 1))
INC=$(ctl status workshop | json '.services[0].incarnation')

log "--- tech-01 publishes a QC pass of 10 h as workshop@test, seq $NEXT"
XSUB=tcp://127.0.0.1:$base
AS_IDENTITY=tech-01 "$FRAMES" event-json "$XSUB" workshop@test "$INC" "$NEXT" workshop.qc.passed \
    "{\"ro_number\":\"RO-FAKE\",\"first_time\":true,\"advisor\":\"adv-x\",\"jobs\":[{\"job_no\":1,\"technician\":\"tech-01\",\"sold_minutes\":600}],\"date\":\"$(date +%F)\"}"
AS_IDENTITY=tech-01 "$FRAMES" heartbeat "$XSUB" workshop@test "$INC" "$NEXT" - 0 >/dev/null

log "--- the real event with seq $NEXT"
ctl call workshop.bay.register bay_id=bay-2 kind=general >/dev/null
expect_eq "the real event took seq $NEXT" "$NEXT" "$(ws_last_seq)"
wait_for "kpi applied the workshop's seq $NEXT" kpi_caught_up
expect_eq "kpi counts both real bays" 2 "$(department bays)"
expect_eq "kpi counts no inspected RO" 0 "$(department ros_inspected)"
expect_eq "kpi counts no sold time" 0 "$(department sold_minutes)"

log "--- asbus says who tried what"
grep -q "refused 'workshop.qc.passed' of source 'workshop@test' from 'tech-01'" "$T/bus.log" ||
    fail "asbus did not log the forged event"
grep -q "refused 'workshop.heartbeat' of source 'workshop@test' from 'tech-01'" "$T/bus.log" ||
    fail "asbus did not log the forged heartbeat"
stop bus
grep -q "refused 2 messages of source 'workshop@test' from 'tech-01'" "$T/bus.log" ||
    fail "asbus's summary at stop does not count the two refusals"
finish
