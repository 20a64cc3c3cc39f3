#!/usr/bin/env bash
# run.sh BUILD_DIR SECONDS [TARGET...] — runs every fuzz target (or the ones
# named, e.g. fuzz_replay_answer) for SECONDS, starting from its seed corpus
# (tests/fuzz/corpus/<target>, if any). Fails on any finding.
set -euo pipefail
build=$(cd "$1" && pwd)
seconds=$2
shift 2
only=" $* "
here=$(cd "$(dirname "$0")" && pwd)
status=0
for target in "$build"/tests/fuzz/fuzz_*; do
    [ -x "$target" ] || continue
    name=$(basename "$target")
    [ $# -eq 0 ] || [[ $only == *" $name "* ]] || continue
    work=$(mktemp -d)
    seeds=()
    [ -d "$here/corpus/$name" ] && seeds=("$here/corpus/$name")
    echo "fuzz: $name for ${seconds}s"
    if ! (cd "$work" && "$target" -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 \
        "$work" "${seeds[@]}" >"$work/log" 2>&1); then
        echo "fuzz: $name FOUND A PROBLEM:"
        tail -n 60 "$work/log"
        status=1
    else
        grep -E 'stat::number_of_executed_units|Done' "$work/log" | tail -n 2 || true
        rm -rf "$work"
    fi
done
exit $status
