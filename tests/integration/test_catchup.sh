#!/usr/bin/env bash
# labels: fault
# timeout: 300
# A consumer that was down while 50,000 events passed catches up on start
# (start-up catch-up from the source's service endpoint), then follows live.
. "$(dirname "$0")/lib.sh"
setup catchup
N=50000

start_bus bus
start_daemon source
start_daemon sink
ctl call demo.add value=7 >/dev/null
wait_for "sink applied the first event" sink_count_is 1
stop sink

ctl call demo.generate count=$N >/dev/null
WAIT_SECONDS=120 wait_for "source emitted $N more" \
    bash -c "[ \"\$($ASCTL --json --config $CONFIG call demo.state | jq -r .reply.emitted)\" = $((N + 1)) ]"
# no heartbeat may help: the sink must ask on its own at start
start_daemon sink
WAIT_SECONDS=120 wait_for "sink caught up" sink_count_is $((N + 1))
# tick 1 carried 7; ticks 2..N+1 carry their own number
expect_eq "sink sum" $((7 + (N + 1) * (N + 2) / 2 - 1)) "$(sink_totals '.reply.sum')"
expect_eq "out of order" 0 "$(sink_totals '.reply.out_of_order')"
expect_eq "sink offset" "$(source_last_seq)" "$(sink_applied_of demo@test)"

# and then live again
ctl call demo.add value=1 >/dev/null
wait_for "live event after catch-up" sink_count_is $((N + 2))
finish
