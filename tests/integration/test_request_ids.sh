#!/usr/bin/env bash
# labels: fault
# timeout: 120
# A request id belongs to the actor and the command it was first used for
# (issue 9): reception, on the default staff list, driven with asctl call.
# Only a true retry (same actor, command and payload) gets the stored reply;
# any other use of the id is refused and reveals nothing; a call refused by
# the role check does not take the id from the real staff member.
. "$(dirname "$0")/lib.sh"
setup request_ids
repo=$(cd "$(dirname "$0")/../.." && pwd)
export AS_RUN_DIR=$T
cp "$repo/deploy/local.ini" "$CONFIG"
start_bus bus
start_service reception

# call ACTOR REQUEST_ID COMMAND FIELDS...: the JSON reply, whatever the exit code
call() {
    local actor=$1 id=$2
    shift 2
    ctl --actor "$actor" call "$@" --request-id "$id" 2>/dev/null || true
}
reused="request id R-17 was already used for another command; nothing was done"
last_seq() { ctl status reception | json '.services[0].last_seq'; }

out=$(call adv-wang R-17 reception.customer.register customer_id=C1 name="Li Lei" phone=13800000001)
expect_eq "the first use of R-17 is done" true "$(echo "$out" | json .ok)"
seq=$(last_seq)

# the same id, another payload: refused, the new customer not registered
out=$(call adv-wang R-17 reception.customer.register customer_id=C2 name="Han Mei" phone=13800000002)
expect_eq "same id, other payload: refused" "$reused" "$(echo "$out" | json .error)"
expect_eq "same id, other payload: no reply revealed" null "$(echo "$out" | json .reply)"
expect_eq "the second customer was not registered" not-found \
    "$(call adv-wang "show-$RANDOM" reception.customer.show customer_id=C2 | json .code)"

# someone else's id: an advisor's reply holds customer data
out=$(call adv-wang R-SHOW reception.customer.show customer_id=C1)
expect_eq "the advisor reads the customer" "Li Lei" "$(echo "$out" | json .reply.name)"
for who in adv-chen stranger; do
    out=$(call "$who" R-SHOW reception.customer.show customer_id=C1)
    expect_eq "$who with adv-wang's id: refused" \
        "request id R-SHOW was already used for another command; nothing was done" \
        "$(echo "$out" | json .error)"
    case $out in
    *"Li Lei"* | *adv-wang* | *13800000001*) fail "$who was shown what R-SHOW answered: $out" ;;
    *) log "ok: nothing of R-SHOW's reply shown to $who" ;;
    esac
done

# a refused call as an unknown actor under a guessable id does not block the
# real command
out=$(call stranger asday-guess-1 reception.customer.register customer_id=C3 name="Wu Di" phone=13800000003)
expect_eq "the stranger is refused by the role check" denied "$(echo "$out" | json .code)"
out=$(call adv-wang asday-guess-1 reception.customer.register customer_id=C3 name="Wu Di" phone=13800000003)
expect_eq "the advisor's command under that id is done" true "$(echo "$out" | json .ok)"
expect_eq "customer C3 is there" "Wu Di" \
    "$(call adv-wang "show-$RANDOM" reception.customer.show customer_id=C3 | json .reply.name)"

# the true retry: the stored reply, done once
seq=$(last_seq)
out=$(call adv-wang R-17 reception.customer.register customer_id=C1 name="Li Lei" phone=13800000001)
expect_eq "the retry is answered from the stored reply" true "$(echo "$out" | json .replayed)"
expect_eq "the retry succeeds" true "$(echo "$out" | json .ok)"
expect_eq "nothing was done again (no new event)" "$seq" "$(last_seq)"
# and after a restart
stop reception
start_service reception
out=$(call adv-wang R-17 reception.customer.register customer_id=C1 name="Li Lei" phone=13800000001)
expect_eq "the retry after a restart is answered from the stored reply" true "$(echo "$out" | json .replayed)"
expect_eq "after a restart, another payload is still refused" "$reused" \
    "$(call adv-wang R-17 reception.customer.register customer_id=C9 name=X phone=1 | json .error)"
finish
