#!/usr/bin/env bash
# labels: bus fault
# timeout: 120
# The daemons start before their bus (as systemd may start them all at
# once): a subscriber that connects before the bus binds is refused and
# libzmq retries it after its reconnect interval (100 ms), so what a source
# publishes in that window never reaches it live. The source's heartbeats
# (every heartbeat_ms, with its last seq and endpoint) tell it what it
# missed and it replays it: every event is applied exactly once.
. "$(dirname "$0")/lib.sh"
setup bus_late

"$ASDEMO" sink --config "$CONFIG" >>"$T/sink.log" 2>&1 &
PIDS[sink]=$!
wait_for "sink answers status" ctl_ok status sink
# the bus and the source at once; the source publishes at once
"$ASBUS" --config "$CONFIG" --name bus >>"$T/bus.log" 2>&1 &
PIDS[bus]=$!
"$ASDEMO" source --config "$CONFIG" >>"$T/source.log" 2>&1 &
PIDS[source]=$!
wait_for "source answers status" ctl_ok status demo
ctl call demo.generate count=1000 >/dev/null

wait_for "sink applied 1000 ticks" sink_count_is 1000
expect_eq "sink sum (each tick once)" 500500 "$(sink_totals '.reply.sum')"
expect_eq "sink out-of-order" 0 "$(sink_totals '.reply.out_of_order')"
expect_eq "sink offset of demo@test" 1000 "$(sink_applied_of demo@test)"
log "sink offsets: $(ctl status sink | jq -c '.services[0].offsets[0]')"

# the bus goes away and comes back while the source publishes (what a
# source's socket held while the bus was away comes live, the rest by replay)
stop bus
ctl call demo.generate count=500 >/dev/null
start_bus bus
ctl call demo.generate count=500 >/dev/null
wait_for "sink applied 2000 ticks" sink_count_is 2000
expect_eq "sink sum after the bus came back" 2001000 "$(sink_totals '.reply.sum')"
expect_eq "sink out-of-order after the bus came back" 0 "$(sink_totals '.reply.out_of_order')"

stop sink
stop source
stop bus
finish
