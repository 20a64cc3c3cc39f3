#!/usr/bin/env bash
# labels: ops
# timeout: 90
# The audit trail and the journal: a real reception daemon whose stderr is
# "the journal" (JOURNAL_STREAM names its file, as systemd does). A
# technician trying an advisor's action, a payload that breaks a text bound
# and a handler's own refusal each appear exactly once in the log, at warn
# (<4>), with the actor, the command, the request id and the reason; a
# command that is done leaves no such line; --log-level warn hides the info
# lines; a bad --log-level is a usage error.
. "$(dirname "$0")/lib.sh"
setup audit_log

sed -i 's/^services = .*/services = reception/' "$CONFIG"
cat >>"$CONFIG" <<INI
adv-wang = advisor
tech-07 = technician

[reception]
endpoint = ipc://$T/reception.sock
heartbeat_ms = 200
INI

LOG=$T/reception.log
: >"$LOG"
start_bus bus
JOURNAL_STREAM=$(stat -c '%d:%i' "$LOG") \
    "$AS_BUILD/services/reception/as-reception" --config "$CONFIG" --log-level warn >>"$LOG" 2>&1 &
PIDS[reception]=$!
wait_for "reception answers status" ctl_ok status reception

# call ACTOR ARGS...: `asctl call` as ACTOR; prints the reply's request id
call() {
    local actor=$1
    shift
    AS_ACTOR=$actor ctl call "$@" | json .request_id || true
}
# once WHAT PATTERN: the log has exactly one line matching PATTERN
once() {
    expect_eq "$1: lines in the log" 1 "$(grep -cF -- "$2" "$LOG" || true)"
}

log "--- a technician registers a customer (an advisor's action)"
rid=$(call tech-07 reception.customer.register customer_id=c-1 name="Li Wei" phone=13800000001)
[ -n "$rid" ] && [ "$rid" != null ] || fail "no request id in the reply"
once "denied" "<4>warn: refused reception.customer.register (request $rid, actor tech-07): denied:"
grep -F "request $rid" "$LOG" | grep -qF "tech-07" || fail "the refusal does not name the actor"

log "--- a name over its text bound"
long=$(printf 'x%.0s' $(seq 1 600))
rid=$(call adv-wang reception.customer.register customer_id=c-2 name="$long" phone=13800000002)
once "text bound" "refused reception.customer.register (request $rid, actor adv-wang): invalid:"

log "--- the handler's own refusal (no name)"
rid=$(call adv-wang reception.customer.register customer_id=c-3 phone=13800000003)
once "handler refusal" "(request $rid, actor adv-wang): invalid: customer 'c-3': name is required"

log "--- a command that is done leaves no line"
rid=$(call adv-wang reception.customer.register customer_id=c-4 name="Wang Fang" phone=13800000004)
expect_eq "lines naming a done command" 0 "$(grep -cF "request $rid" "$LOG" || true)"

expect_eq "refusals in the log" 3 "$(grep -c 'refused reception' "$LOG" || true)"
expect_eq "lines without a journal priority" 0 "$(grep -cv '^<[3467]>' "$LOG" || true)"
expect_eq "info lines under --log-level warn" 0 "$(grep -c '^<6>' "$LOG" || true)"

log "--- a plain stderr keeps the plain format"
"$AS_BUILD/services/reception/as-reception" --config "$T/nonexistent.ini" 2>"$T/plain.log" || true
grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z reception\[[0-9]+\] error: ' "$T/plain.log" ||
    fail "plain format: $(cat "$T/plain.log")"
rc=0
"$AS_BUILD/services/reception/as-reception" --config "$CONFIG" --log-level loud 2>"$T/usage.log" || rc=$?
expect_eq "a bad --log-level exits" 64 "$rc"
grep -qF -- "--log-level 'loud' is not a level" "$T/usage.log" || fail "usage: $(cat "$T/usage.log")"
finish
