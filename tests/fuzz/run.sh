#!/usr/bin/env bash
# run.sh BUILD_DIR SECONDS [TARGET...] — runs every fuzz target (or the ones
# named, e.g. fuzz_replay_answer) for SECONDS, starting from its seed corpus
# (tests/fuzz/corpus/<target>, if any). Fails on any finding.
#
# A libFuzzer run uses one core, so as many targets run at once as the
# machine has cores (AS_FUZZ_JOBS to choose): each still gets SECONDS of a
# core to itself. Each target's summary (or its finding) is printed when it
# is done, in the order the targets were started.
set -euo pipefail
build=$(cd "$1" && pwd)
seconds=$2
shift 2
only=" $* "
here=$(cd "$(dirname "$0")" && pwd)
jobs=${AS_FUZZ_JOBS:-$(nproc)}

# fuzz_one TARGET WORKDIR: runs TARGET for SECONDS in WORKDIR (its log there)
fuzz_one() {
    local target=$1 work=$2 name seeds=()
    name=$(basename "$target")
    [ -d "$here/corpus/$name" ] && seeds=("$here/corpus/$name")
    (cd "$work" && "$target" -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 \
        "$work" "${seeds[@]}" >"$work/log" 2>&1)
}

# report TARGET WORKDIR STATUS: prints the outcome; 1 on a finding
report() {
    local name
    name=$(basename "$1")
    if [ "$3" -ne 0 ]; then
        echo "fuzz: $name FOUND A PROBLEM:"
        tail -n 60 "$2/log"
        return 1
    fi
    echo "fuzz: $name for ${seconds}s"
    grep -E 'stat::number_of_executed_units|Done' "$2/log" | tail -n 2 || true
    rm -rf "$2"
}

targets=()
for target in "$build"/tests/fuzz/fuzz_*; do
    [ -x "$target" ] || continue
    [ $# -eq 0 ] || [[ $only == *" $(basename "$target") "* ]] || continue
    targets+=("$target")
done

status=0
for ((first = 0; first < ${#targets[@]}; first += jobs)); do
    pids=() works=()
    for target in "${targets[@]:first:jobs}"; do
        work=$(mktemp -d)
        fuzz_one "$target" "$work" &
        pids+=($!) works+=("$work")
    done
    for i in "${!pids[@]}"; do
        rc=0
        wait "${pids[$i]}" || rc=$?
        report "${targets[$((first + i))]}" "${works[$i]}" "$rc" || status=1
    done
done
exit $status
