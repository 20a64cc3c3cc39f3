#!/usr/bin/env bash
# labels: fault
# timeout: 120
# A retried command (same request id, after a lost reply) is applied once.
. "$(dirname "$0")/lib.sh"
setup idempotent

start_bus bus
start_daemon source
start_daemon sink

# lose the reply: a client sends the command and is gone before the answer
"$FRAMES" vanish "ipc://$T/demo.sock" demo.add retry-1 '{"value": 42}' >/dev/null
wait_for "the command of the vanished client was done" \
    bash -c "[ \"\$($ASCTL --json --config $CONFIG call demo.state | jq -r .reply.emitted)\" = 1 ]"

# the retry: the stored reply, nothing done again
out=$(ctl call demo.add value=42 --request-id retry-1)
expect_eq "retry is answered from the stored reply" true "$(echo "$out" | json .replayed)"
expect_eq "retry reply shows one emit" 1 "$(echo "$out" | json .reply.emitted)"
expect_eq "source emitted once" 1 "$(source_state .reply.emitted)"
wait_for "sink applied one" sink_count_is 1
sleep 0.5
expect_eq "sink sum" 42 "$(sink_totals .reply.sum)"

# the same id survives a restart of the daemon
stop source
start_daemon source
expect_eq "retry after restart" true "$(ctl call demo.add value=42 --request-id retry-1 | json .replayed)"
expect_eq "still emitted once" 1 "$(source_state .reply.emitted)"
# a failed command is answered the same way again, and wrote nothing
rc=0; ctl call demo.generate count=0 --request-id bad-1 >/dev/null || rc=$?
expect_eq "invalid command exit code" 1 "$rc"
expect_eq "its retry: same refusal" invalid "$(ctl call demo.generate count=0 --request-id bad-1 | json .code)"
expect_eq "nothing emitted by the refused command" 1 "$(source_state .reply.emitted)"
finish
