#!/usr/bin/env bash
# tools/bench/run.sh [--quick] [--build DIR] [--n N] [--only LIST] [--no-peer|--no-ours]
# Every benchmark.
#
# One command, one machine, one go. Each run uses fresh data dirs under
# $AS_BENCH_OUT (default /tmp/as-bench) and real processes; every store
# fsyncs every commit (no MDB_NOSYNC anywhere).
#
#   single    our bus into one durable consumer (asdemo source -> asbus -> asbench):
#             group commit; one commit per event; latency at a fixed 1,000/s
#   fanout    N events (default 1,000,000; ~200-byte reception.ro.opened) from an
#             external publisher to 4 durable consumers: events/s until all four
#             applied N, peak RSS of every process; then catch-up: a fifth
#             consumer, offline while the N events passed, is started: seconds
#             until it is current. Ours: asbench source -> asbus -> 4 asbench sink.
#             Peer: jsbench pub -> nats-server (JetStream, file storage) -> 4 jsbench sink.
#   latency   publish to applied-by-all p50/p99/p99.9 at a fixed 1,000/s and 10,000/s
#             (BENCH_LATENCY_SECONDS each, default 10), ours and the peer
#   ceilings  raw ZeroMQ PUB -> asbus -> 4 SUB (no storage); raw LMDB batched puts
#             with fsync (4 writers like 4 consumers, and 1); one fsync'd commit at a time
#   web       the gateway as-web in front of the dealership (deploy/local.ini: bus, six
#             services, as-web): 50 signed-in browser sessions (webbench) for
#             BENCH_WEB_SECONDS (default 20) in a closed loop of a day's mix; pages/s,
#             API calls/s, p50/p99 of each action's round trip, and the time from an
#             RO opened to its event on another session's open stream, under the load
#             and alone. BENCH_WEB_BIN: another as-web binary (an A/B run);
#             BENCH_WEB_INFLIGHT: its [web] inflight_per_service (default: not set)
#   daemons   the real daemons (asbus, reception, workshop, parts, kpi; fsync'd stores):
#             commands/s, p50/p99/p99.9 round trip, errors, CPU per command and commands
#             per commit of reception.ro.open, workshop.clock.on/off and parts.issue from
#             1, 8 and 32 clients (daemonbench), each BENCH_DAEMONS_SECONDS (default 5;
#             --quick: 1 s, 1 and 8 clients); beside them the runtime's status answer and
#             a query (reception.ro.show)
#   sites     a dealer group on one bus: 1, 5, 10 and 20 sites (BENCH_SITES), each an
#             asbench source of its own site at BENCH_SITES_RATE events/s (default 50)
#             and BENCH_SITES_CONSUMERS consumers (default 1) following it, for
#             BENCH_SITES_SECONDS (default 20); CPU of the forwarder and of each
#             consumer per event; then a chain of BENCH_SITES_CHAIN (default 20, 0:
#             none) site buses forwarding up to one group bus and one group consumer
#   kpiyear   a dealer group's year rebuilt by kpi: yeargen writes the outboxes of
#             20 sites' reception, workshop and parts (BENCH_KPIYEAR_SITES) x
#             BENCH_KPIYEAR_DAYS working days (default 60; 250 is the whole year)
#             x 40 ROs a day (BENCH_KPIYEAR_ROS), ~25 events an RO, cached in
#             $AS_BENCH_OUT/kpiyear-cache; the real daemons serve them and an empty
#             kpi (the group kpi when the build has [kpi] sites, else one site
#             kpi per site in turn) catches up: seconds, events/s, its CPU and
#             peak RSS, the one-writer LMDB ceiling; then kpi.report round trips
#             (month and year, by department and by technician), p50/p99
#
# The peers of fanout and latency, each started by this script on loopback with
# its own data dir and stopped after: jetstream (nats-server 2.9, file storage),
# redis-always and redis-everysec (redis-server, Redis Streams, AOF with
# appendfsync always / everysec; redisbench), rabbitmq (rabbitmq-server, a quorum
# queue per consumer, publisher confirms; rmqbench). "redis" names both Redis rows.
#
# --only takes a comma list of those names, parts and peers (default: every part,
# every peer): "--only fanout,redis" runs ours and both Redis rows in fanout.
# --no-peer skips every peer (a peer whose server is not installed, or does not
# start, is skipped too, and said so); --no-ours skips ours (to try the peers'
# knobs: BENCH_JS_BATCH, BENCH_JS_MAX_PENDING, BENCH_PEER_BATCH, BENCH_PEER_MAX_PENDING).
# BENCH_N_RABBITMQ: N of RabbitMQ's fan-out and catch-up (default N / 5, --quick: N).
# BENCH_RABBITMQ_SERVER: the node's start script (default Debian's
# /usr/lib/rabbitmq/bin/rabbitmq-server).
# BENCH_KEEP=1 keeps the data dirs of every run.
# Prints the results as markdown (also in $AS_BENCH_OUT/results.md); the JSON
# reports stay in $AS_BENCH_OUT. --quick runs small N (the smoke test).
# Exit codes: 0 done, 1 a benchmark failed (its logs are kept and named), 64 usage.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${AS_BUILD:-$here/../../build}
command_line="bash tools/bench/run.sh $*"
quick=0 only=single,fanout,latency,ceilings,web,daemons,sites,kpiyear peer=1 ours=1 n=
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1; shift ;;
    --build) build=$2; shift 2 ;;
    --n) n=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --no-peer) peer=0; shift ;;
    --no-ours) ours=0; shift ;;
    -h | --help) sed -n '2,61p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
    esac
done
if [ $quick = 1 ]; then
    n_group=2000 n_single=100 n_latency=300 latency_seconds=0.3
    n=${n:-2000} n_fsync=50
    kpiyear_sites=2 kpiyear_days=3 kpiyear_ros=40 kpiyear_reps=10
    web_sessions=10 web_seconds=2 web_idle=3
    daemons_clients=1,8 daemons_seconds=1 daemons_vehicles=256
    sites_counts="1 2" sites_seconds=2 sites_chain=2
else
    web_sessions=${BENCH_WEB_SESSIONS:-50} web_seconds=${BENCH_WEB_SECONDS:-20} web_idle=20
    daemons_clients=1,8,32 daemons_seconds=${BENCH_DAEMONS_SECONDS:-5} daemons_vehicles=2048
    n_group=${BENCH_N_GROUP:-300000} n_single=${BENCH_N_SINGLE:-5000}
    n_latency=${BENCH_N_LATENCY:-20000} latency_seconds=${BENCH_LATENCY_SECONDS:-10}
    n=${n:-1000000} n_fsync=2000
    sites_counts=${BENCH_SITES:-1 5 10 20} sites_seconds=${BENCH_SITES_SECONDS:-20}
    sites_chain=${BENCH_SITES_CHAIN:-20}
    kpiyear_sites=${BENCH_KPIYEAR_SITES:-20} kpiyear_days=${BENCH_KPIYEAR_DAYS:-60}
    kpiyear_ros=${BENCH_KPIYEAR_ROS:-40} kpiyear_reps=100
fi
# sites: 50 events/s per site (see README.md, "sites"), one consumer per site
sites_rate=${BENCH_SITES_RATE:-50} sites_consumers=${BENCH_SITES_CONSUMERS:-1}
case $n in '' | *[!0-9]*) echo "run.sh: --n needs a number" >&2; exit 64 ;; esac
parts= peers=
for part in ${only//,/ }; do
    case $part in
    single | fanout | latency | ceilings | web | daemons | sites | kpiyear) parts+=,$part ;;
    jetstream | redis-always | redis-everysec | rabbitmq) peers+=,$part ;;
    redis) peers+=,redis-always,redis-everysec ;;
    *) echo "run.sh: --only takes single, fanout, latency, ceilings, web, daemons, sites, kpiyear, jetstream, redis, redis-always, redis-everysec, rabbitmq (not '$part')" >&2; exit 64 ;;
    esac
done
only=${parts:-,single,fanout,latency,ceilings,web,daemons,sites,kpiyear} peers=${peers:-,jetstream,redis-always,redis-everysec,rabbitmq}
only=${only#,} peers=${peers#,}
# the peer's knobs (tools/bench/RESULTS.md says how they were chosen)
js_batch=${BENCH_JS_BATCH:-5000} js_max_pending=${BENCH_JS_MAX_PENDING:-20000}
# the durable peers' (Redis, RabbitMQ): the same batch and window as JetStream's
peer_batch=${BENCH_PEER_BATCH:-5000} peer_max_pending=${BENCH_PEER_MAX_PENDING:-20000}
# RabbitMQ's quorum queues confirm ~5-6k events/s here (4-6 times fewer than the
# others): the full run gives them N / 5 so that the run stays under 10 minutes
n_rmq=${BENCH_N_RABBITMQ:-$((quick ? n : n / 5))}
# a stuck run must not hang the script: generous limits, scaled by N
limit=$(((quick ? 60 : 120) + n / 2000))
out=${AS_BENCH_OUT:-/tmp/as-bench}
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.lat
ASBUS=$build/services/bus/asbus
ASDEMO=$build/tools/asdemo/asdemo
ASCTL=$build/tools/asctl/asctl
ASBENCH=$build/tools/bench/asbench
JSBENCH=$build/tools/bench/jsbench
REDISBENCH=$build/tools/bench/redisbench
RMQBENCH=$build/tools/bench/rmqbench
CEILBENCH=$build/tools/bench/ceilbench
WEBBENCH=$build/tools/bench/webbench
DAEMONBENCH=$build/tools/bench/daemonbench
ASWEB=${BENCH_WEB_BIN:-$build/services/web/as-web}
YEARGEN=$build/tools/bench/yeargen
KPIBENCH=$build/tools/bench/kpibench
for prog in "$ASBUS" "$ASDEMO" "$ASCTL" "$ASBENCH" "$JSBENCH" "$REDISBENCH" "$RMQBENCH" "$CEILBENCH" \
    "$WEBBENCH" "$ASWEB" "$DAEMONBENCH" "$YEARGEN" "$KPIBENCH"; do
    [ -x "$prog" ] || { echo "run.sh: $prog is not built (see --build)" >&2; exit 64; }
done
[ $peer = 1 ] || peers=
# wants_peer NAME: the peer runs (asked for, and not --no-peer)
wants_peer() { case ",$peers," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
drop_peer() { # drop_peer NAME REASON: the peer is skipped, and why
    echo "run.sh: $2: the $1 runs are skipped" >&2
    peers=$(echo ",$peers," | sed "s/,$1,/,/; s/^,//; s/,$//")
    skipped+="- $1 skipped: $2"$'\n'
}
skipped= daemons_failed=
if wants_peer jetstream && ! command -v nats-server >/dev/null; then
    drop_peer jetstream "nats-server is not installed (deploy/install-deps.sh installs it)"
fi
for p in redis-always redis-everysec; do
    if wants_peer $p && ! command -v redis-server >/dev/null; then
        drop_peer $p "redis-server is not installed (deploy/install-deps.sh installs it)"
    fi
done
# the node itself, not /usr/sbin/rabbitmq-server (a wrapper that switches to the rabbitmq user)
rmq_server=${BENCH_RABBITMQ_SERVER:-/usr/lib/rabbitmq/bin/rabbitmq-server}
if wants_peer rabbitmq && ! [ -x "$rmq_server" ]; then
    drop_peer rabbitmq "rabbitmq-server is not installed (deploy/install-deps.sh installs it)"
fi
wants_peer jetstream || peer=0
wants() { case ",$only," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
note() { echo "[$(date +%H:%M:%S)] bench: $*" >&2; }

pids=()
cleanup() { # the run's processes (not the RabbitMQ node, which rmq_down stops)
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    pids=()
}
trap 'cleanup; rmq_down' EXIT
die() { # die MESSAGE DIR: a run failed; its logs stay
    echo "bench: $1; logs in $2" >&2
    for f in "$2"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 15 "$f"; } >&2; done
    exit 1
}
peak_rss_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
rss_file_kb() { awk '/^RssFile:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# cpu_ms PID: user + system CPU time the process used so far
cpu_ms() {
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000 / hz }' "/proc/$1/stat" \
        2>/dev/null || echo 0
}
# wait_ready DIR TRIES: for each of the 4 sinks' ready files, 50 ms × TRIES at most
wait_ready() {
    local c
    for c in c1 c2 c3 c4; do
        for _ in $(seq "$2"); do
            [ -f "$1/$c.ready" ] && break
            sleep 0.05
        done
    done
}
# wait_pids DIR PID...: waits for each; fails the run when one did not exit 0
wait_pids() {
    local dir=$1 rc=0
    shift
    for p in "$@"; do wait "$p" || rc=$?; done
    [ $rc = 0 ] || die "a consumer exited $rc" "$dir"
}

# --- single: our bus into one durable consumer (the group-commit figures) -------

# single_scenario NAME N RATE MAX_BATCH
single_scenario() {
    local name=$1 count=$2 rate=$3 max_batch=$4 dir
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
[staff]
INI
    "$ASBUS" --config "$dir/site.ini" 2>"$dir/bus.log" &
    pids+=($!)
    "$ASDEMO" source --config "$dir/site.ini" 2>"$dir/demo.log" &
    pids+=($!)
    timeout "$limit" "$ASBENCH" sink --config "$dir/site.ini" --expect "$count" \
        --report "$out/$name.json" 2>"$dir/bench.log" &
    local bench_pid=$!
    for _ in $(seq 50); do
        "$ASCTL" --config "$dir/site.ini" status demo >/dev/null 2>&1 && break
        sleep 0.1
    done
    sleep 0.5 # the consumer's subscription reaches the bus
    AS_ACTOR=bench "$ASCTL" --config "$dir/site.ini" call demo.generate count="$count" \
        rate="$rate" >/dev/null
    wait_pids "$dir" "$bench_pid"
    cleanup
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$dir"
}

# --- ours: asbench source -> asbus -> asbench sinks -----------------------------

# ours_run NAME N RATE CATCHUP(0|1)
ours_run() {
    local name=$1 count=$2 rate=$3 catchup=$4 dir c sinks=()
    dir=$(mktemp -d /tmp/as-bench-ours.XXXXXX)
    {
        cat <<INI
[site]
name = bench
data_dir = $dir/data
; the asbench sinks, each a section of its own
services = c1, c2, c3, c4, c5
[bus]
xsub = ipc://$dir/bus-in
xpub = ipc://$dir/bus-out
publish = \${bus.xsub}
subscribe = \${bus.xpub}
[staff]
[reception]
endpoint = ipc://$dir/reception.sock
INI
        for c in c1 c2 c3 c4 c5; do
            printf '[%s]\nendpoint = ipc://%s/%s.sock\nfollows = reception\n' "$c" "$dir" "$c"
        done
    } >"$dir/site.ini"
    note "ours $name: $count events at ${rate:-0}/s to 4 consumers"
    "$ASBUS" --config "$dir/site.ini" 2>"$dir/bus.log" &
    local bus_pid=$!
    pids+=("$bus_pid")
    for c in c1 c2 c3 c4; do
        timeout "$limit" "$ASBENCH" sink --config "$dir/site.ini" --name "$c" --expect "$count" \
            --report "$out/$name-$c.json" --samples "$out/$name-$c.lat" 2>"$dir/$c.log" &
        sinks+=($!)
        pids+=($!)
    done
    for c in c1 c2 c3 c4; do # bound: its loop runs, its subscription is on its way
        for _ in $(seq 200); do
            [ -S "$dir/$c.sock" ] && break
            sleep 0.05
        done
    done
    "$ASBENCH" source --config "$dir/site.ini" --count "$count" --rate "$rate" \
        --report "$out/$name-source.json" 2>"$dir/source.log" &
    local source_pid=$!
    pids+=("$source_pid")
    wait_pids "$dir" "${sinks[@]}"
    # the bus and the publisher as the last event is applied (before any catch-up)
    printf '{"bus_peak_rss_kb": %s, "bus_rss_file_kb": %s, "bus_cpu_ms": %s,
 "source_peak_rss_kb": %s, "source_rss_file_kb": %s, "source_cpu_ms": %s}\n' \
        "$(peak_rss_kb "$bus_pid")" "$(rss_file_kb "$bus_pid")" "$(cpu_ms "$bus_pid")" \
        "$(peak_rss_kb "$source_pid")" "$(rss_file_kb "$source_pid")" "$(cpu_ms "$source_pid")" \
        >"$out/$name-bus.json"
    "$ASBENCH" merge --out "$out/$name.json" "$out/$name"-c{1,2,3,4} ||
        die "ours $name: merge found events some consumer never applied" "$dir"
    if [ "$catchup" = 1 ]; then
        note "ours $name: catch-up of a consumer that was offline for $count events"
        timeout "$limit" "$ASBENCH" sink --config "$dir/site.ini" --name c5 --expect "$count" \
            --report "$out/$name-catchup.json" 2>"$dir/c5.log" &
        wait_pids "$dir" $!
    fi
    cleanup
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$dir"
}

# --- the peer: jsbench pub -> nats-server (JetStream) -> jsbench sinks ------------

# peer_run NAME N RATE CATCHUP(0|1)
peer_run() {
    local name=$1 count=$2 rate=$3 catchup=$4 dir c url port sinks=()
    dir=$(mktemp -d /tmp/as-bench-peer.XXXXXX)
    # Debian's nats-server 2.9 has no sync_interval option: file storage is
    # fsynced every 2 minutes (see RESULTS.md), whatever this file says.
    cat >"$dir/nats.conf" <<CONF
listen: 127.0.0.1:-1
jetstream {
  store_dir: "$dir/js"
  max_memory_store: 268435456
}
CONF
    note "peer $name: $count events at ${rate:-0}/s to 4 consumers"
    nats-server -c "$dir/nats.conf" -l "$dir/nats.log" &
    local server_pid=$!
    pids+=("$server_pid")
    port=
    for _ in $(seq 100); do
        port=$(grep -o 'client connections on 127.0.0.1:[0-9]*' "$dir/nats.log" 2>/dev/null |
            sed 's/.*://' || true)
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || die "nats-server did not start" "$dir"
    url=nats://127.0.0.1:$port
    "$JSBENCH" setup --url "$url" --consumers c1,c2,c3,c4,c5 2>"$dir/setup.log" ||
        die "jsbench setup failed" "$dir"
    for c in c1 c2 c3 c4; do
        timeout "$limit" "$JSBENCH" sink --url "$url" --durable "$c" --data "$dir/$c" \
            --expect "$count" --report "$out/$name-$c.json" --samples "$out/$name-$c.lat" \
            --batch "$js_batch" --ready "$dir/$c.ready" 2>"$dir/$c.log" &
        sinks+=($!)
        pids+=($!)
    done
    wait_ready "$dir" 100
    timeout "$limit" "$JSBENCH" pub --url "$url" --count "$count" --rate "$rate" \
        --max-pending "$js_max_pending" \
        --report "$out/$name-pub.json" 2>"$dir/pub.log" || die "jsbench pub failed" "$dir"
    wait_pids "$dir" "${sinks[@]}"
    printf '{"server_peak_rss_kb": %s, "server_rss_file_kb": %s, "server_cpu_ms": %s}\n' \
        "$(peak_rss_kb "$server_pid")" "$(rss_file_kb "$server_pid")" "$(cpu_ms "$server_pid")" \
        >"$out/$name-server.json"
    "$ASBENCH" merge --out "$out/$name.json" "$out/$name"-c{1,2,3,4} ||
        die "peer $name: merge found events some consumer never applied" "$dir"
    if [ "$catchup" = 1 ]; then
        note "peer $name: catch-up of a consumer that was offline for $count events"
        timeout "$limit" "$JSBENCH" sink --url "$url" --durable c5 --data "$dir/c5" \
            --expect "$count" --batch "$js_batch" --report "$out/$name-catchup.json" \
            2>"$dir/c5.log" &
        wait_pids "$dir" $!
    fi
    cleanup
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$dir"
}

# --- the durable peers: Redis Streams (AOF) and RabbitMQ (quorum queues) ------------

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# durable_work NAME N RATE CATCHUP DIR SERVER_PID PROG NAME_FLAG CONNECT...: the
# fan-out (and catch-up) of a durable peer whose server listens: 4 sinks of
# PROG, its publisher, the check that all 4 applied every event, then the fifth
# consumer (its queue/group filled while it was offline) catches up.
durable_work() {
    local name=$1 count=$2 rate=$3 catchup=$4 dir=$5 server_pid=$6 prog=$7 flag=$8 c cpu0 sinks=()
    shift 8
    "$prog" setup "$@" --consumers c1,c2,c3,c4,c5 2>"$dir/setup.log" || die "$name: setup failed" "$dir"
    cpu0=$(cpu_ms "$server_pid")
    for c in c1 c2 c3 c4; do
        timeout "$limit" "$prog" sink "$@" "$flag" "$c" --data "$dir/$c" --expect "$count" \
            --report "$out/$name-$c.json" --samples "$out/$name-$c.lat" --batch "$peer_batch" \
            --ready "$dir/$c.ready" 2>"$dir/$c.log" &
        sinks+=($!)
        pids+=($!)
    done
    wait_ready "$dir" 200
    timeout "$limit" "$prog" pub "$@" --count "$count" --rate "$rate" \
        --max-pending "$peer_max_pending" --report "$out/$name-pub.json" 2>"$dir/pub.log" ||
        die "$name: pub failed" "$dir"
    wait_pids "$dir" "${sinks[@]}"
    printf '{"server_peak_rss_kb": %s, "server_rss_file_kb": %s, "server_cpu_ms": %s}\n' \
        "$(peak_rss_kb "$server_pid")" "$(rss_file_kb "$server_pid")" \
        "$(($(cpu_ms "$server_pid") - cpu0))" >"$out/$name-server.json"
    "$ASBENCH" merge --out "$out/$name.json" "$out/$name"-c{1,2,3,4} ||
        die "$name: merge found events some consumer never applied" "$dir"
    if [ "$catchup" = 1 ]; then
        note "$name: catch-up of a consumer that was offline for $count events"
        timeout "$limit" "$prog" sink "$@" "$flag" c5 --data "$dir/c5" --expect "$count" \
            --batch "$peer_batch" --report "$out/$name-catchup.json" 2>"$dir/c5.log" &
        wait_pids "$dir" $!
    fi
}

# redis_run NAME N RATE CATCHUP(0|1) FSYNC(always|everysec): redis-server on a
# free loopback port with its own dir (AOF on, no RDB snapshots), then stopped
redis_run() {
    local name=$1 count=$2 rate=$3 catchup=$4 fsync=$5 dir port server_pid
    dir=$(mktemp -d /tmp/as-bench-redis.XXXXXX)
    port=$(free_port)
    note "$name: $count events at ${rate:-0}/s to 4 consumers (Redis Streams, appendfsync $fsync)"
    redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --appendonly yes \
        --appendfsync "$fsync" --save '' --daemonize no --logfile "$dir/redis.log" &
    server_pid=$!
    pids+=("$server_pid")
    for _ in $(seq 100); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && break
        kill -0 "$server_pid" 2>/dev/null || die "redis-server exited at start" "$dir"
        sleep 0.1
    done
    durable_work "$name" "$count" "$rate" "$catchup" "$dir" "$server_pid" "$REDISBENCH" --group \
        --port "$port"
    cleanup
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$dir"
}

# RabbitMQ boots in ~7 s: one node serves every RabbitMQ run of the script
# (setup deletes and re-declares the queues), started on first use with its
# own node name, ports (AMQP, distribution, epmd) on loopback, data and log
# dirs and cookie ($HOME) in its dir; stopped at exit. No system service, no
# /etc/rabbitmq.
rmq_state= rmq_dir= rmq_port= rmq_pid= rmq_epmd_pid= rmq_beam_pid=
rmq_up() {
    [ "$rmq_state" = up ] && return 0
    [ -z "$rmq_state" ] || return 1
    local dport eport
    rmq_dir=$(mktemp -d /tmp/as-bench-rmq.XXXXXX)
    rmq_port=$(free_port) dport=$(free_port) eport=$(free_port)
    printf 'listeners.tcp.1 = 127.0.0.1:%s\nloopback_users = none\n' "$rmq_port" >"$rmq_dir/rabbitmq.conf"
    echo '[].' >"$rmq_dir/enabled_plugins"
    note "rabbitmq: starting rabbitmq-server on 127.0.0.1:$rmq_port ($rmq_dir)"
    epmd -port "$eport" -address 127.0.0.1 >"$rmq_dir/epmd.log" 2>&1 &
    rmq_epmd_pid=$!
    (
        export HOME=$rmq_dir RABBITMQ_NODENAME=asbench$rmq_port@localhost \
            RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$rmq_port \
            RABBITMQ_DIST_PORT=$dport ERL_EPMD_PORT=$eport \
            RABBITMQ_MNESIA_BASE=$rmq_dir/mnesia RABBITMQ_LOG_BASE=$rmq_dir/log \
            RABBITMQ_CONFIG_FILE=$rmq_dir/rabbitmq.conf \
            RABBITMQ_ADVANCED_CONFIG_FILE=$rmq_dir/advanced.config \
            RABBITMQ_ENABLED_PLUGINS_FILE=$rmq_dir/enabled_plugins \
            RABBITMQ_CONF_ENV_FILE=$rmq_dir/rabbitmq-env.conf \
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
        exec "$rmq_server"
    ) >"$rmq_dir/server.log" 2>&1 &
    rmq_pid=$!
    for _ in $(seq 600); do
        grep -q 'completed with' "$rmq_dir/server.log" 2>/dev/null && break
        kill -0 "$rmq_pid" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q 'completed with' "$rmq_dir/server.log" 2>/dev/null; then
        local why how="did not start within 60 s"
        kill -0 "$rmq_pid" 2>/dev/null || how="exited at start"
        why=$(tail -q -n 5 "$rmq_dir/server.log" "$rmq_dir"/log/*.log 2>/dev/null | tr '\n' ' ' | cut -c1-600)
        rmq_down
        rmq_state=failed
        drop_peer rabbitmq "rabbitmq-server $how (its logs: ${why:-empty})"
        return 1
    fi
    rmq_beam_pid=$(pgrep -P "$rmq_pid" beam.smp || true)
    rmq_state=up
}
rmq_down() {
    [ -n "$rmq_pid" ] || return 0
    kill -TERM "$rmq_pid" 2>/dev/null || true # the script stops the node
    wait "$rmq_pid" 2>/dev/null || true
    kill -TERM "$rmq_epmd_pid" 2>/dev/null || true
    wait "$rmq_epmd_pid" 2>/dev/null || true
    rmq_pid= rmq_state=
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$rmq_dir"
}

# rmq_run NAME N RATE CATCHUP(0|1)
rmq_run() {
    local name=$1 count=$2 rate=$3 catchup=$4 dir
    rmq_up || return 0
    dir=$(mktemp -d /tmp/as-bench-rmqrun.XXXXXX)
    note "$name: $count events at ${rate:-0}/s to 4 consumers (RabbitMQ quorum queues)"
    durable_work "$name" "$count" "$rate" "$catchup" "$dir" "${rmq_beam_pid:-$rmq_pid}" \
        "$RMQBENCH" --queue --port "$rmq_port"
    cleanup
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$dir"
}

# --- ceilings --------------------------------------------------------------------

ceilings() {
    local dir subs=() i
    dir=$(mktemp -d /tmp/as-bench-ceil.XXXXXX)
    note "ceiling: raw ZeroMQ PUB -> asbus -> 4 SUB, $n messages"
    "$ASBUS" --xsub "ipc://$dir/in" --xpub "ipc://$dir/out" 2>"$dir/bus.log" &
    local bus_pid=$!
    pids+=("$bus_pid")
    mkdir "$dir/ready" # each subscriber says here that it receives: then the count starts
    for i in 1 2 3 4; do
        timeout "$limit" "$CEILBENCH" zmq-sub --connect "ipc://$dir/out" --expect "$n" \
            --ready-dir "$dir/ready" --report "$out/ceil-zmq-s$i.json" \
            --samples "$out/ceil-zmq-s$i.lat" 2>"$dir/sub$i.log" &
        subs+=($!)
        pids+=($!)
    done
    timeout "$limit" "$CEILBENCH" zmq-pub --connect "ipc://$dir/in" --count "$n" \
        --ready-dir "$dir/ready" --subscribers 4 --report "$out/ceil-zmq-pub.json" \
        2>"$dir/pub.log" || die "zmq-pub failed" "$dir"
    wait_pids "$dir" "${subs[@]}"
    printf '{"bus_cpu_ms": %s, "bus_peak_rss_kb": %s}\n' "$(cpu_ms "$bus_pid")" \
        "$(peak_rss_kb "$bus_pid")" >"$out/ceil-zmq-bus.json"
    "$ASBENCH" merge --out "$out/ceil-zmq.json" "$out"/ceil-zmq-s{1,2,3,4} ||
        die "the ZeroMQ ceiling lost messages" "$dir"
    cleanup
    note "ceiling: raw LMDB batched puts with fsync"
    "$CEILBENCH" lmdb --dir "$dir/lmdb4" --count "$n" --batch 5000 --writers 4 \
        --report "$out/ceil-lmdb4.json" 2>"$dir/lmdb.log" || die "lmdb ceiling failed" "$dir"
    "$CEILBENCH" lmdb --dir "$dir/lmdb1" --count "$n" --batch 5000 --writers 1 \
        --report "$out/ceil-lmdb1.json" 2>"$dir/lmdb.log" || die "lmdb ceiling failed" "$dir"
    "$CEILBENCH" lmdb --dir "$dir/fsync" --count "$n_fsync" --batch 1 --writers 1 \
        --report "$out/ceil-fsync.json" 2>"$dir/lmdb.log" || die "lmdb ceiling failed" "$dir"
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$dir"
}

# --- web: the gateway under 50 browser sessions ------------------------------------

web_run() {
    local dir port svc secret=bench-pass-1 web_pid m
    dir=$(mktemp -d /tmp/as-bench-web.XXXXXX)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    cp "$here/../../deploy/local.ini" "$dir/site.ini"
    sed -i "s/^listen = 127.0.0.1:8080$/listen = 127.0.0.1:$port/" "$dir/site.ini"
    [ -z "${BENCH_WEB_INFLIGHT:-}" ] ||
        sed -i "s/^listen = 127.0.0.1:$port$/&\ninflight_per_service = $BENCH_WEB_INFLIGHT/" "$dir/site.ini"
    export AS_RUN_DIR=$dir
    local ctl=("$ASCTL" --config "$dir/site.ini")
    local -A svc_pid=()
    # up NAME: its daemon answers status (a daemon that exited fails the run at once)
    up() {
        for _ in $(seq 100); do
            kill -0 "${svc_pid[$1]}" 2>/dev/null || die "as-$1 exited at start" "$dir"
            "${ctl[@]}" status "$1" >/dev/null 2>&1 && return 0
            sleep 0.1
        done
        die "as-$1 did not answer status" "$dir"
    }
    "$ASBUS" --config "$dir/site.ini" --name bus 2>"$dir/bus.log" &
    pids+=($!)
    for svc in reception workshop parts kpi warranty tools; do
        "$build/services/$svc/as-$svc" --config "$dir/site.ini" 2>"$dir/$svc.log" &
        svc_pid[$svc]=$!
        pids+=($!)
    done
    "$ASWEB" --config "$dir/site.ini" 2>"$dir/web.log" &
    web_pid=$!
    svc_pid[web]=$web_pid
    pids+=("$web_pid")
    for svc in reception workshop parts kpi warranty tools web; do up "$svc"; done
    for m in svc-mgr adv-wang adv-chen adv-zhao foreman-liu tech-0{1..9} tech-10; do
        AS_ACTOR=svc-mgr "${ctl[@]}" call web.credential.set staff_id="$m" secret="$secret" \
            >/dev/null || die "setting $m's secret" "$dir"
    done
    note "web: $web_sessions browser sessions for ${web_seconds}s against $ASWEB${BENCH_WEB_INFLIGHT:+ (inflight_per_service $BENCH_WEB_INFLIGHT)}"
    local cpu0
    cpu0=$(cpu_ms "$web_pid")
    timeout "$limit" "$WEBBENCH" --url "http://127.0.0.1:$port" --secret "$secret" \
        --sessions "$web_sessions" --seconds "$web_seconds" --idle "$web_idle" \
        --report "$out/web.json" 2>"$dir/webbench.log" || die "webbench failed" "$dir"
    printf '{"web_cpu_ms": %s, "web_peak_rss_kb": %s, "reception_cpu_ms": %s}\n' \
        "$(($(cpu_ms "$web_pid") - cpu0))" "$(peak_rss_kb "$web_pid")" "$(cpu_ms "${svc_pid[reception]}")" \
        >"$out/web-procs.json"
    cat "$dir/webbench.log" >&2
    cleanup
    unset AS_RUN_DIR
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$dir"
}

# --- daemons: the real daemons' commands (daemonbench) ------------------------------

daemons_run() {
    local dir svc pid_args=()
    dir=$(mktemp -d /tmp/as-bench-daemons.XXXXXX)
    "$DAEMONBENCH" site --dir "$dir" || die "daemonbench site failed" "$dir"
    local ctl=("$ASCTL" --config "$dir/site.ini")
    "$ASBUS" --config "$dir/site.ini" --name bus 2>"$dir/bus.log" &
    pids+=($!)
    pid_args+=(--pid "bus=$!")
    for svc in reception workshop parts kpi; do
        "$build/services/$svc/as-$svc" --config "$dir/site.ini" 2>"$dir/$svc.log" &
        pids+=($!)
        pid_args+=(--pid "$svc=$!")
    done
    for svc in reception workshop parts kpi; do
        for _ in $(seq 100); do
            "${ctl[@]}" status "$svc" >/dev/null 2>&1 && continue 2
            sleep 0.1
        done
        die "as-$svc did not answer status" "$dir"
    done
    note "daemons: reception.ro.open, workshop.clock.on/off, parts.issue, status, reception.ro.show from $daemons_clients clients, ${daemons_seconds}s each"
    local rc=0
    timeout "$limit" "$DAEMONBENCH" run --config "$dir/site.ini" --clients "$daemons_clients" \
        --seconds "$daemons_seconds" --vehicles "$daemons_vehicles" "${pid_args[@]}" \
        --report "$out/daemons.json" 2>"$dir/daemonbench.log" || rc=$?
    # exit 1: requests were refused or not answered; the table marks those runs
    { [ $rc = 0 ] || { [ $rc = 1 ] && [ -f "$out/daemons.json" ]; }; } ||
        die "daemonbench failed (exit $rc)" "$dir"
    cat "$dir/daemonbench.log" >&2
    cleanup
    if [ $rc = 1 ]; then
        daemons_failed="requests failed in the daemons part (the table's errors column); logs in $dir"
    elif [ -z "${BENCH_KEEP:-}" ]; then
        rm -rf "$dir"
    fi
}

# --- sites: a dealer group on one bus (1 -> 20 sites), CPU per event -----------------

# sites_run SITES MODE: SITES sites, each a publisher (asbench source, service
# reception of its own site: a config per site, [site] name = sNN) and
# $sites_consumers consumers following that site's reception (asbench sink),
# for $sites_seconds at $sites_rate events/s per site. MODE flat: every site on
# one asbus. MODE chain: each site on its own site bus forwarding up
# ([bus] upstream) to one group bus, where one group consumer follows every
# site's reception. CPU of the forwarder(s) and each consumer over the run
# (from before the first event to the last applied): cpu_us, and the
# consumers' own reports.
# The consumers subscribe what the runtime subscribes: this script does not
# choose what crosses the bus.
# cpu_us PID: the on-CPU time of every thread of the process, µs (schedstat's
# nanoseconds: the CPU time /proc/PID/stat gives in 10 ms ticks, which is too
# coarse for a forwarder's ~20 ms at one site)
cpu_us() {
    cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d", s / 1000 }'
}
sites_run() {
    local sites=$1 mode=$2 dir i s c count name consumers=() bus_pids=() group_pid= gc_pid=
    name=sites-$mode-$sites
    count=$(awk -v r="$sites_rate" -v t="$sites_seconds" 'BEGIN { printf "%d", r * t }')
    dir=$(mktemp -d /tmp/as-bench-sites.XXXXXX)
    chmod 700 "$dir"
    note "sites $mode: $sites sites x $count events at $sites_rate/s each, $sites_consumers consumer(s) per site"
    local site_list=() follows=
    for i in $(seq "$sites"); do site_list+=("$(printf 's%02d' "$i")"); done
    for s in "${site_list[@]}"; do
        local bus_in=$dir/bus-in bus_out=$dir/bus-out upstream=
        if [ "$mode" = chain ]; then
            bus_in=$dir/$s-bus-in bus_out=$dir/$s-bus-out upstream="upstream = ipc://$dir/g-in"
        fi
        {
            cat <<INI
[site]
name = $s
data_dir = $dir/data/$s
services = $(seq -s, -f 'c%g' "$sites_consumers")
[bus]
xsub = ipc://$bus_in
xpub = ipc://$bus_out
$upstream
publish = \${bus.xsub}
subscribe = \${bus.xpub}
[staff]
[reception]
endpoint = ipc://$dir/$s-reception.sock
INI
            for c in $(seq "$sites_consumers"); do
                printf '[c%s]\nendpoint = ipc://%s/%s-c%s.sock\nfollows = reception\n' "$c" "$dir" "$s" "$c"
            done
        } >"$dir/$s.ini"
        follows+="${follows:+$'\n    '}reception@$s" # an indented line per site continues it
    done
    if [ "$mode" = chain ]; then
        {
            cat <<INI
[site]
name = group
data_dir = $dir/data/group
services = group
[bus]
xsub = ipc://$dir/g-in
xpub = ipc://$dir/g-out
publish = \${bus.xsub}
subscribe = \${bus.xpub}
[staff]
[group]
endpoint = ipc://$dir/group.sock
follows = $follows
INI
            for s in "${site_list[@]}"; do
                printf '[reception@%s]\nendpoint = ipc://%s/%s-reception.sock\n' "$s" "$dir" "$s"
            done
        } >"$dir/group.ini"
        "$ASBUS" --config "$dir/group.ini" 2>"$dir/group-bus.log" &
        group_pid=$!
        pids+=("$group_pid")
        for s in "${site_list[@]}"; do
            "$ASBUS" --config "$dir/$s.ini" 2>"$dir/$s-bus.log" &
            bus_pids+=($!)
            pids+=($!)
        done
        timeout "$limit" "$ASBENCH" sink --config "$dir/group.ini" --name group \
            --expect $((count * sites)) --report "$out/$name-group.json" 2>"$dir/group.log" &
        gc_pid=$!
        pids+=("$gc_pid")
    else
        "$ASBUS" --config "$dir/${site_list[0]}.ini" 2>"$dir/bus.log" &
        bus_pids+=($!)
        pids+=($!)
    fi
    for s in "${site_list[@]}"; do
        for c in $(seq "$sites_consumers"); do
            timeout "$limit" "$ASBENCH" sink --config "$dir/$s.ini" --name "c$c" --expect "$count" \
                --report "$out/$name-$s-c$c.json" 2>"$dir/$s-c$c.log" &
            consumers+=($!)
            pids+=($!)
        done
    done
    # bound: their loops run, their subscriptions are on the way
    local want=$((sites * sites_consumers)) have
    [ -z "$gc_pid" ] || want=$((want + 1))
    for _ in $(seq 400); do
        have=$(find "$dir" -maxdepth 1 \( -name '*-c*.sock' -o -name group.sock \) | wc -l)
        [ "$have" -ge "$want" ] && break
        sleep 0.05
    done
    [ "$have" -ge "$want" ] || die "sites $mode: only $have of $want consumers started" "$dir"
    # CPU of every forwarder and consumer before the first event
    local t0 t1 b0=0 b0g=0 p cpu0=() gc0=0
    for p in "${bus_pids[@]}"; do b0=$((b0 + $(cpu_us "$p"))); done
    [ -z "$group_pid" ] || b0g=$(cpu_us "$group_pid")
    for p in "${consumers[@]}"; do cpu0+=("$(cpu_us "$p")"); done
    [ -z "$gc_pid" ] || gc0=$(cpu_us "$gc_pid")
    t0=$(date +%s%N)
    local sources=()
    for s in "${site_list[@]}"; do
        "$ASBENCH" source --config "$dir/$s.ini" --count "$count" --rate "$sites_rate" \
            --delay-ms 300 --report "$out/$name-$s-source.json" 2>"$dir/$s-source.log" &
        sources+=($!)
        pids+=($!)
    done
    # mid-run, what site s01's first consumer was sent: its own site's events
    # and (asctl status: ignored, per source) every other site's
    sleep "$(awk -v t="$sites_seconds" 'BEGIN { print t / 2 }')"
    local st own=0 other=0
    if st=$("$ASCTL" --json --config "$dir/${site_list[0]}.ini" status c1 2>/dev/null); then
        own=$(echo "$st" | jq '[.services[0].offsets[]? | .applied_seq | tonumber] | add // 0')
        other=$(echo "$st" | jq '[.services[0].unfollowed[]? | .events | tonumber] | add // 0')
    fi
    wait_pids "$dir" "${consumers[@]}" ${gc_pid:+"$gc_pid"}
    t1=$(date +%s%N)
    local b1=0 bg=
    for p in "${bus_pids[@]}"; do b1=$((b1 + $(cpu_us "$p"))); done
    [ -z "$group_pid" ] || bg=$(($(cpu_us "$group_pid") - b0g))
    # each consumer's CPU over the run, µs, from its report (getrusage at its
    # last event, in ms)
    local k=0 used=()
    for s in "${site_list[@]}"; do
        for c in $(seq "$sites_consumers"); do
            used+=($(($(jq .cpu_ms "$out/$name-$s-c$c.json") * 1000 - ${cpu0[$k]})))
            k=$((k + 1))
        done
    done
    local gc=
    [ -z "$gc_pid" ] || gc=$(($(jq .cpu_ms "$out/$name-group.json") * 1000 - gc0))
    cleanup # the sources write their reports (CPU of the whole process) on SIGTERM
    printf '%s\n' "${used[@]}" | jq -s --argjson sites "$sites" --argjson count "$count" \
        --argjson wall_ms "$(((t1 - t0) / 1000000))" --argjson bus_us "$((b1 - b0))" \
        --argjson group_bus_us "${bg:-null}" --argjson group_consumer_us "${gc:-null}" \
        --arg mode "$mode" --argjson rate "$sites_rate" --argjson own "$own" --argjson other "$other" \
        --argjson pub "$(cat "$out/$name"-s*-source.json | jq -s --argjson n "$count" '[.[] | .cpu_ms * 1000 / $n]')" \
        '{mode: $mode, sites: $sites, rate_per_site: $rate, events: ($sites * $count),
          wall_ms: $wall_ms, bus_cpu_us: $bus_us, group_bus_cpu_us: $group_bus_us,
          group_consumer_cpu_us: $group_consumer_us, consumer_cpu_us: .,
          consumer_us_per_event: [.[] | . / $count],
          mid_run_own_events: $own, mid_run_other_sites_events: $other,
          publisher_us_per_event: $pub}' >"$out/$name.json"
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$dir"
}

# --- kpiyear: kpi rebuilding a dealer group's year from the outboxes ----------------

# kpiyear_config FILE DIR SITE STORES KPI_SITES: the config of SITE's reception,
# workshop and parts (serving replays from the outboxes yeargen wrote in
# STORES/SITE; they follow nothing, so they add no event of their own) and of a
# kpi that starts empty in DIR/kpi-SITE. KPI_SITES empty: a site kpi following
# SITE's three services; else the group kpi of decision 3 ([kpi] sites = the
# list) following every listed site's. Every site's config names the same bus.
# The one place the configs are written: after the group kpi's merge, align
# the group kpi's lines here with services/kpi/README.md.
kpiyear_config() {
    local file=$1 dir=$2 site=$3 stores=$4 kpi_sites=$5 svc
    {
        printf '[site]\nname = %s\ndata_dir = %s/data-%s\n' "$site" "$dir" "$site"
        printf '[bus]\nxsub = ipc://%s/bus-in\nxpub = ipc://%s/bus-out\n' "$dir" "$dir"
        printf 'publish = ${bus.xsub}\nsubscribe = ${bus.xpub}\n'
        for svc in reception workshop parts; do
            printf '[%s]\nendpoint = ipc://%s/%s-%s.sock\ndata_dir = %s/%s/%s\n' \
                "$svc" "$dir" "$svc" "$site" "$stores" "$site" "$svc"
        done
        printf '[kpi]\nendpoint = ipc://%s/kpi-%s.sock\ndata_dir = %s/kpi-%s\n' \
            "$dir" "$site" "$dir" "$site"
        printf 'follows = reception, workshop, parts\n'
        # the group kpi: every site's reception, workshop and parts, whose
        # service endpoints it learns from their heartbeats (for the replays)
        if [ -n "$kpi_sites" ]; then printf 'sites = %s\n' "$kpi_sites"; fi
        printf '[staff]\nsvc-mgr = service_manager\nforeman = foreman\nclerk = info_clerk\n'
    } >"$file"
}

# kpiyear_up DIR SITE: SITE's reception, workshop and parts, each answering
# status (their pids also in ky_serving: the processes serving the replays)
ky_serving=()
kpiyear_up() {
    local dir=$1 site=$2 svc pid
    for svc in reception workshop parts; do
        "$build/services/$svc/as-$svc" --config "$dir/$site.ini" 2>"$dir/$svc-$site.log" &
        pid=$!
        pids+=("$pid")
        ky_serving+=("$pid")
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || die "as-$svc of $site exited at start" "$dir"
            "$ASCTL" --config "$dir/$site.ini" status "$svc" >/dev/null 2>&1 && continue 2
            sleep 0.1
        done
        die "as-$svc of $site did not answer status" "$dir"
    done
}

# kpiyear_serving_cpu: CPU ms of the serving processes so far (then forgotten)
kpiyear_serving_cpu() {
    local p t=0
    for p in "${ky_serving[@]}"; do t=$((t + $(cpu_ms "$p"))); done
    ky_serving=()
    echo "$t"
}

# kpiyear_reports DIR CONFIG ENDPOINT NAME [--site S | --group]: kpi.report
# round trips for a month and a year, by department and by technician
kpiyear_reports() {
    local dir=$1 cfg=$2 ep=$3 name=$4 by
    shift 4
    for by in department technician; do
        "$KPIBENCH" report --endpoint "$ep" --actor svc-mgr --month "$kpiyear_month" --by "$by" \
            --reps "$kpiyear_reps" "$@" --report "$out/kpiyear-$name-month-$by.json" \
            2>>"$dir/report.log" || die "kpi.report of a month by $by failed" "$dir"
        if [ "$(jq -r .report_year "$out/kpiyear-probe.json")" = true ]; then
            "$KPIBENCH" report --endpoint "$ep" --actor svc-mgr --year "$kpiyear_year" --by "$by" \
                --reps "$kpiyear_reps" "$@" --report "$out/kpiyear-$name-year-$by.json" \
                2>>"$dir/report.log" || die "kpi.report of a year by $by failed" "$dir"
        fi
    done
}

kpiyear_run() {
    local dir stores key gen0 site sites=() site_list expect kpi_pid t0 cpu=0 rss=0 v secs=0 serving=0
    local gen_note=generated
    dir=$(mktemp -d /tmp/as-bench-kpiyear.XXXXXX)
    # the generated stores, kept between runs under a key of the generator's
    # version and the scale (another key's stores are deleted: a year is ~2 GB)
    key=v$("$YEARGEN" version)-s$kpiyear_sites-d$kpiyear_days-r$kpiyear_ros
    stores=$out/kpiyear-cache/$key
    if [ -f "$stores/gen.json" ]; then
        gen_note=cached
        note "kpiyear: the outboxes of $kpiyear_sites sites x $kpiyear_days days x $kpiyear_ros ROs are cached in $stores: reused"
    else
        rm -rf "$out/kpiyear-cache"
        mkdir -p "$out/kpiyear-cache"
        note "kpiyear: writing the outboxes of $kpiyear_sites sites x $kpiyear_days days x $kpiyear_ros ROs into $stores"
        "$YEARGEN" gen --out "$stores.tmp" --sites "$kpiyear_sites" --days "$kpiyear_days" \
            --ros "$kpiyear_ros" --report "$stores.tmp/gen.json" 2>"$dir/gen.log" ||
            die "yeargen gen failed" "$dir"
        mv "$stores.tmp" "$stores"
    fi
    jq --arg note "$gen_note" '. + {stores: $note}' "$stores/gen.json" >"$out/kpiyear-gen.json"
    gen0=$(jq -r .first_day "$stores/gen.json")
    kpiyear_month=${gen0:0:7} kpiyear_year=${gen0:0:4}
    # the month reported: the sixth of the year when the run covers it, else the first
    if [ "$kpiyear_days" -ge 130 ]; then kpiyear_month=$kpiyear_year-06; fi
    for ((i = 1; i <= kpiyear_sites; i++)); do sites+=("$(printf 'site-%02d' "$i")"); done
    site_list=$(IFS=,; echo "${sites[*]}")
    kpiyear_config "$dir/probe.ini" "$dir" site-01 "$stores" ""
    "$KPIBENCH" probe --config "$dir/probe.ini" >"$out/kpiyear-probe.json" 2>"$dir/probe.log" ||
        die "kpibench probe failed" "$dir"
    local group=false
    [ "$(jq -r .kpi_sites "$out/kpiyear-probe.json")" = true ] && group=true
    if [ $group = true ]; then
        # decision 3: one kpi follows every site's services on one bus
        note "kpiyear: the group kpi rebuilds $kpiyear_sites sites at once"
        "$ASBUS" --xsub "ipc://$dir/bus-in" --xpub "ipc://$dir/bus-out" 2>"$dir/bus.log" &
        pids+=($!)
        ky_serving+=($!)
        for site in "${sites[@]}"; do
            kpiyear_config "$dir/$site.ini" "$dir" "$site" "$stores" ""
            kpiyear_up "$dir" "$site"
        done
        kpiyear_config "$dir/group.ini" "$dir" group "$stores" "$site_list"
        expect=$(paste -sd, "$stores/last_seqs")
        t0=$(date +%s%6N)
        "$build/services/kpi/as-kpi" --config "$dir/group.ini" 2>"$dir/kpi-group.log" &
        kpi_pid=$!
        pids+=("$kpi_pid")
        "$KPIBENCH" wait --endpoint "ipc://$dir/kpi-group.sock" --expect "$expect" --started-us "$t0" \
            --timeout-s "$limit" --report "$out/kpiyear-wait-group.json" 2>>"$dir/wait.log" ||
            die "the group kpi did not catch up" "$dir"
        cpu=$(cpu_ms "$kpi_pid") rss=$(peak_rss_kb "$kpi_pid") serving=$(kpiyear_serving_cpu)
        secs=$(jq -r .seconds "$out/kpiyear-wait-group.json")
        kpiyear_reports "$dir" "$dir/group.ini" "ipc://$dir/kpi-group.sock" site --site site-01
        kpiyear_reports "$dir" "$dir/group.ini" "ipc://$dir/kpi-group.sock" group --group
        printf '{"kpi_store_kb": %s}\n' "$(du -sk "$dir/kpi-group" | cut -f1)" >"$out/kpiyear-store.json"
        cleanup
    else
        # a site kpi per site, one site after another (the bus, the site's three
        # services and its kpi, then stopped)
        for site in "${sites[@]}"; do
            note "kpiyear: $site's kpi rebuilds from its outboxes"
            kpiyear_config "$dir/$site.ini" "$dir" "$site" "$stores" ""
            "$ASBUS" --config "$dir/$site.ini" 2>"$dir/bus-$site.log" &
            pids+=($!)
            ky_serving+=($!)
            kpiyear_up "$dir" "$site"
            expect=$(grep "@$site=" "$stores/last_seqs" | paste -sd,)
            t0=$(date +%s%6N)
            "$build/services/kpi/as-kpi" --config "$dir/$site.ini" 2>"$dir/kpi-$site.log" &
            kpi_pid=$!
            pids+=("$kpi_pid")
            "$KPIBENCH" wait --endpoint "ipc://$dir/kpi-$site.sock" --expect "$expect" \
                --started-us "$t0" --timeout-s "$limit" --report "$out/kpiyear-wait-$site.json" \
                2>>"$dir/wait.log" || die "$site's kpi did not catch up" "$dir"
            cpu=$((cpu + $(cpu_ms "$kpi_pid"))) serving=$((serving + $(kpiyear_serving_cpu)))
            v=$(peak_rss_kb "$kpi_pid")
            if [ "$v" -gt "$rss" ]; then rss=$v; fi
            secs=$(awk -v a="$secs" -v b="$(jq -r .seconds "$out/kpiyear-wait-$site.json")" \
                'BEGIN { printf "%.3f", a + b }')
            if [ "$site" = site-01 ]; then
                kpiyear_reports "$dir" "$dir/$site.ini" "ipc://$dir/kpi-$site.sock" site
                printf '{"kpi_store_kb": %s}\n' "$(du -sk "$dir/kpi-$site" | cut -f1)" \
                    >"$out/kpiyear-store.json"
            fi
            cleanup
        done
    fi
    local events
    events=$(jq -r .events "$stores/gen.json")
    printf '{"mode": "%s", "events": %s, "seconds": %s, "kpi_cpu_ms": %s, "kpi_peak_rss_kb": %s, "serving_cpu_ms": %s}\n' \
        "$([ $group = true ] && echo group || echo site)" "$events" "$secs" "$cpu" "$rss" "$serving" \
        >"$out/kpiyear.json"
    # the ceiling: one LMDB writer putting as many events, batched, fsync'd
    note "kpiyear: the one-writer LMDB ceiling for $events events"
    "$CEILBENCH" lmdb --dir "$dir/ceil" --count "$events" --batch 5000 --writers 1 \
        --report "$out/kpiyear-ceil.json" 2>"$dir/ceil.log" || die "the LMDB ceiling failed" "$dir"
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$dir"
}

# --- run ---------------------------------------------------------------------------

rate_n() { awk -v r="$1" -v s="$latency_seconds" 'BEGIN { printf "%d", r * s }'; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
started=$(date +%s) load_start=$(loadavg)
if wants single; then
    note "single consumer: group commit, one commit per event, latency at 1,000/s"
    single_scenario group "$n_group" 0 0
    single_scenario per-event "$n_single" 0 1
    single_scenario latency "$n_latency" 1000 0
fi
if wants fanout; then
    if [ $ours = 1 ]; then ours_run ours-fanout "$n" 0 1; fi
    if [ $peer = 1 ]; then peer_run peer-fanout "$n" 0 1; fi
    if wants_peer redis-always; then redis_run redis-always-fanout "$n" 0 1 always; fi
    if wants_peer redis-everysec; then redis_run redis-everysec-fanout "$n" 0 1 everysec; fi
    if wants_peer rabbitmq; then rmq_run rabbitmq-fanout "$n_rmq" 0 1; fi
fi
if wants latency; then
    for r in 1000 10000; do
        if [ $ours = 1 ]; then ours_run "ours-lat$r" "$(rate_n $r)" "$r" 0; fi
        if [ $peer = 1 ]; then peer_run "peer-lat$r" "$(rate_n $r)" "$r" 0; fi
        if wants_peer redis-always; then redis_run "redis-always-lat$r" "$(rate_n $r)" "$r" 0 always; fi
        if wants_peer redis-everysec; then
            redis_run "redis-everysec-lat$r" "$(rate_n $r)" "$r" 0 everysec
        fi
        if wants_peer rabbitmq; then rmq_run "rabbitmq-lat$r" "$(rate_n $r)" "$r" 0; fi
    done
fi
rmq_down
if wants ceilings; then ceilings; fi
if wants web; then web_run; fi
if wants daemons; then daemons_run; fi
if wants sites; then
    for k in $sites_counts; do sites_run "$k" flat; done
    [ "$sites_chain" = 0 ] || sites_run "$sites_chain" chain
fi
if wants kpiyear; then kpiyear_run; fi
elapsed=$(($(date +%s) - started)) load_end=$(loadavg)

# --- the tables ----------------------------------------------------------------------

# j FILE EXPR: a value from a report, "" when the report is not there
j() { [ -f "$out/$1.json" ] && jq -r "$2" "$out/$1.json" || true; }
num() { # a whole number with thousands separators
    [ -n "$1" ] || { printf 'n/a'; return; }
    awk -v v="$1" 'BEGIN { s = sprintf("%.0f", v); r = ""
        while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
        printf "%s%s", s, r }'
}
ms() { [ -n "$1" ] && awk -v v="$1" 'BEGIN { printf "%.1f", v / 1000 }' || printf 'n/a'; }
mb() { [ -n "$1" ] && awk -v v="$1" 'BEGIN { printf "%.0f", v / 1024 }' || printf 'n/a'; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }' || printf 'n/a'; }
share() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else printf "n/a" }' || printf 'n/a'; }
catchup_s() { j "$1" '(.last_applied_us - .started_us) / 1e6'; }
sec() { [ -n "$1" ] && awk -v v="$1" 'BEGIN { printf "%.2f", v }' || printf 'n/a'; }
sum_cpu() { # sum_cpu RUN: CPU ms of its 4 consumers together
    local t=0 v c subs=(c1 c2 c3 c4)
    [ "$1" = ceil-zmq ] && subs=(s1 s2 s3 s4)
    for c in "${subs[@]}"; do
        v=$(j "$1-$c" .cpu_ms)
        t=$((t + ${v:-0}))
    done
    [ "$t" -gt 0 ] && echo "$t" || true
}
add() { [ -n "$1" ] && [ -n "$2" ] && [ -n "$3" ] && echo $(($1 + $2 + $3)) || true; }
secs() { [ -n "$1" ] && awk -v v="$1" 'BEGIN { printf "%.1f", v / 1000 }' || printf 'n/a'; }
per_event_us() { [ -n "$1" ] && awk -v v="$1" -v n="$2" 'BEGIN { printf "%.1f", v * 1000 / n }' || printf 'n/a'; }
sec_1() { [ -n "$1" ] && printf '%s' "$1" || printf 'n/a'; }
# both_eps: events/s this machine's cores allow when they do only what the
# two ceilings do for each event: the ZeroMQ fan-out (PUB + asbus + 4 SUB)
# and the store work (4 consumers' LMDB puts + the publisher's one), each at
# its ceiling's CPU per event; empty without the ceilings' CPU figures
both_us() {
    local z l4 l1
    z=$(j ceil-zmq-pub .cpu_ms) l4=$(j ceil-lmdb4 '.cpu_ms // empty') l1=$(j ceil-lmdb1 '.cpu_ms // empty')
    [ -n "$z" ] && [ -n "$l4" ] && [ -n "$l1" ] || return 0
    z=$(add "$z" "$(j ceil-zmq-bus .bus_cpu_ms)" "$(sum_cpu ceil-zmq)")
    awk -v z="$z" -v zn="$(j ceil-zmq .events)" -v l4="$l4" -v l1="$l1" -v ln="$(j ceil-lmdb4 .events)" \
        'BEGIN { printf "%.2f", z * 1000 / zn + (l4 + l1) * 1000 / ln }'
}
both_eps() {
    local us
    us=$(both_us)
    [ -n "$us" ] && awk -v us="$us" -v c="$(nproc)" 'BEGIN { printf "%.0f", c * 1e6 / us }' || true
}
row() { # row FIGURE OURS PEER RATIO CEILING SHARE
    echo "| $1 | $2 | $3 | $4 | $5 | $6 |"
}

{
    echo "### Machine and run"
    echo
    echo "- command: \`$command_line\`"
    echo "- date: $(date -u +'%Y-%m-%d %H:%M UTC'); took ${elapsed}s"
    echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), $(free -g | awk '/^Mem:/ {print $2}') GiB memory, kernel $(uname -r)"
    echo "- disk under $out: $(df -h "$out" | awk 'NR == 2 {print $1 ", " $2}') ($(findmnt -n -o FSTYPE --target "$out" 2>/dev/null || echo ?)); fsync'd 4 KiB writes: $(num "$(j ceil-fsync .commits_per_second)")/s"
    echo "- load average (1, 5, 15 min) at start: $load_start; at end: $load_end"
    { wants fanout || wants latency; } && echo "- peer: $([ $peer = 1 ] && nats-server --version 2>/dev/null || echo skipped), JetStream file storage; C client libnats $(pkg-config --modversion libnats 2>/dev/null || echo ?); consumer batch $js_batch, publisher max pending $js_max_pending"
    { wants fanout || wants latency; } && [ -n "$peers$skipped" ] &&
        echo "- durable peers: $(command -v redis-server >/dev/null && redis-server --version | awk '{sub("v=", "", $3); print "Redis " $3}' || echo 'Redis: not installed') (hiredis $(pkg-config --modversion hiredis 2>/dev/null || echo ?)), AOF appendfsync always / everysec, no RDB snapshots; RabbitMQ $(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null || echo 'not installed') on Erlang $(dpkg-query -W -f '${Version}' erlang-base 2>/dev/null || echo ?) (rabbitmq-c $(pkg-config --modversion librabbitmq 2>/dev/null || echo ?)), quorum queues; consumer batch $peer_batch, publisher max pending $peer_max_pending; RabbitMQ's fan-out and catch-up N = $(num "$n_rmq")"
    echo
    if wants single; then
        echo "### Our bus into one durable consumer"
        echo
        echo "| scenario | what | events | events/s | p50 ms | p99 ms | p99.9 ms | consumer commits |"
        echo "|---|---|---|---|---|---|---|---|"
        srow() {
            jq -r --arg name "$1" --arg what "$2" \
                '"| \($name) | \($what) | \(.events) | \(.events_per_second | floor) | \(.p50_us / 1000) | \(.p99_us / 1000) | \(.p999_us / 1000) | \(.commits) |"' \
                "$out/$1.json"
        }
        srow group "as fast as the source emits, group commit"
        srow per-event "one commit (fsync) per event"
        srow latency "fixed 1000/s, group commit"
        echo
    fi
    if wants fanout || wants latency || wants ceilings; then
    echo "### Ours vs NATS JetStream (N = $(num "$n"), 4 durable consumers, fsync on in every consumer)"
    echo
    echo "Ratio = ours / peer: above 1 is better for ours in events/s, below 1 is better for ours in ms, s and MiB."
    echo
    echo "| figure | ours | JetStream | ratio | ceiling | ours / ceiling |"
    echo "|---|---|---|---|---|---|"
    zmq=$(j ceil-zmq .events_per_second)
    lmdb4=$(j ceil-lmdb4 .events_per_second)
    lmdb1=$(j ceil-lmdb1 .events_per_second)
    fsync=$(j ceil-fsync .commits_per_second)
    v_anon_max() { # the largest RssAnon peak of a run's 4 consumers
        local c v m=
        for c in c1 c2 c3 c4; do
            v=$(j "$1-fanout-$c" '.rss_anon_peak_kb // empty')
            [ -n "$v" ] && { [ -z "$m" ] || [ "$v" -gt "$m" ]; } && m=$v
        done
        echo "$m"
    }
    if wants fanout; then
        o=$(j ours-fanout .events_per_second) p=$(j peer-fanout .events_per_second)
        low=$zmq
        [ -n "$lmdb4" ] && { [ -z "$low" ] || awk -v a="$lmdb4" -v b="$low" 'BEGIN { exit !(a < b) }'; } && low=$lmdb4
        row "fan-out: events/s until all 4 applied N" "$(num "$o")" "$(num "$p")" "$(ratio "$o" "$p")" \
            "$(num "$low") (lower of ZeroMQ fan-out, LMDB 4 writers)" "$(share "$o" "$low")"
        both=$(both_eps)
        [ -z "$both" ] || row "fan-out: events/s against what the cores allow for the ZeroMQ and the LMDB work together ($(nproc) cores; see the ceilings)" \
            "$(num "$o")" "" "" "$(num "$both")" "$(share "$o" "$both")"
        o=$(j ours-fanout-source .events_per_second) p=$(j peer-fanout-pub .events_per_second)
        row "fan-out: publisher events/s (emitted / acked)" "$(num "$o")" "$(num "$p")" "$(ratio "$o" "$p")" "" ""
        o=$(j ours-fanout-bus .source_peak_rss_kb) p=$(j peer-fanout-pub .peak_rss_kb)
        row "peak RSS MiB: publisher [LMDB file pages]" \
            "$(mb "$o") [$(mb "$(j ours-fanout-bus .source_rss_file_kb)")]" "$(mb "$p")" \
            "$(ratio "$o" "$p")" "" ""
        o=$(j ours-fanout-bus .bus_peak_rss_kb) p=$(j peer-fanout-server .server_peak_rss_kb)
        row "peak RSS MiB: asbus / nats-server" "$(mb "$o")" "$(mb "$p")" "$(ratio "$o" "$p")" "" ""
        for c in c1 c2 c3 c4; do
            o=$(j "ours-fanout-$c" .peak_rss_kb) p=$(j "peer-fanout-$c" .peak_rss_kb)
            row "peak RSS MiB: consumer $c [LMDB file pages]" \
                "$(mb "$o") [$(mb "$(j "ours-fanout-$c" .rss_file_kb)")]" \
                "$(mb "$p") [$(mb "$(j "peer-fanout-$c" .rss_file_kb)")]" "$(ratio "$o" "$p")" "" ""
        done
        o=$(v_anon_max ours) p=$(v_anon_max peer)
        row "peak anonymous RSS MiB (RssAnon, no LMDB pages): the largest of the 4 consumers" \
            "$(mb "$o")" "$(mb "$p")" "$(ratio "$o" "$p")" "" ""
        o=$(j ours-fanout-bus .source_cpu_ms) p=$(j peer-fanout-pub .cpu_ms)
        row "CPU s for the fan-out: publisher" "$(secs "$o")" "$(secs "$p")" "$(ratio "$o" "$p")" "" ""
        o2=$(j ours-fanout-bus .bus_cpu_ms) p2=$(j peer-fanout-server .server_cpu_ms)
        row "CPU s for the fan-out: asbus / nats-server" "$(secs "$o2")" "$(secs "$p2")" \
            "$(ratio "$o2" "$p2")" "" ""
        o3=$(sum_cpu ours-fanout) p3=$(sum_cpu peer-fanout)
        row "CPU s for the fan-out: the 4 consumers together" "$(secs "$o3")" "$(secs "$p3")" \
            "$(ratio "$o3" "$p3")" "" ""
        o=$(add "$o" "$o2" "$o3") p=$(add "$p" "$p2" "$p3")
        row "CPU µs per event, every process (2 cores: 2 s of CPU per s)" "$(per_event_us "$o" "$n")" \
            "$(per_event_us "$p" "$n")" "$(ratio "$o" "$p")" "" ""
        o=$(catchup_s ours-fanout-catchup) p=$(catchup_s peer-fanout-catchup)
        oc=$(j ours-fanout-catchup .events)
        ceil_s=$([ -n "$lmdb1" ] && [ -n "$oc" ] && awk -v n="$oc" -v r="$lmdb1" 'BEGIN { printf "%.2f", n / r }' || true)
        row "catch-up: seconds until a consumer offline for N is current" \
            "$(sec "$o")" "$(sec "$p")" "$(ratio "$o" "$p")" \
            "${ceil_s:-n/a} s (LMDB 1 writer)" "$(share "$ceil_s" "$o")"
    fi
    if wants latency; then
        for r in 1000 10000; do
            for q in p50 p99 p999; do
                o=$(j "ours-lat$r" ".${q}_us") p=$(j "peer-lat$r" ".${q}_us")
                label=${q/p999/p99.9}
                row "latency at $(num $r)/s, $label ms, publish to applied by all 4" \
                    "$(ms "$o")" "$(ms "$p")" "$(ratio "$o" "$p")" "" ""
            done
        done
    fi
    if wants ceilings; then
        row "ceiling: raw ZeroMQ PUB -> asbus -> 4 SUB, messages/s" "" "" "" "$(num "$zmq")" ""
        c=$(add "$(j ceil-zmq-pub .cpu_ms)" "$(j ceil-zmq-bus .bus_cpu_ms)" "$(sum_cpu ceil-zmq)")
        row "ceiling: CPU µs per message of that (PUB + asbus + 4 SUB)" "" "" "" \
            "$(per_event_us "$c" "$(j ceil-zmq .events)")" ""
        row "ceiling: raw LMDB puts, batch 5,000, fsync, 4 writers, events/s" "" "" "" "$(num "$lmdb4")" ""
        row "ceiling: raw LMDB puts, batch 5,000, fsync, 1 writer, events/s" "" "" "" "$(num "$lmdb1")" ""
        row "ceiling: fsync'd LMDB commits/s, one at a time" "" "" "" "$(num "$fsync")" ""
        l4=$(j ceil-lmdb4 '.cpu_ms // empty') l1=$(j ceil-lmdb1 '.cpu_ms // empty')
        row "ceiling: CPU µs per event of the LMDB puts, 4 writers (each event stored 4 times) / 1 writer" \
            "" "" "" "$(per_event_us "$l4" "$(j ceil-lmdb4 .events)") / $(per_event_us "$l1" "$(j ceil-lmdb1 .events)")" ""
        both=$(both_eps)
        row "ceiling: events/s of the ZeroMQ fan-out and the store work of 5 (4 consumers, the publisher's outbox) together, CPU-bound on $(nproc) cores: cores / ($(both_us) µs per event)" \
            "" "" "" "$(num "$both")" ""
    fi
    echo
    fi
    if wants fanout || wants latency; then
        # every system side by side: ours, JetStream, Redis x2, RabbitMQ
        systems=(peer redis-always redis-everysec rabbitmq)
        # prow LABEL FORMAT KIND: one row; KIND: a report key (".events_per_second"
        # of RUN) or a function name that prints a value for a run prefix
        prow() {
            local label=$1 fmt=$2 get=$3 suffix=${4:-} o p line sys
            o=$($get ours "$suffix")
            line="| $label | $($fmt "$o")"
            for sys in "${systems[@]}"; do
                p=$($get "$sys" "$suffix")
                if [ -n "$p" ]; then
                    line+=" | $($fmt "$p") ($(ratio "$o" "$p"))"
                else
                    line+=" | n/a"
                fi
            done
            echo "$line |"
        }
        v_eps() { j "$1-fanout" .events_per_second; }
        v_pub() { if [ "$1" = ours ]; then j ours-fanout-source .events_per_second; else j "$1-fanout-pub" .events_per_second; fi; }
        v_n() { j "$1-fanout" .events; }
        v_server_rss() { if [ "$1" = ours ]; then j ours-fanout-bus .bus_peak_rss_kb; else j "$1-fanout-server" .server_peak_rss_kb; fi; }
        v_sink_rss() { # the largest of the 4 consumers
            local c v m=
            for c in c1 c2 c3 c4; do
                v=$(j "$1-fanout-$c" .peak_rss_kb)
                [ -n "$v" ] && { [ -z "$m" ] || [ "$v" -gt "$m" ]; } && m=$v
            done
            echo "$m"
        }
        v_sink_file() { # the file pages of the consumer v_sink_rss picked
            local c v m= f=
            for c in c1 c2 c3 c4; do
                v=$(j "$1-fanout-$c" .peak_rss_kb)
                [ -n "$v" ] && { [ -z "$m" ] || [ "$v" -gt "$m" ]; } && m=$v f=$(j "$1-fanout-$c" .rss_file_kb)
            done
            echo "$f"
        }
        v_sink_anon() { v_anon_max "$1"; }
        v_catchup_anon() { j "$1-fanout-catchup" '.rss_anon_peak_kb // empty'; }
        v_server_cpu() { if [ "$1" = ours ]; then j ours-fanout-bus .bus_cpu_ms; else j "$1-fanout-server" .server_cpu_ms; fi; }
        v_cpu_event() { # every process's CPU per event, µs
            local a b c n
            if [ "$1" = ours ]; then a=$(j ours-fanout-bus .source_cpu_ms); else a=$(j "$1-fanout-pub" .cpu_ms); fi
            b=$(v_server_cpu "$1") c=$(sum_cpu "$1-fanout") n=$(v_n "$1")
            [ -n "$n" ] && [ -n "$(add "$a" "$b" "$c")" ] &&
                awk -v v="$(add "$a" "$b" "$c")" -v n="$n" 'BEGIN { printf "%.1f", v * 1000 / n }' || true
        }
        v_catchup() { catchup_s "$1-fanout-catchup"; }
        v_catchup_eps() {
            local s e
            s=$(catchup_s "$1-fanout-catchup") e=$(j "$1-fanout-catchup" .events)
            [ -n "$s" ] && [ -n "$e" ] && awk -v s="$s" -v e="$e" 'BEGIN { if (s > 0) printf "%.0f", e / s }' || true
        }
        v_lat() { j "$1-lat${2%:*}" ".${2#*:}_us // empty"; }
        echo "### Ours and every peer (4 durable consumers, fsync on in every consumer)"
        echo
        echo "Each peer's cell: its figure, then ours / peer in brackets (above 1 is better for ours in events/s, below 1 in ms, s and MiB). What each broker keeps on disk when it acks differs: see RESULTS.md, \"What each peer guarantees\"."
        echo
        echo "| figure | ours | JetStream (file store, fsync every 2 min) | Redis Streams, AOF always | Redis Streams, AOF everysec | RabbitMQ quorum queues |"
        echo "|---|---|---|---|---|---|"
        if wants fanout; then
            line="| N (events of the fan-out and of the catch-up) | $(num "$(v_n ours)")"
            for sys in "${systems[@]}"; do line+=" | $(num "$(v_n "$sys")")"; done
            echo "$line |"
            prow "events/s until all 4 consumers applied N (fan-out)" num v_eps
            prow "publisher events/s (acked, replied or confirmed)" num v_pub
            prow "peak RSS MiB: asbus / the broker" mb v_server_rss
            # the largest consumer's peak, [its LMDB file pages at the end], as above
            line="| peak RSS MiB: the largest of the 4 consumers [its LMDB file pages] | $(mb "$(v_sink_rss ours)") [$(mb "$(v_sink_file ours)")]"
            for sys in "${systems[@]}"; do
                p=$(v_sink_rss "$sys")
                if [ -n "$p" ]; then
                    line+=" | $(mb "$p") [$(mb "$(v_sink_file "$sys")")] ($(ratio "$(v_sink_rss ours)" "$p"))"
                else
                    line+=" | n/a"
                fi
            done
            echo "$line |"
            prow "peak anonymous RSS MiB (RssAnon: heap, queues; no LMDB pages): the largest of the 4 consumers" mb v_sink_anon
            prow "peak anonymous RSS MiB: the catching-up consumer" mb v_catchup_anon
            prow "CPU s of asbus / the broker during the fan-out" secs v_server_cpu
            prow "CPU µs per event, every process (publisher, broker, 4 consumers)" sec_1 v_cpu_event
            # seconds of a catch-up compare only at the same N: else the events/s below
            line="| seconds until a consumer offline for N is current (catch-up) | $(sec "$(v_catchup ours)")"
            for sys in "${systems[@]}"; do
                p=$(v_catchup "$sys")
                if [ -z "$p" ]; then
                    line+=" | n/a"
                elif [ "$(v_n "$sys")" = "$(v_n ours)" ]; then
                    line+=" | $(sec "$p") ($(ratio "$(v_catchup ours)" "$p"))"
                else
                    line+=" | $(sec "$p") (N = $(num "$(v_n "$sys")"))"
                fi
            done
            echo "$line |"
            prow "events/s of that catch-up" num v_catchup_eps
        fi
        if wants latency; then
            for r in 1000 10000; do
                for q in p50 p99 p999; do
                    prow "${q/p999/p99.9} ms at $(num $r)/s, publish to applied by all 4" ms v_lat "$r:$q"
                done
                # the part before the consumers' commits: for ours it holds the
                # source's own durable commit, for the peers the broker's
                for q in p50 p999; do
                    prow "${q/p999/p99.9} ms at $(num $r)/s, publish to received by all 4 (in their transaction, before its commit)" \
                        ms v_lat "$r:received_$q"
                done
            done
        fi
        echo
        [ -z "$skipped" ] || { printf '%s' "$skipped"; echo; }
    fi
    if wants web; then
        w() { j web "def r: (. * 10 | round) / 10; $1"; }
        echo "### The gateway as-web: $(w .sessions) browser sessions ($(w .advisors) advisor, $(w .foremen) foreman and $(w .technicians) technician sessions) for $(sec "$(w .load_s)") s"
        echo
        echo "as-web: $ASWEB${BENCH_WEB_INFLIGHT:+, inflight_per_service $BENCH_WEB_INFLIGHT}"
        echo
        echo "| figure | value |"
        echo "|---|---|"
        echo "| pages/s (HTML, scripts, style, labels, /api/me: 6 requests each) | $(num "$(w .pages_per_s)") |"
        echo "| API calls/s (/api/call answered 200) | $(num "$(w .api_calls_per_s)") |"
        echo "| HTTP requests/s, all | $(num "$(w .requests_per_s)") |"
        echo "| a change's round trip (RO open, clock on/off): request -> committed -> reply, p50 / p99 ms | $(w '"\(.change.p50_ms | r) / \(.change.p99_ms | r)"') |"
        for a in board search ro_open clock page signin; do
            echo "| $a: count, p50 / p99 ms, errors | $(w '.actions.'"$a"' | "\(.count), \(.p50_ms | r) / \(.p99_ms | r), \(.errors)"') |"
        done
        echo "| board latency under the load: RO opened -> its event on another session's stream, p50 / p99 ms (n) | $(w '.board_latency_load | "\(.p50_ms | r) / \(.p99_ms | r) (\(.count))"') |"
        echo "| board latency alone (one advisor, RO after RO), p50 / p99 ms (n) | $(w '.board_latency_idle | "\(.p50_ms | r) / \(.p99_ms | r) (\(.count))"') |"
        echo "| as-web CPU s while webbench ran (seeding, sign-ins, load, alone) / peak RSS MiB (the sign-ins' Argon2id) | $(secs "$(j web-procs .web_cpu_ms)") / $(mb "$(j web-procs .web_peak_rss_kb)") |"
        echo "| sign-in of every session at once, s (Argon2id each) | $(sec "$(w .signin_s)") |"
        echo
    fi
    if wants daemons; then
        echo "### The real daemons: commands from 1 to $(j daemons '[.rows[].clients] | max') clients, $(j daemons .seconds) s each"
        echo
        echo "asbus, reception, workshop, parts and kpi (fsync'd stores) on one machine; each client its own connection in a closed loop (daemonbench). CPU: every daemon's and asbus's, per command of the run; commits: the commanded daemon's write transactions that wrote (one fsync each). workshop.clock.on and .off alternate in one run (each technician on their own job): each row counts its own commands and round trips, the errors, CPU and commits columns are the run's. status and reception.ro.show are the ceilings: the runtime's answer without a turn, and a query's turn (no writes of its own; its request id is held in memory until a turn writes, so queries alone commit nothing)."
        echo
        echo "| command | clients | commands/s | p50 ms | p99 ms | p99.9 ms | errors | CPU µs per command | commits/s | commands per commit |"
        echo "|---|---|---|---|---|---|---|---|---|---|"
        jq -r 'def r: (. * 100 | round) / 100;
            .rows[] | "| \(.command) | \(.clients) | \(.commands_per_s | round) | \(.p50_ms | r) | \(.p99_ms | r) | \(.p999_ms | r) | \(.errors)\(if .errors > 0 then " (" + .first_error + ")" else "" end) | \(.cpu_us_per_command | round) | \(.commits_per_s | round) | \(if .commands_per_commit > 0 then (.commands_per_commit | r | tostring) else "-" end) |"' \
            "$out/daemons.json"
        echo
        echo "Set-up (master data through the commands: technicians, bays, parts and stock, $(j daemons .vehicles) vehicles, each technician's job dispatched): $(sec "$(j daemons .setup_s)") s."
        [ -z "$(j ceil-fsync .commits_per_second)" ] ||
            echo "The disk's fsync'd LMDB commits one at a time (the ceilings part): $(num "$(j ceil-fsync .commits_per_second)")/s: the most commits/s a daemon can make, whatever the clients."
        echo
    fi
    if wants sites; then
        # sj RUN EXPR: a value of a sites run's report
        sj() { j "sites-$1" "$2"; }
        f1() { [ -n "$1" ] && [ "$1" != null ] && awk -v v="$1" 'BEGIN { printf "%.1f", v }' || printf 'n/a'; }
        echo "### A dealer group on one bus: 1 to $(echo $sites_counts | awk '{print $NF}') sites ($sites_rate events/s per site for ${sites_seconds}s, $sites_consumers consumer(s) per site following its own site's reception)"
        echo
        echo "CPU = on-CPU time of every thread (/proc/PID/task/*/schedstat; a consumer's from its getrusage) over the run (first event to last applied). A consumer's µs per own event counts every event it was sent, its own site's and any other's, against the events of its site: flat when the bus delivers a site only its own events."
        echo
        echo "| sites | events/s, all sites | forwarder CPU % | forwarder CPU µs per event | consumer CPU µs per own event, mean | max | events sent to a consumer per own event (s01, mid-run) | publisher CPU µs per event, mean |"
        echo "|---|---|---|---|---|---|---|---|"
        for k in $sites_counts; do
            r=flat-$k
            echo "| $k | $(num "$(sj "$r" '.events * 1000 / .wall_ms')") | $(f1 "$(sj "$r" '.bus_cpu_us / 10 / .wall_ms')") | $(f1 "$(sj "$r" '.bus_cpu_us / .events')") | $(f1 "$(sj "$r" '.consumer_us_per_event | add / length')") | $(f1 "$(sj "$r" '.consumer_us_per_event | max')") | $(f1 "$(sj "$r" 'if .mid_run_own_events > 0 then (.mid_run_own_events + .mid_run_other_sites_events) / .mid_run_own_events else null end')") | $(f1 "$(sj "$r" '.publisher_us_per_event | add / length')") |"
        done
        first=$(echo $sites_counts | awk '{print $1}') last=$(echo $sites_counts | awk '{print $NF}')
        echo "| growth $first -> $last sites (× per event) | | | $(ratio "$(sj "flat-$last" '.bus_cpu_us / .events')" "$(sj "flat-$first" '.bus_cpu_us / .events')") | $(ratio "$(sj "flat-$last" '.consumer_us_per_event | add / length')" "$(sj "flat-$first" '.consumer_us_per_event | add / length')") | $(ratio "$(sj "flat-$last" '.consumer_us_per_event | max')" "$(sj "flat-$first" '.consumer_us_per_event | max')") | | $(ratio "$(sj "flat-$last" '.publisher_us_per_event | add / length')" "$(sj "flat-$first" '.publisher_us_per_event | add / length')") |"
        echo
        if [ "$sites_chain" != 0 ]; then
            r=chain-$sites_chain
            echo "### A chain: $sites_chain site buses forwarding up to one group bus, one group consumer following every site"
            echo
            echo "| figure | value |"
            echo "|---|---|"
            echo "| events/s, all sites | $(num "$(sj "$r" '.events * 1000 / .wall_ms')") |"
            echo "| group bus CPU %, µs per event | $(f1 "$(sj "$r" '.group_bus_cpu_us / 10 / .wall_ms')"), $(f1 "$(sj "$r" '.group_bus_cpu_us / .events')") |"
            echo "| site buses together CPU %, µs per event | $(f1 "$(sj "$r" '.bus_cpu_us / 10 / .wall_ms')"), $(f1 "$(sj "$r" '.bus_cpu_us / .events')") |"
            echo "| group consumer CPU µs per event (every site's) | $(f1 "$(sj "$r" '.group_consumer_cpu_us / .events')") |"
            echo "| site consumer CPU µs per own event, mean / max | $(f1 "$(sj "$r" '.consumer_us_per_event | add / length')") / $(f1 "$(sj "$r" '.consumer_us_per_event | max')") |"
            echo "| events sent to a site consumer per own event (s01, mid-run) | $(f1 "$(sj "$r" 'if .mid_run_own_events > 0 then (.mid_run_own_events + .mid_run_other_sites_events) / .mid_run_own_events else null end')") |"
            echo
        fi
    fi
    if wants kpiyear; then
        k() { j "$1" "$2"; }
        kms() { # kms RUN: "p50 / p99 ms (rows, KiB)" of a report's round trips, or why not
            if [ -f "$out/$1.json" ]; then
                k "$1" '"\(.p50_us / 1000 * 100 | round / 100) / \(.p99_us / 1000 * 100 | round / 100) (\(.rows) rows, \(.reply_bytes / 1024 | round) KiB)"'
            else
                printf '%s' "${2:-not run}"
            fi
        }
        ky_events=$(k kpiyear .events) ky_secs=$(k kpiyear .seconds)
        ky_eps=$([ -n "$ky_secs" ] && awk -v e="$ky_events" -v s="$ky_secs" 'BEGIN { if (s > 0) printf "%.0f", e / s }' || true)
        ky_ceil=$(k kpiyear-ceil .events_per_second)
        echo "### kpi rebuilding a dealer group's year from the outboxes ($(k kpiyear-gen .sites) sites x $(k kpiyear-gen .days) working days x $(k kpiyear-gen .ros_per_day) ROs a day)"
        echo
        if [ "$(k kpiyear .mode)" = group ]; then
            echo "Mode: the group kpi (\`[kpi] sites\`), one kpi following every site's reception, workshop and parts on one bus."
        else
            echo "Mode: one site kpi per site, one site after another (this build's kpi has no \`[kpi] sites\`): the seconds are summed over the sites."
        fi
        echo
        echo "| figure | value |"
        echo "|---|---|"
        echo "| scale: sites x working days ($(k kpiyear-gen .first_day) .. $(k kpiyear-gen .last_day)) x ROs a day | $(k kpiyear-gen .sites) x $(k kpiyear-gen .days) x $(k kpiyear-gen .ros_per_day) = $(num "$(k kpiyear-gen '.sites * .days * .ros_per_day')") ROs |"
        echo "| events in the outboxes (per RO) | $(num "$ky_events") ($(k kpiyear-gen .events_per_ro)) |"
        echo "| writing them (yeargen, $(k kpiyear-gen .commits) commits): s, events/s | $(sec "$(k kpiyear-gen .seconds)"), $(num "$(k kpiyear-gen .events_per_second)")$([ "$(k kpiyear-gen .stores)" = cached ] && echo ' (cached from an earlier run: reused)') |"
        echo "| rebuild: s from kpi's start until its offsets reached every source's last seq | $(sec "$ky_secs") |"
        echo "| rebuild: events/s | $(num "$ky_eps") |"
        echo "| the one-writer ceiling: raw LMDB puts, batch 5,000, fsync, events/s (rebuild / ceiling) | $(num "$ky_ceil") ($(share "$ky_eps" "$ky_ceil")) |"
        echo "| kpi CPU s, and µs per event (kpi busy: CPU / rebuild seconds) | $(secs "$(k kpiyear .kpi_cpu_ms)"), $(per_event_us "$(k kpiyear .kpi_cpu_ms)" "$ky_events") ($(share "$(k kpiyear .kpi_cpu_ms)" "$(awk -v s="$ky_secs" 'BEGIN { printf "%.0f", s * 1000 }')")) |"
        echo "| CPU s of the serving side (the sites' reception, workshop, parts and asbus), and µs per event | $(secs "$(k kpiyear .serving_cpu_ms)"), $(per_event_us "$(k kpiyear .serving_cpu_ms)" "$ky_events") |"
        echo "| kpi peak RSS MiB (the largest) | $(mb "$(k kpiyear .kpi_peak_rss_kb)") |"
        [ -f "$out/kpiyear-store.json" ] && echo "| kpi's store after the rebuild ($([ "$(k kpiyear .mode)" = group ] && echo "the group kpi's" || echo "site-01's")), MiB | $(mb "$(k kpiyear-store .kpi_store_kb)") |"
        noyear="skipped: this build's KpiReportRequest has no year"
        for scope in site group; do
            [ "$scope" = group ] && [ "$(k kpiyear .mode)" != group ] && {
                echo "| kpi.report for the group | skipped: this build's kpi has no [kpi] sites |"
                continue
            }
            for by in department technician; do
                echo "| kpi.report, $([ $scope = site ] && echo site-01 || echo the group), month $kpiyear_month by $by: p50 / p99 ms | $(kms "kpiyear-$scope-month-$by") |"
                echo "| kpi.report, $([ $scope = site ] && echo site-01 || echo the group), year $kpiyear_year by $by: p50 / p99 ms | $(kms "kpiyear-$scope-year-$by" "$noyear") |"
            done
        done
        echo
        echo "Round trips through kpi's service endpoint as asctl makes them, $kpiyear_reps each, one after another, after the rebuild."
        echo
    fi
} | tee "$out/results.md"
# a part whose runs had errors printed its table with them marked; the run failed
[ -z "$daemons_failed" ] || { echo "run.sh: $daemons_failed" >&2; exit 1; }
