#!/usr/bin/env bash
# labels: fault
# timeout: 300
# Two asbus forwarders at once: the source publishes through both, the sink
# hears both; every event arrives twice and is applied once.
. "$(dirname "$0")/lib.sh"
setup two_buses
N=20000
cat >>"$CONFIG" <<INI

[bus2]
xsub = ipc://$T/bus2-in
xpub = ipc://$T/bus2-out
INI
sed -i "s|^publish = .*|publish = ipc://$T/bus-in, ipc://$T/bus2-in|; s|^subscribe = .*|subscribe = ipc://$T/bus-out, ipc://$T/bus2-out|" "$CONFIG"

start_bus bus
start_bus bus2
start_daemon source
start_daemon sink
ctl call demo.generate count=$N rate=10000 >/dev/null
WAIT_SECONDS=120 wait_for "sink applied $N" sink_count_is $N
sleep 1
expect_eq "sink count" $N "$(sink_totals '.reply.count')"
expect_eq "sink sum" $((N * (N + 1) / 2)) "$(sink_totals '.reply.sum')"
expect_eq "out of order" 0 "$(sink_totals '.reply.out_of_order')"
dups=$(ctl status sink | json '.services[0].duplicates_dropped')
if [ "$dups" -ge $((N / 2)) ]; then log "ok: $dups duplicates dropped"; else fail "only $dups duplicates dropped: did both buses deliver?"; fi

# one bus goes away: the other carries on alone
stop bus
ctl call demo.generate count=1000 rate=5000 >/dev/null
WAIT_SECONDS=60 wait_for "sink applied $((N + 1000)) via bus2 alone" sink_count_is $((N + 1000))
expect_eq "sum after losing a bus" $(((N + 1000) * (N + 1001) / 2)) "$(sink_totals '.reply.sum')"
finish
