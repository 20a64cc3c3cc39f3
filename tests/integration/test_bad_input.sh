#!/usr/bin/env bash
# labels: bus
# timeout: 120
# Malformed frames, an oversized frame, an unknown event type and an unknown
# command are each answered or counted and skipped; the daemons keep running.
. "$(dirname "$0")/lib.sh"
setup bad_input
# the sink follows a second site's demo too: its events are applied like ours
sed -i 's/^follows = demo$/follows = demo, demo@elsewhere/' "$CONFIG"

start_bus bus
start_daemon source
start_daemon sink
EP=ipc://$T/sink.sock

# service endpoint: unknown command, unknown kind, wrong frame count, garbage, oversized
expect_eq "unknown command" unknown "$("$FRAMES" command "$EP" sink.explode | json .code)"
"$FRAMES" command "$EP" sink.explode | json .error | grep -q "unknown command 'sink.explode'" ||
    fail "unknown command error does not name it"
expect_eq "unknown kind is answered" error "$("$FRAMES" raw "$EP" fly-me body | json .kind)"
expect_eq "one frame is answered" error "$("$FRAMES" raw "$EP" cmd | json .kind)"
expect_eq "three frames are answered" error "$("$FRAMES" raw "$EP" cmd a b | json .kind)"
expect_eq "garbage command body" bad-frame "$("$FRAMES" raw "$EP" cmd $'\xff\xff\xff\xff' | json .code)"
expect_eq "oversized command" too-big "$("$FRAMES" command "$EP" sink.totals 2000000 | json .code)"
expect_eq "garbage status request still answered" status "$("$FRAMES" raw "$EP" status $'\x08' | json .kind)"

# the bus: garbage events, an event of an unknown type, a frame over the cap
# (under the topics the sink subscribes to: "<site>/<type>", site test)
"$FRAMES" publish "ipc://$T/bus-in" test/demo.tick.emitted 'not a protobuf'
"$FRAMES" publish "ipc://$T/bus-in" test/demo.heartbeat $'\xff\x01'
inc=$(ctl status demo | json '.services[0].incarnation')
"$FRAMES" event "ipc://$T/bus-in" demo@elsewhere 00000000-0000-7000-8000-000000000000 1 demo.thing.happened
"$FRAMES" publish "ipc://$T/bus-in" test/demo.tick.emitted @1100000

# the daemons still work
ctl call demo.add value=5 >/dev/null
wait_for "sink still applies events" sink_count_is 1
alive sink || fail "sink died"
alive source || fail "source died"
st=$(ctl status sink)
rejected=$(echo "$st" | json '.services[0].frames_rejected')
if [ "$rejected" -ge 8 ]; then log "ok: $rejected bad frames counted"; else fail "only $rejected bad frames counted"; fi
# the unknown type from a new source was skipped but its offset advanced
expect_eq "unknown event type skipped, offset advanced" 1 \
    "$(echo "$st" | json '.services[0].offsets[] | select(.source=="demo@elsewhere") | .applied_seq')"
expect_eq "sink count unchanged by the unknown type" 1 "$(sink_totals .reply.count)"
[ -n "$inc" ] || fail "no incarnation in status"

# asctl itself: bad field values are refused before sending
rc=0; ctl call demo.generate count=abc >/dev/null 2>&1 || rc=$?
expect_eq "asctl refuses a bad field value" 65 "$rc"
rc=0; ctl call demo.nothing >/dev/null 2>&1 || rc=$?
expect_eq "asctl refuses an unknown command" 64 "$rc"
finish
