#!/usr/bin/env bash
# Installs what is needed, builds, and runs the dealership on the default local
# config (deploy/local.ini): asbus, the reception, workshop, parts, kpi,
# warranty and tools daemons, the OEM simulator, the CRM's and the sales DMS's
# ingest gateways (as-ingest --name crm, --name sales) and the gateway for the browser pages (as-web, at
# http://127.0.0.1:8080/ with demo sign-ins it prints). It plays yesterday's day through them (tools/asday: 40 repair
# orders, appointment requests from the CRM, a new car sold with accessories), prints the KPI report, and keeps running until Ctrl-C (or
# --for SECONDS). Watch the events live from another terminal with
#   AS_RUN_DIR=$PWD/run build/tools/asctl/asctl --config deploy/local.ini tap
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

duration=0
seed=1
while [ $# -gt 0 ]; do
    case $1 in
    --for) duration=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --no-install) export AS_NO_INSTALL=1; shift ;;
    -h | --help)
        echo "usage: deploy/run-local.sh [--for SECONDS] [--seed N] [--no-install]"
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
export AS_ACTOR=${AS_ACTOR:-svc-mgr}
# the ipc:// sockets live here: only this user may reach them (the daemons
# refuse a directory that group or others can reach)
mkdir -p "$AS_RUN_DIR"
chmod 700 "$AS_RUN_DIR"
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
for service in reception workshop parts kpi warranty tools; do
    "build/services/$service/as-$service" --config "$AS_CONFIG" >>"$AS_RUN_DIR/$service.log" 2>&1 &
    pids+=($!)
done
build/tools/asoem/asoem --config "$AS_CONFIG" >>"$AS_RUN_DIR/oem.log" 2>&1 &
pids+=($!)
build/services/ingest/as-ingest --name crm --config "$AS_CONFIG" >>"$AS_RUN_DIR/crm.log" 2>&1 &
pids+=($!)
build/services/ingest/as-ingest --name sales --config "$AS_CONFIG" >>"$AS_RUN_DIR/sales.log" 2>&1 &
pids+=($!)
build/services/web/as-web --config "$AS_CONFIG" >>"$AS_RUN_DIR/web.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
    $asctl status >/dev/null 2>&1 && break
    sleep 0.2
done
$asctl status
echo
echo "run-local: logs and stores in $AS_RUN_DIR"
echo "run-local: watch the events live with: AS_RUN_DIR=$AS_RUN_DIR $asctl --config $AS_CONFIG tap"
echo
day=$(date -d yesterday +%Y-%m-%d)
build/tools/asday/asday --config "$AS_CONFIG" --date "$day" --seed "$seed" --new-car
sleep 1 # the last events reach kpi
echo
$asctl kpi report --month "${day:0:7}"
echo
$asctl kpi report --month "${day:0:7}" --by advisor
echo
echo "run-local: warranty claims of the day"
AS_ACTOR=wty-he $asctl call warranty.claim.list || true
echo
# demo sign-ins for the pages, set the way the service manager sets them
demo_signins=(adv-wang:advisor-demo fdm-li:frontdesk-demo foreman-liu:foreman-demo tech-01:2468
    tech-02:1357 qc-ma:qc-demo-pass wh-zhou:parts-demo parts-mgr:partsmgr-demo wty-he:warranty-demo
    tool-xu:toolroom-demo svc-mgr:manager-demo it-guo:it-demo-pass clerk-sun:clerk-demo)
for entry in "${demo_signins[@]}"; do
    AS_ACTOR=svc-mgr $asctl call web.credential.set staff_id="${entry%%:*}" \
        secret="${entry#*:}" >/dev/null
done
listen=$(sed -n 's/^listen = //p' "$AS_CONFIG" | head -1)
echo "run-local: the pages: http://$listen/  (each member lands on the screen of their role)"
echo "run-local: demo sign-ins (staff id / password or PIN):"
for entry in "${demo_signins[@]}"; do echo "    ${entry%%:*} / ${entry#*:}"; done
echo
echo "run-local: the dealership is running; Ctrl-C stops it"
started=$SECONDS
while [ "$duration" -eq 0 ] || [ $((SECONDS - started)) -lt "$duration" ]; do
    sleep 1
done
