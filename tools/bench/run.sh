#!/usr/bin/env bash
# tools/bench/run.sh [--quick] [--build DIR] — the bus benchmarks.
#
# Each scenario runs real processes on a fresh data dir: asbus, the demo source
# (asdemo) publishing ~200-byte tick events, and asbench, a durable consumer
# that stores every event and its offset with fsync on.
#   group      N events as fast as the source emits them; group commit
#   per-event  the same with one commit (one fsync) per event (max_batch = 1)
#   latency    a fixed 1,000 events/s; publish-to-applied p50/p99/p99.9
# Prints a markdown table; the JSON reports stay in $AS_BENCH_OUT (default
# /tmp/as-bench). --quick runs small N (the smoke test uses it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${AS_BUILD:-$here/../../build}
quick=0
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1; shift ;;
    --build) build=$2; shift 2 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 64 ;;
    esac
done
if [ $quick = 1 ]; then
    n_group=2000 n_single=200 n_latency=1000 latency_rate=1000
else
    n_group=${BENCH_N_GROUP:-300000} n_single=${BENCH_N_SINGLE:-5000}
    n_latency=${BENCH_N_LATENCY:-20000} latency_rate=1000
fi
out=${AS_BENCH_OUT:-/tmp/as-bench}
mkdir -p "$out"
ASBUS=$build/services/bus/asbus
ASDEMO=$build/tools/asdemo/asdemo
ASBENCH=$build/tools/bench/asbench
ASCTL=$build/tools/asctl/asctl
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# scenario NAME N RATE MAX_BATCH
scenario() {
    local name=$1 n=$2 rate=$3 max_batch=$4
    local dir
    dir=$(mktemp -d /tmp/as-bench-run.XXXXXX)
    cat >"$dir/site.ini" <<INI
[site]
name = bench
data_dir = $dir/data
[bus]
xsub = ipc://$dir/bus-in
xpub = ipc://$dir/bus-out
publish = \${bus.xsub}
subscribe = \${bus.xpub}
[demo]
endpoint = ipc://$dir/demo.sock
[bench]
endpoint = ipc://$dir/bench.sock
follows = demo
max_batch = $max_batch
INI
    pids=()
    "$ASBUS" --config "$dir/site.ini" 2>"$dir/bus.log" &
    pids+=($!)
    "$ASDEMO" source --config "$dir/site.ini" 2>"$dir/demo.log" &
    pids+=($!)
    "$ASBENCH" sink --config "$dir/site.ini" --expect "$n" --report "$out/$name.json" 2>"$dir/bench.log" &
    local bench_pid=$!
    for _ in $(seq 50); do
        "$ASCTL" --config "$dir/site.ini" status demo >/dev/null 2>&1 && break
        sleep 0.1
    done
    sleep 0.5 # the consumer's subscription reaches the bus
    AS_ACTOR=bench "$ASCTL" --config "$dir/site.ini" call demo.generate count="$n" rate="$rate" >/dev/null
    if ! wait "$bench_pid"; then
        echo "bench: scenario $name failed; logs in $dir" >&2
        exit 1
    fi
    cleanup
    pids=()
    rm -rf "$dir"
}

scenario group "$n_group" 0 0
scenario per-event "$n_single" 0 1
scenario latency "$n_latency" "$latency_rate" 0

row() {
    jq -r --arg name "$1" --arg what "$2" \
        '"| \($name) | \($what) | \(.events) | \(.events_per_second | floor) | \(.p50_us / 1000) | \(.p99_us / 1000) | \(.p999_us / 1000) | \(.commits) |"' \
        "$out/$1.json"
}
echo "| scenario | what | events | events/s | p50 ms | p99 ms | p99.9 ms | consumer commits |"
echo "|---|---|---|---|---|---|---|---|"
row group "as fast as the source emits, group commit"
row per-event "one commit (fsync) per event"
row latency "fixed ${latency_rate}/s, group commit"
