#!/usr/bin/env bash
# labels: bench
# timeout: 300
# The benchmark script runs to the end with small N and prints every row.
. "$(dirname "$0")/lib.sh"
setup bench_smoke
out=$(AS_BENCH_OUT=$T/bench bash "$(dirname "$0")/../../tools/bench/run.sh" --quick --build "$AS_BUILD")
echo "$out" >&2
expect_eq "rows in the results table" 3 "$(echo "$out" | grep -cE '^\| (group|per-event|latency) ')"
expect_eq "group scenario applied every event" 2000 "$(jq .events "$T/bench/group.json")"
finish
