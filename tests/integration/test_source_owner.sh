#!/usr/bin/env bash
# labels: security bus
# timeout: 120
# Under CURVE only the owner of a source may publish as it. A technician's key
# (listed, so the bus admits the connection) publishes workshop.qc.passed as
# workshop@test with the workshop's next seq, and a heartbeat claiming
# workshop@test: asbus refuses both, logs who and what, and counts them per
# (identity, claimed source). kpi applies the real event with that seq, and
# its counters are exactly those of the real events alone. The CRM's ingest
# gateway (key "crm") still publishes as crm@test; the CRM's own key
# (crm-app, the system behind it) cannot.
. "$(dirname "$0")/lib.sh"
setup source_owner
base=$(tcp_base 8)
mkdir -p "$T/keys"
for name in bus workshop kpi crm foreman-liu tech-01 svc-mgr crm-app; do
    "$ASCTL" keygen "$name" --dir "$T/keys" >/dev/null
done
write_curve_config "workshop, kpi, crm"
cat >>"$CONFIG" <<INI
[workshop]
endpoint = tcp://127.0.0.1:$((base + 2))
heartbeat_ms = 200
[kpi]
endpoint = tcp://127.0.0.1:$((base + 3))
follows = workshop
heartbeat_ms = 200
[crm]
endpoint = tcp://127.0.0.1:$((base + 4))
heartbeat_ms = 200
[staff]
crm-app = system
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

log "--- the CRM's gateway publishes as crm@test; the CRM's own key cannot"
"$AS_BUILD/services/ingest/as-ingest" --name crm --config "$CONFIG" >>"$T/crm.log" 2>&1 &
PIDS[crm]=$!
wait_for "crm answers status" ctl_ok status crm
REQUEST="{\"crm_ref\":\"C-1\",\"customer_name\":\"Li Wei\",\"phone\":\"13800000001\",\"preferred_date\":\"$(date -d tomorrow +%F)\",\"preferred_slot\":\"09:30\"}"
ack=$(ASCTL_IDENTITY=crm-app ctl call --request-id crm-1 crm.ingest type=crm.appointment.requested \
    subject=C-1 payload_json="$REQUEST")
expect_eq "the gateway acks the event as crm@test seq 1" "crm@test 1" \
    "$(echo "$ack" | json '"\(.reply.source) \(.reply.seq)"')"
# a tap subscribed to crm. (publishers send only what someone subscribed to)
ctl tap --wait 3000 crm. >"$T/crm-tap.json" &
TAP=$!
sleep 0.5
AS_IDENTITY=crm-app "$FRAMES" event-json "$XSUB" crm@test 01900000-0000-7000-8000-0000000000c1 2 \
    crm.appointment.requested "$REQUEST"
REQUEST=${REQUEST//C-1/C-2}
ASCTL_IDENTITY=crm-app ctl call --request-id crm-2 crm.ingest type=crm.appointment.requested \
    subject=C-2 payload_json="$REQUEST" >/dev/null
wait "$TAP" || true
expect_eq "the bus carried the gateway's seq 2 (ingested by crm-app), not the CRM's own" \
    "2:C-2:crm-app" "$(jq -r '"\(.seq):\(.subject):\(.actor)"' <"$T/crm-tap.json" | paste -sd' ')"

log "--- asbus says who tried what"
grep -q "refused 'test/workshop.qc.passed' of source 'workshop@test' from 'tech-01'" "$T/bus.log" ||
    fail "asbus did not log the forged event"
grep -q "refused 'test/workshop.heartbeat' of source 'workshop@test' from 'tech-01'" "$T/bus.log" ||
    fail "asbus did not log the forged heartbeat"
stop bus
grep -q "refused 2 messages of source 'workshop@test' from 'tech-01'" "$T/bus.log" ||
    fail "asbus's summary at stop does not count the two refusals"
grep -q "refused 1 messages of source 'crm@test' from 'crm-app'" "$T/bus.log" ||
    fail "asbus's summary at stop does not count the CRM's own event"
finish
