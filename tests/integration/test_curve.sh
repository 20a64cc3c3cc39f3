#!/usr/bin/env bash
# labels: security
# timeout: 120
# CURVE on tcp://: the bus and the daemons admit only the public keys in the
# site's keys directory. A listed client gets in; an unknown key is refused.
. "$(dirname "$0")/lib.sh"
setup curve
base=$(tcp_base 8)
mkdir -p "$T/keys" "$T/outsider"
for name in bus demo sink alice; do
    "$ASCTL" keygen "$name" --dir "$T/keys" >/dev/null
done
# mallory has a keypair, but her public key was never added to the site
"$ASCTL" keygen mallory --dir "$T/outsider" >/dev/null
cp "$T/outsider/mallory.key" "$T/keys/"

write_curve_config "demo, sink"
cat >>"$CONFIG" <<INI
[demo]
endpoint = tcp://127.0.0.1:$((base + 2))
heartbeat_ms = 200
[sink]
endpoint = tcp://127.0.0.1:$((base + 3))
follows = demo
heartbeat_ms = 200
; the demo's commands need no role
[staff]
INI
ASCTL_IDENTITY=alice
start_bus bus
start_daemon source
start_daemon sink

# a listed key: commands work, and events flow through the CURVE bus
ctl call demo.generate count=500 >/dev/null
wait_for "sink applied 500 over CURVE" sink_count_is 500
expect_eq "sink sum" $((500 * 501 / 2)) "$(sink_totals .reply.sum)"
# the actor is the authenticated identity, not what the client typed
ctl --actor somebody-else call demo.add value=1 >/dev/null
out=$(ctl tap demo. --since demo@test:501 --count 1)
expect_eq "events record the authenticated actor" alice "$(echo "$out" | json .actor)"
wait_for "sink applied 501" sink_count_is 501

# an unknown key: no answer at all
rc=0
AS_IDENTITY=mallory "$ASCTL" --json --config "$CONFIG" --timeout 500 --retries 1 call demo.state \
    >/dev/null 2>&1 || rc=$?
expect_eq "unknown key is refused (no answer)" 69 "$rc"
grep -q "refused" "$T/source.log" || fail "the source did not log the refusal"
# nor can it listen on the bus: its tap hears nothing while alice's hears the event
AS_IDENTITY=mallory "$ASCTL" --json --config "$CONFIG" tap demo.tick --wait 2500 >"$T/mallory.tap" &
mallory_tap=$!
ctl tap demo.tick --count 1 --wait 5000 >"$T/alice.tap" &
alice_tap=$!
sleep 1
ctl call demo.add value=2 >/dev/null
wait "$alice_tap" "$mallory_tap" || true
expect_eq "alice's tap saw the event" 1 "$(wc -l <"$T/alice.tap")"
expect_eq "mallory's tap saw nothing" 0 "$(wc -l <"$T/mallory.tap")"
wait_for "sink applied 502" sink_count_is 502
finish
