#!/usr/bin/env bash
# labels: dealership fault
# timeout: 240
# A day interrupted part-way and resumed does every thing exactly once
# (issue 9): asday is SIGKILLed in the middle of the repair orders, then
# waiting for the warranty service at its claims, then (most likely) between
# two claim submissions, and run again each time without --again. The stores must end exactly as an uninterrupted day of the same seed
# leaves them (KPI report, warranty claims, repair orders), and asday's summary
# must say what the stores hold.
. "$(dirname "$0")/lib.sh"
setup asday_resume
evening_clock
repo=$(cd "$(dirname "$0")/../.." && pwd)
cp "$repo/deploy/local.ini" "$CONFIG"
DAY=$(date +%F) # the evening of today: the day is over (see evening_clock)
TODAY=$(date +%F)
SEED=11
ASDAY="$AS_BUILD/tools/asday/asday"

# start_site DIR: the default site's daemons on their own stores in DIR
start_site() {
    export AS_RUN_DIR=$1
    mkdir -m 700 -p "$AS_RUN_DIR"
    start_bus bus
    start_site_daemons
    wait_for "oem answers status" ctl_ok status oem
}
stop_site() {
    stop_site_daemons
    stop bus
}

claims() { ctl --actor wty-he call warranty.claim.list | jq -c '.reply.claims // []'; }
none_with_the_oem() { [ "$(claims | jq '[.[] | select(.status == "SUBMITTED")] | length')" = 0 ]; }
# every consumer has applied every event its sources committed
settled() {
    ctl status | jq -e '([.services[] | {key: .source, value: .last_seq}] | from_entries) as $last
        | all(.services[].offsets[]?; .applied_seq == $last[.source])' >/dev/null
}
# what staff see of the day: every KPI row, every claim, every repair order
snapshot() {
    wait_for "the OEM decided every submitted claim" none_with_the_oem
    wait_for "every consumer caught up" settled
    ctl --actor svc-mgr kpi report --month "${TODAY:0:7}" | jq -S '.rows'
    ctl --actor svc-mgr kpi report --month "${DAY:0:7}" --day "$DAY" | jq -S '.rows'
    claims | jq -S '[.[] | del(.. | ._us?, .created_us?, .updated_us?)] | sort_by(.claim_id)'
    for i in $(seq -w 1 40); do
        ctl --actor adv-wang call reception.ro.show ro_number="RO-${DAY//-/}-0$i" |
            jq -c '.reply | {ro_number, status, csi_score, parts_consumed_cents}'
    done
}
submitted_in_store() {
    claims | jq '[.[] | select(.status | IN("SUBMITTED","ACCEPTED","REJECTED_BY_OEM","PAID"))] | length'
}

# --- the uninterrupted day
start_site "$T/whole"
"$ASDAY" --config "$CONFIG" --date "$DAY" --seed $SEED >"$T/whole.out" 2>&1 ||
    fail "the uninterrupted day did not play: $(tail -3 "$T/whole.out")"
whole=$(snapshot)
log "the uninterrupted day: $(echo "$whole" | wc -l) lines of KPI rows, claims and repair orders"
whole_claims=$(sed -n 's/^asday: \([0-9]*\) warranty claims\? submitted.*/\1/p' "$T/whole.out")
expect_eq "the uninterrupted day's summary says what the stores hold" "$(submitted_in_store)" "$whole_claims"
stop_site

# --- the same day on fresh stores, interrupted twice
start_site "$T/resumed"
# 1. killed in the middle of the repair orders
"$ASDAY" --config "$CONFIG" --date "$DAY" --seed $SEED >"$T/run1.out" 2>&1 &
pid=$!
until [ "$(grep -c ' delivered ' "$T/run1.out")" -ge 12 ] || ! kill -0 $pid 2>/dev/null; do sleep 0.02; done
kill -KILL $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
delivered=$(grep -c ' delivered ' "$T/run1.out" || true)
if grep -q 'the day is played' "$T/run1.out"; then fail "asday finished the day before it was killed"; fi
log "asday killed after $delivered of 40 repair orders"

# 2. resumed without --again, killed in the claims: the warranty service is
# paused while asday plays the last repair orders (which do not need it), so
# asday, at the claims, waits for it and is killed there
"$ASDAY" --config "$CONFIG" --date "$DAY" --seed $SEED >"$T/run2.out" 2>&1 &
pid=$!
until grep -q -- '-030 delivered' "$T/run2.out" || ! kill -0 $pid 2>/dev/null; do sleep 0.02; done
kill -STOP "${PIDS[warranty]}"
until grep -q -- '-040 delivered' "$T/run2.out" || ! kill -0 $pid 2>/dev/null; do sleep 0.02; done
sleep 0.3
kill -KILL $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
kill -CONT "${PIDS[warranty]}"
expect_eq "the resumed day got as far as the claims" 40 "$(grep -c ' delivered ' "$T/run2.out" || true)"
if grep -q 'the day is played' "$T/run2.out"; then fail "asday submitted every claim before it was killed"; fi
wait_for "the warranty service answers again" ctl_ok status warranty
log "asday killed with $(submitted_in_store) of the day's claims with the OEM"

# 3. resumed again, killed among its claim submissions (most likely: the
# warranty service is paused as soon as asday says the first one is done)
stop_warranty_at_first_submission() {
    local line stopped=
    while IFS= read -r line; do
        echo "$line" >>"$T/run3.out"
        if [ -z "$stopped" ] && [[ $line == *"warranty.claim.submit"*"-> ok"* ]]; then
            kill -STOP "${PIDS[warranty]}"
            stopped=1
            touch "$T/warranty.stopped"
        fi
    done
}
"$ASDAY" --config "$CONFIG" --date "$DAY" --seed $SEED --verbose \
    > >(stop_warranty_at_first_submission) 2>&1 &
pid=$!
until [ -e "$T/warranty.stopped" ] || ! kill -0 $pid 2>/dev/null; do sleep 0.01; done
sleep 0.3
kill -KILL $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
kill -CONT "${PIDS[warranty]}"
wait_for "the warranty service answers again" ctl_ok status warranty
log "asday killed with $(submitted_in_store) of the day's claims with the OEM"

# 4. resumed again: it finishes the day (or, when the kill came after the
# last claim, finds it finished: its summary is the stores' either way)
rc=0
"$ASDAY" --config "$CONFIG" --date "$DAY" --seed $SEED >"$T/run4.out" 2>&1 || rc=$?
expect_eq "the twice interrupted day is finished" 0 "$rc"
tail -3 "$T/run4.out" >&2
resumed=$(snapshot)
resumed_claims=$(sed -n 's/^asday: \([0-9]*\) warranty claims\? submitted.*/\1/p' "$T/run4.out")
expect_eq "the resumed day's summary says what the stores hold" "$(submitted_in_store)" "$resumed_claims"
expect_eq "as many claims submitted as in the uninterrupted day" "$whole_claims" "$resumed_claims"
if [ "$whole" = "$resumed" ]; then
    log "ok: KPI report, claims and repair orders equal the uninterrupted day's"
else
    fail "the resumed day differs from the uninterrupted one:"
    diff <(echo "$whole") <(echo "$resumed") | head -40 >&2
fi
# 5. the day is complete now: left alone
"$ASDAY" --config "$CONFIG" --date "$DAY" --seed $SEED >"$T/run5.out" 2>&1 || true
grep -q 'nothing to do' "$T/run5.out" || fail "a finished day was played again: $(tail -1 "$T/run5.out")"
finish
