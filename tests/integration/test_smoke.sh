#!/usr/bin/env bash
# labels: bus
# timeout: 120
# The smallest whole path: a command to the source, its events through asbus
# into the sink's store, status and tap showing them.
. "$(dirname "$0")/lib.sh"
setup smoke

start_bus bus
start_daemon source
start_daemon sink

ctl call demo.generate count=1000 >/dev/null
wait_for "sink applied 1000 ticks" sink_count_is 1000
expect_eq "sink sum" 500500 "$(sink_totals '.reply.sum')"
expect_eq "sink out-of-order" 0 "$(sink_totals '.reply.out_of_order')"
expect_eq "sink offset of demo@test" "$(source_last_seq)" "$(sink_applied_of demo@test)"

# the tap replays history and then follows live
expect_eq "tap --since replays" 5 \
    "$("$ASCTL" --json --config "$CONFIG" tap demo. --since demo@test:996 --count 5 | wc -l)"
expect_eq "first replayed seq" 996 \
    "$("$ASCTL" --json --config "$CONFIG" tap --since demo@test:996 --count 1 | json .seq)"

stop sink
stop source
stop bus
finish
