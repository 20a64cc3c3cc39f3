#!/usr/bin/env bash
# labels: fault
# timeout: 300
# Plain publishers that cannot replay are best-effort: a consumer does not
# stall on a gap in their events. One publishes events only (no heartbeat, no
# service endpoint): the gap is skipped after [sink] best_effort_after_ms. One
# says so in its heartbeat: the gap is skipped at once. Both losses are
# counted and shown by `asctl status` (and kept over a restart); the tap marks
# their events. A full source on the same bus is not touched by any of it.
. "$(dirname "$0")/lib.sh"
setup best_effort

# the sink waits 1 s (not the default 10 s) for a source to name an endpoint
sed -i "/^\[sink\]/a best_effort_after_ms = 1000" "$CONFIG"
# the plain publishers are other sites' demo services, which the sink follows
sed -i 's/^follows = demo$/follows = demo, demo@legacy, demo@pbx/' "$CONFIG"

LEGACY=demo@legacy
PBX=demo@pbx
INC=01900000-0000-7000-8000-0000000000f1
tick() { # tick SOURCE SEQ: a tick whose value is its seq
    "$FRAMES" event-json "ipc://$T/bus-in" "$1" "$INC" "$2" demo.tick.emitted \
        "{\"number\":$2,\"value\":$2}" >/dev/null
}
offset() { ctl status sink | json ".services[0].offsets[] | select(.source==\"$1\") | .$2"; }

start_bus bus
start_daemon sink

log "--- a publisher without heartbeats: 3 and 4 never come"
tick $LEGACY 1
tick $LEGACY 2
tick $LEGACY 5
wait_for "the gap is skipped and 5 applied" sink_count_is 3
expect_eq "legacy: 1, 2 and 5" "8 true 2 5" \
    "$(sink_totals .reply.sum) $(offset $LEGACY best_effort) $(offset $LEGACY lost) $(offset $LEGACY applied_seq)"

log "--- a publisher whose heartbeat says best-effort: skipped at once, and the tap says so"
ctl tap --site pbx --wait 3000 demo. >"$T/tap.json" &
TAP=$!
"$FRAMES" heartbeat "ipc://$T/bus-in" $PBX "$INC" 0 - 1 >/dev/null
tick $PBX 1
tick $PBX 3
wait_for "pbx's 1 and 3 applied" sink_count_is 5
wait "$TAP" || true
expect_eq "pbx: one lost" "true 1 3" \
    "$(offset $PBX best_effort) $(offset $PBX lost) $(offset $PBX applied_seq)"
expect_eq "the tap marks pbx's events best-effort" "1:true 3:true" \
    "$(jq -r "select(.source==\"$PBX\") | \"\(.seq):\(.best_effort)\"" <"$T/tap.json" | paste -sd' ')"

log "--- a full source on the same bus: gaps are replayed, nothing lost"
start_daemon source
ctl call demo.generate count=50 >/dev/null
wait_for "sink has the source's 50 too" sink_count_is 55
expect_eq "demo@test is no best-effort source" "null null 50" \
    "$(offset demo@test best_effort) $(offset demo@test lost) $(offset demo@test applied_seq)"

log "--- status says it for people, and a restart keeps it"
human=$("$ASCTL" --config "$CONFIG" status sink)
echo "$human" | grep -qF "best-effort (it cannot replay): 2 events never arrived and are lost" ||
    fail "status does not show the loss: $human"
stop sink
start_daemon sink
expect_eq "after a restart" "2 1 5 3" \
    "$(offset $LEGACY lost) $(offset $PBX lost) $(offset $LEGACY applied_seq) $(offset $PBX applied_seq)"
tick $LEGACY 6
wait_for "legacy's 6 applied after the restart" sink_count_is 56
finish
