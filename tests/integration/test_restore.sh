#!/usr/bin/env bash
# labels: fault
# timeout: 300
# A source's disk is lost and its store restored from last night's backup
# (`asctl restore`: a new incarnation that continues the backup's history).
# - A consumer that was down and had applied no more than the backup holds
#   follows the restored source by itself, and its counts come out exact.
# - A consumer that had applied events the backup does not hold refuses the
#   source as DIVERGED (never mixing two histories), shows where they part,
#   and follows the new history once someone with the it_admin role accepts
#   it (`asctl source accept`); what it had applied past the fork is recorded.
. "$(dirname "$0")/lib.sh"
setup restore

cat >>"$CONFIG" <<INI

[staff]
it-guo = it_admin
sm-zhang = service_manager
INI
# a second sink: its own site name, store and endpoint, on the same bus; it
# follows the first site's demo by its full name
CONFIG2=$T/site2.ini
sed -e 's/^name = test/name = test2/' -e "s|^data_dir = .*|data_dir = $T/data2|" \
    -e "s|sink.sock|sink2.sock|" -e 's/^services = .*/services = sink/' \
    -e 's/^follows = demo$/follows = demo@test/' "$CONFIG" >"$CONFIG2"

ctl2() { AS_CONFIG=$CONFIG2 "$ASCTL" --json --config "$CONFIG2" "$@"; }
start_sink2() {
    "$ASDEMO" sink --config "$CONFIG2" >>"$T/sink2.log" 2>&1 &
    PIDS[sink2]=$!
    wait_for "sink2 answers status" bash -c "AS_CONFIG=$CONFIG2 $ASCTL --config $CONFIG2 status sink >/dev/null 2>&1"
}
emitted() { ctl call demo.state | json .reply.emitted; }
emitted_is() { [ "$(emitted 2>/dev/null)" = "$1" ]; }
generate() { # generate N: N more ticks, waited for
    local before
    before=$(emitted)
    ctl call demo.generate count="$1" >/dev/null
    wait_for "source emitted $((before + $1))" emitted_is $((before + $1))
}
sink2_count_is() { [ "$(ctl2 call sink.totals | json .reply.count 2>/dev/null)" = "$1" ]; }
offset() { # offset CTL FIELD: the sink's offset record of the demo source
    "$1" status sink | json ".services[0].offsets[] | select(.source==\"demo@test\") | .$2"
}
diverged() { [ "$(offset ctl diverged 2>/dev/null)" = true ]; }
sum_to() { echo $(($1 * ($1 + 1) / 2)); }

start_bus bus
start_daemon source
start_daemon sink
start_sink2

log "--- 100 events reach both sinks; the backup holds them; sink2 goes down"
generate 100
wait_for "sink has 100" sink_count_is 100
wait_for "sink2 has 100" sink2_count_is 100
stop sink2
mkdir -p "$T/backup"
"$ASCTL" --config "$CONFIG" backup demo --to "$T/backup" >/dev/null
OLD_INCARNATION=$(ctl status demo | json '.services[0].incarnation')

log "--- 50 more reach the running sink, then the source's disk is lost"
generate 50
wait_for "sink has 150" sink_count_is 150
stop source
mv "$T/data/demo" "$T/demo-lost-disk"
"$ASCTL" --config "$CONFIG" restore demo --from "$T/backup" >/dev/null
start_daemon source
NEW_INCARNATION=$(ctl status demo | json '.services[0].incarnation')
[ "$NEW_INCARNATION" != "$OLD_INCARNATION" ] || fail "the restored store kept its incarnation"
expect_eq "the restored source holds the backup's 100" "100 100" \
    "$(ctl status demo | json '.services[0].last_seq') $(emitted)"

log "--- the restored source goes on: ticks 101..130 of its new history"
generate 30

log "--- the running sink applied 101..150 of the old history: DIVERGED"
wait_for "sink refuses the source" diverged
expect_eq "where the histories part" "$NEW_INCARNATION 100 150" \
    "$(offset ctl fork_incarnation) $(offset ctl fork_seq) $(offset ctl applied_seq)"
human=$("$ASCTL" --config "$CONFIG" status sink)
echo "$human" | grep -qF "DIVERGED: its store was restored or replaced (incarnation $NEW_INCARNATION)" ||
    fail "status does not say DIVERGED: $human"
echo "$human" | grep -qF "asctl source accept sink demo@test" || fail "status does not say what to do"
expect_eq "nothing of the new history applied" "150 $(sum_to 150)" \
    "$(sink_totals .reply.count) $(sink_totals .reply.sum)"

log "--- sink2 was down at seq 100: it follows the restored source by itself"
start_sink2
wait_for "sink2 has 130" sink2_count_is 130
expect_eq "sink2: ticks 1..130 exactly once, in order" "130 $(sum_to 130) 0 130" \
    "$(ctl2 call sink.totals | json '"\(.reply.count) \(.reply.sum) \(.reply.out_of_order) \(.reply.last_number)"')"
expect_eq "sink2 follows the new incarnation" "$NEW_INCARNATION 130 false" \
    "$(offset ctl2 incarnation) $(offset ctl2 applied_seq) $(offset ctl2 diverged)"

log "--- accepting the new history: refused without the role or for another incarnation"
rc=0
out=$("$ASCTL" --config "$CONFIG" --actor sm-zhang source accept sink demo@test 2>&1) || rc=$?
expect_eq "a service manager may not" 1 "$rc"
echo "$out" | grep -qF "'sm-zhang' is not an it_admin" || fail "the refusal does not say why: $out"
rc=0
out=$("$ASCTL" --config "$CONFIG" --actor it-guo source accept sink demo@test \
    --incarnation "$OLD_INCARNATION" 2>&1) || rc=$?
expect_eq "another incarnation is refused" 1 "$rc"
echo "$out" | grep -qF "diverged to incarnation $NEW_INCARNATION, not '$OLD_INCARNATION'" ||
    fail "the refusal does not name the incarnations: $out"
rc=0
"$ASCTL" --config "$CONFIG" --actor it-guo source accept sink nobody@test >/dev/null 2>&1 || rc=$?
expect_eq "an unknown source is refused" 1 "$rc"
expect_eq "still diverged after the refusals" "true 150" "$(offset ctl diverged) $(offset ctl applied_seq)"

log "--- accepted: the sink follows 101..130 of the new history"
out=$("$ASCTL" --config "$CONFIG" --actor it-guo source accept sink demo@test)
echo "$out" | grep -qF "sink now follows demo@test in incarnation $NEW_INCARNATION from seq 101." ||
    fail "accept says: $out"
echo "$out" | grep -qF "Seq 101..150 of incarnation $OLD_INCARNATION were applied by sink" ||
    fail "accept does not name what the source lost: $out"
wait_for "sink has 180" sink_count_is 180
# the old 1..150 stay applied; the new 101..130 come after them (tick 101
# after tick 150: one out-of-order number, which is what the sink counts)
expect_eq "sink: old 1..150 and new 101..130" "180 $(($(sum_to 150) + $(sum_to 130) - $(sum_to 100))) 1" \
    "$(sink_totals .reply.count) $(sink_totals .reply.sum) $(sink_totals .reply.out_of_order)"
expect_eq "the record of what was accepted" "$NEW_INCARNATION 130 101 150 $OLD_INCARNATION it-guo false" \
    "$(offset ctl incarnation) $(offset ctl applied_seq) $(offset ctl orphaned_from_seq) $(offset ctl orphaned_to_seq) $(offset ctl previous_incarnation) $(offset ctl accepted_by) $(offset ctl diverged)"
rc=0
"$ASCTL" --config "$CONFIG" --actor it-guo source accept sink demo@test >/dev/null 2>&1 || rc=$?
expect_eq "accepting twice: nothing to accept" 1 "$rc"

log "--- both follow live, and a restart keeps the record"
generate 5
wait_for "sink has 185" sink_count_is 185
wait_for "sink2 has 135" sink2_count_is 135
stop sink
start_daemon sink
expect_eq "after a restart" "135 101 150 false" \
    "$(offset ctl applied_seq) $(offset ctl orphaned_from_seq) $(offset ctl orphaned_to_seq) $(offset ctl diverged)"
"$ASCTL" --config "$CONFIG" status sink | grep -qF "accepted a restored history: seq 101..150 of $OLD_INCARNATION" ||
    fail "status does not show the accepted history"
expect_eq "no event refused or lost on the way" "185 135" \
    "$(sink_totals .reply.count) $(ctl2 call sink.totals | json .reply.count)"
stop sink2
finish
