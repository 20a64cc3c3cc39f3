#!/usr/bin/env bash
# Installs what is needed, builds, and runs the system on the default local
# config (deploy/local.ini): asbus, the demo source and the demo sink. Events
# flow until Ctrl-C (or --for SECONDS); watch them with
#   build/tools/asctl/asctl --config deploy/local.ini tap
# in another terminal (AS_RUN_DIR must match: it defaults to ./run).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

duration=0
rate=20
while [ $# -gt 0 ]; do
    case $1 in
    --for) duration=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --no-install) export AS_NO_INSTALL=1; shift ;;
    -h | --help)
        echo "usage: deploy/run-local.sh [--for SECONDS] [--rate EVENTS_PER_SECOND] [--no-install]"
        exit 0 ;;
    *) echo "run-local: unknown option $1" >&2; exit 64 ;;
    esac
done

if [ "${AS_NO_INSTALL:-0}" != 1 ]; then
    bash deploy/install-deps.sh
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

export AS_RUN_DIR=${AS_RUN_DIR:-$repo/run}
export AS_CONFIG=$repo/deploy/local.ini
export AS_ACTOR=${AS_ACTOR:-demo-operator}
mkdir -p "$AS_RUN_DIR"
asctl=build/tools/asctl/asctl
pids=()

stop_all() {
    echo "run-local: stopping"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait || true
}
trap stop_all EXIT
trap 'exit 0' INT TERM

build/services/bus/asbus --config "$AS_CONFIG" >>"$AS_RUN_DIR/bus.log" 2>&1 &
pids+=($!)
build/tools/asdemo/asdemo source --config "$AS_CONFIG" >>"$AS_RUN_DIR/demo.log" 2>&1 &
pids+=($!)
build/tools/asdemo/asdemo sink --config "$AS_CONFIG" >>"$AS_RUN_DIR/sink.log" 2>&1 &
pids+=($!)

for _ in $(seq 50); do
    $asctl status >/dev/null 2>&1 && break
    sleep 0.2
done
$asctl call demo.generate count=100000000 rate="$rate" >/dev/null
echo "run-local: running; logs and stores in $AS_RUN_DIR"
echo "run-local: watch live events with: AS_RUN_DIR=$AS_RUN_DIR $asctl --config $AS_CONFIG tap"
started=$SECONDS
while :; do
    sleep 5
    echo
    $asctl status || true
    if [ "$duration" -gt 0 ] && [ $((SECONDS - started)) -ge "$duration" ]; then
        break
    fi
done
