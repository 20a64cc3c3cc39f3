#!/usr/bin/env bash
# labels: dealership
# timeout: 300
# The README's day: asday plays 40 repair orders through the real daemons on
# the default staff list; the KPI report shows them all handed over. Playing
# the same day again is answered from the stored replies and changes nothing.
. "$(dirname "$0")/lib.sh"
setup asday
repo=$(cd "$(dirname "$0")/../.." && pwd)
# the default site's config, in this test's own directory
export AS_RUN_DIR=$T
cp "$repo/deploy/local.ini" "$CONFIG"
start_bus bus
for s in reception workshop parts kpi; do start_service "$s"; done

DAY=$(date -d yesterday +%F)
out=$("$AS_BUILD/tools/asday/asday" --config "$CONFIG" --date "$DAY" --seed 7)
echo "$out" | tail -3 >&2
expect_eq "repair orders delivered by asday" 40 "$(echo "$out" | grep -c ' delivered ')"

report() { "$ASCTL" --config "$CONFIG" --actor svc-mgr kpi report --month "${DAY:0:7}" --json; }
handed_over() {
    report | jq -r '.rows[] | select(.key=="department") | .figures[] |
        select(.name=="vehicles handed over") | .value'
}
all_counted() { [ "$(handed_over)" = 40 ]; }
wait_for "kpi counted 40 vehicles handed over" all_counted
before=$(report)
expect_eq "comebacks counted" 2 "$(echo "$before" | jq -r '.rows[0].counters.comebacks')"
expect_eq "QC failures counted" 4 "$(echo "$before" | jq -r '.rows[0].counters.qc_failures')"

# the same day again: every command answered from its stored reply
"$AS_BUILD/tools/asday/asday" --config "$CONFIG" --date "$DAY" --seed 7 >/dev/null
sleep 1
expect_eq "the report is unchanged by playing the day twice" "$before" "$(report)"
finish
