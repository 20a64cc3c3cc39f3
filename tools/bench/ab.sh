#!/usr/bin/env bash
# ab.sh — an A/B of the bus: alternates `run.sh --only fanout,ceilings --no-peer`
# between two checkouts (each with its own build dir), RUNS times each, and
# prints one line per run and the medians. Ratios to the ceilings measured
# in the same run are what compare on a loaded machine.
#
#   bash tools/bench/ab.sh A_TREE B_TREE [RUNS (5)] [N (200000)] [OUT (/tmp/as-ab)]
#
# A_TREE and B_TREE are checkouts with a build in A_TREE/build (e.g. main in a
# `git worktree add --detach /tmp/base main`, built like this one). Each run's
# JSON reports stay in OUT/<a|b>-<i>.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,12p' "$0" >&2; exit 64; }
trees=("$1" "$2") runs=${3:-5} n=${4:-200000} out=${5:-/tmp/as-ab}
command -v jq >/dev/null || { echo "ab.sh: jq is needed" >&2; exit 69; }
# one run's figures: load, catch-up s and % of the 1-writer LMDB ceiling,
# fan-out events/s and % of the ZeroMQ ceiling, the consumers' largest peak
# RSS and RssAnon (MiB), the catching-up consumer's RssAnon
figures() {
    local o=$1 c
    local rss anon
    rss=$(for c in c1 c2 c3 c4; do jq -r .peak_rss_kb "$o/ours-fanout-$c.json"; done | sort -n | tail -1)
    anon=$(for c in c1 c2 c3 c4; do jq -r '.rss_anon_peak_kb // 0' "$o/ours-fanout-$c.json"; done | sort -n | tail -1)
    jq -rn --slurpfile cu "$o/ours-fanout-catchup.json" --slurpfile l1 "$o/ceil-lmdb1.json" \
        --slurpfile fo "$o/ours-fanout.json" --slurpfile zq "$o/ceil-zmq.json" \
        --arg rss "$rss" --arg anon "$anon" '
        ($cu[0] | (.last_applied_us - .started_us) / 1e6) as $s |
        [$s, ($cu[0].events / $s), (100 * ($cu[0].events / $l1[0].events_per_second) / $s),
         $fo[0].events_per_second, (100 * $fo[0].events_per_second / $zq[0].events_per_second),
         (($rss | tonumber) / 1024), (($anon | tonumber) / 1024),
         (($cu[0].rss_anon_peak_kb // 0) / 1024)] | map(. * 100 | round / 100) | @tsv'
}
mkdir -p "$out"
printf 'side\trun\tload\tcatchup_s\tcatchup_eps\tcatchup_%%_lmdb1\tfanout_eps\tfanout_%%_zmq\trss_mib\tanon_mib\tcatchup_anon_mib\n'
for i in $(seq "$runs"); do
    for k in 0 1; do
        side=$([ $k = 0 ] && echo a || echo b)
        o=$out/$side-$i
        rm -rf "$o" && mkdir -p "$o"
        load=$(cut -d' ' -f1 /proc/loadavg)
        (cd "${trees[$k]}" && AS_BENCH_OUT=$o bash tools/bench/run.sh --only fanout,ceilings \
            --no-peer --n "$n" --build build >/dev/null 2>"$o/run.log") ||
            { echo "ab.sh: run $side-$i failed (see $o/run.log)" >&2; exit 1; }
        printf '%s\t%s\t%s\t%s\n' "$side" "$i" "$load" "$(figures "$o")"
    done
done | tee "$out/runs.tsv"
echo
echo "medians (a = ${trees[0]}, b = ${trees[1]}):"
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for side in a b; do
    line=$side
    for c in $(seq 3 11); do
        line+=$'\t'$(awk -F'\t' -v s=$side -v c=$c '$1 == s { print $c }' "$out/runs.tsv" | median)
    done
    echo "$line"
done
