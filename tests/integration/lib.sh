# lib.sh — shared helpers for the integration tests: real daemons as processes,
# real sockets, real LMDB files, each test in its own temp directory.
#
# A test sources this file, calls `setup NAME`, starts what it needs with
# start_bus / start_daemon, drives it with `ctl` (asctl --json) and checks with
# `expect_eq`. Everything started is stopped on exit, whatever happens.
set -euo pipefail

: "${AS_BUILD:?AS_BUILD must point at the build tree}"
ASBUS="$AS_BUILD/services/bus/asbus"
ASDEMO="$AS_BUILD/tools/asdemo/asdemo"
ASCTL="$AS_BUILD/tools/asctl/asctl"
FRAMES="$AS_BUILD/tests/integration/astest_frames"

declare -A PIDS=()
FAILURES=0

setup() {
    TEST_NAME=$1
    T=$(mktemp -d "${TMPDIR:-/tmp}/as-$TEST_NAME.XXXXXX")
    CONFIG=$T/site.ini
    export AS_CONFIG=$CONFIG AS_ACTOR=tester
    trap teardown EXIT
    write_config
    log "temp dir $T"
}

# The default single-bus config; a test may append sections or rewrite it.
write_config() {
    cat >"$CONFIG" <<INI
[site]
name = test
data_dir = $T/data
run_dir = $T
services = demo, sink

[bus]
xsub = ipc://$T/bus-in
xpub = ipc://$T/bus-out
publish = ipc://$T/bus-in
subscribe = ipc://$T/bus-out

[demo]
endpoint = ipc://$T/demo.sock
heartbeat_ms = 200

[sink]
endpoint = ipc://$T/sink.sock
follows = demo
heartbeat_ms = 200

; who works here: a test that needs people appends them in a [staff] of its own
[staff]
INI
}

# write_curve_config SERVICES: a site with CURVE on (keys in $T/keys) and its
# tcp_base N: a first port of N free consecutive loopback ports, below the
# kernel's ephemeral range (ip_local_port_range), where no connection's own
# port is ever taken from, and checked free: another test's random base, or
# an outgoing connection's port in the ephemeral range, made a bus fail to
# bind ("Address already in use")
tcp_base() {
    local n=$1 low high b
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range
    high=$((low - n - 1))
    for _ in $(seq 50); do
        b=$((10000 + RANDOM % (high - 10000)))
        if python3 - "$b" "$n" <<'PY'; then
import socket, sys
b, n = int(sys.argv[1]), int(sys.argv[2])
held = []
try:
    for p in range(b, b + n):
        s = socket.socket()
        s.bind(("127.0.0.1", p))
        held.append(s)
except OSError:
    sys.exit(1)
PY
            echo "$b"
            return 0
        fi
    done
    fail "no $n free ports below $low"
    echo 20000
}

# bus on tcp:// ports $base and $base+1; the test appends its services' sections
write_curve_config() {
    cat >"$CONFIG" <<INI
[site]
name = test
data_dir = $T/data
services = $1
[security]
curve = on
keys_dir = $T/keys
[bus]
xsub = tcp://127.0.0.1:$base
xpub = tcp://127.0.0.1:$((base + 1))
publish = \${bus.xsub}
subscribe = \${bus.xpub}
INI
}

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$TEST_NAME: $*" >&2; } # bash's own clock: no date process

fail() {
    log "FAIL: $*"
    FAILURES=$((FAILURES + 1))
}

# running PID: the process is there and has not exited (an exited child of
# this shell stays a zombie, which kill -0 still finds, until it is waited for)
running() {
    local stat
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }
    [ "${stat:0:1}" != Z ]
}

teardown() {
    local rc=$?
    for name in "${!PIDS[@]}"; do
        kill -TERM "${PIDS[$name]}" 2>/dev/null || true
    done
    # up to 0.3 s for them to go (most are gone in a few ms), then SIGKILL
    local tries=15 name
    while [ $tries -gt 0 ]; do
        for name in "${!PIDS[@]}"; do
            running "${PIDS[$name]}" && break
            unset "PIDS[$name]"
        done
        [ "${#PIDS[@]}" -gt 0 ] || break
        tries=$((tries - 1))
        sleep 0.02
    done
    for name in "${!PIDS[@]}"; do
        kill -KILL "${PIDS[$name]}" 2>/dev/null || true
    done
    if [ "$rc" -ne 0 ] || [ "$FAILURES" -ne 0 ]; then
        log "logs of the daemons (last lines):"
        for f in "$T"/*.log; do
            [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; } >&2
        done
        [ "$rc" -eq 0 ] && rc=1
    else
        rm -rf "$T"
    fi
    exit "$rc"
}

# start_bus NAME [asbus args...]: an asbus reading section NAME of the config
start_bus() {
    local name=$1
    shift
    local before
    before=$(grep -c "asbus: forwarding" "$T/$name.log" 2>/dev/null || true)
    "$ASBUS" --config "$CONFIG" --name "$name" "$@" >>"$T/$name.log" 2>&1 &
    PIDS[$name]=$!
    # bound before the daemons connect: a daemon that connects first is
    # refused and retried after libzmq's reconnect interval (100 ms); what a
    # test's hand-made source (no heartbeats, no endpoint) publishes in that
    # window never reaches it. A real source's heartbeats make it replay
    # what it missed (test_bus_late.sh).
    wait_for "$name forwards" bus_forwarding "$name" "${before:-0}"
}
bus_forwarding() { # bus_forwarding NAME N: the log says it forwards more than N times
    [ "$(grep -c "asbus: forwarding" "$T/$1.log" 2>/dev/null || true)" -gt "$2" ] ||
        ! running "${PIDS[$1]}"
}

# start_daemon source|sink: one asdemo daemon
start_daemon() {
    local role=$1
    "$ASDEMO" "$role" --config "$CONFIG" >>"$T/$role.log" 2>&1 &
    PIDS[$role]=$!
    wait_for "$role answers status" ctl_ok status "$(service_of "$role")"
}

# start_service NAME: one of the dealership's daemons (services/NAME/as-NAME)
start_service() {
    local name=$1
    "$AS_BUILD/services/$name/as-$name" --config "$CONFIG" >>"$T/$name.log" 2>&1 &
    PIDS[$name]=$!
    wait_for "$name answers status" ctl_ok status "$name"
}

# SITE_SERVICES: the six services of the default site (deploy/local.ini)
SITE_SERVICES=(reception workshop parts kpi warranty tools)

# start_site_daemons: the six services, the OEM, the CRM gateway and (when the
# config has [sales]) the sales DMS's on the bus the caller started, once the
# gateways answer
start_site_daemons() {
    for s in "${SITE_SERVICES[@]}"; do start_service "$s"; done
    "$AS_BUILD/tools/asoem/asoem" --config "$CONFIG" >>"$T/oem.log" 2>&1 &
    PIDS[oem]=$!
    "$AS_BUILD/services/ingest/as-ingest" --name crm --config "$CONFIG" >>"$T/crm.log" 2>&1 &
    PIDS[crm]=$!
    wait_for "crm answers status" ctl_ok status crm
    if grep -q '^\[sales\]' "$CONFIG"; then
        "$AS_BUILD/services/ingest/as-ingest" --name sales --config "$CONFIG" >>"$T/sales.log" 2>&1 &
        PIDS[sales]=$!
        wait_for "sales answers status" ctl_ok status sales
    fi
}

# stop_site_daemons: stops what start_site_daemons started (the sales
# gateway too when it runs), each with SIGTERM; fails the test if one does not
# exit 0
stop_site_daemons() {
    local s
    for s in sales crm oem "${SITE_SERVICES[@]}"; do
        if [ -n "${PIDS[$s]:-}" ]; then stop "$s"; fi
    done
}

# start_dealership: the default site (deploy/local.ini, in the test's own
# directory): the bus, the six services, the OEM and the CRM gateway
start_dealership() {
    export AS_RUN_DIR=$T
    cp "$(dirname "${BASH_SOURCE[0]}")/../../deploy/local.ini" "$CONFIG"
    start_bus bus
    start_site_daemons
}

service_of() { [ "$1" = source ] && echo demo || echo "$1"; }

stop() { # stop NAME: SIGTERM and wait; fails the test if it did not exit 0
    local name=$1 pid=${PIDS[$1]}
    kill -TERM "$pid"
    local rc=0
    wait "$pid" || rc=$?
    unset "PIDS[$name]"
    [ "$rc" -eq 0 ] || fail "$name exited $rc on SIGTERM"
}

kill9() { # kill9 NAME
    local name=$1
    kill -KILL "${PIDS[$name]}" 2>/dev/null || true
    wait "${PIDS[$name]}" 2>/dev/null || true
    unset "PIDS[$name]"
}

alive() { kill -0 "${PIDS[$1]}" 2>/dev/null; }

# asctl as a person: with the identity ASCTL_IDENTITY when CURVE is on
# (without env(1): a process fewer for each of a test's hundreds of calls)
ctl() {
    if [ -n "${ASCTL_IDENTITY:-}" ]; then
        AS_IDENTITY=$ASCTL_IDENTITY "$ASCTL" --json --config "$CONFIG" "$@"
    else
        "$ASCTL" --json --config "$CONFIG" "$@"
    fi
}
ctl_ok() { ctl "$@" >/dev/null 2>&1; }

# json EXPR: reads JSON on stdin, prints the jq expression's raw value
json() { jq -r "$1"; }

# evening_clock: this test and every process it starts live in a time zone
# where it is now 23:00, so "today" is a day whose working hours are over:
# the day's clock entries (a played day's run into the evening) are in the
# past, and every event of the day, a command's or a clock entry's, is dated
# today, whatever hour the test runs at, on the 1st of a month too. The test
# has an hour before that day ends.
evening_clock() {
    local now off
    now=$(date -u +%H:%M)
    off=$(((10#${now%:*} * 60 + 10#${now#*:} - 23 * 60 + 1440) % 1440))
    export TZ="XST+$((off / 60)):$(printf %02d $((off % 60)))"
}

# wait_for DESCRIPTION CMD...: retries CMD for up to $WAIT_SECONDS (default 60),
# looking again after 0.05 s, then twice as long each time up to 1 s: a
# look is often an asctl and a jq (~0.1 s of CPU under ASan), so a test that
# looked every 0.2 s through a long wait kept most of a core busy and slowed
# the daemons it was waiting for
wait_for() {
    local what=$1
    shift
    local deadline=$((SECONDS + ${WAIT_SECONDS:-60})) pause=5 seconds # pause: in 1/100 s
    until "$@"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            fail "timed out waiting for: $what"
            return 1
        fi
        printf -v seconds '%d.%02d' $((pause / 100)) $((pause % 100))
        sleep "$seconds"
        pause=$((pause * 2 > 100 ? 100 : pause * 2))
    done
}

expect_eq() { # expect_eq WHAT EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        log "ok: $1 = $3"
    else
        fail "$1: expected $2, got $3"
    fi
}

# refused ACTOR CODE WHAT-IN-ERROR COMMAND ARGS...: `asctl call` as ACTOR fails
# with CODE and an error text that contains WHAT-IN-ERROR (a test's own
# refused() of the same name, where it has one, takes its place)
# expect_exit WHAT CODE OUT CMD...: runs CMD, its output (stdout and stderr)
# into the file OUT, and checks that it exits with CODE
expect_exit() {
    local what=$1 code=$2 out=$3 rc=0
    shift 3
    "$@" >"$out" 2>&1 || rc=$?
    expect_eq "$what" "$code" "$rc"
}
refused() {
    local actor=$1 code=$2 text=$3
    shift 3
    local out
    out=$(AS_ACTOR=$actor ctl call "$@" || true)
    expect_eq "$1 refused ($text)" "$code" "$(echo "$out" | json .code)"
    echo "$out" | json .error | grep -qF -- "$text" ||
        fail "$1: error '$(echo "$out" | json .error)' does not say '$text'"
}

# worded ACTOR FORMAT ARGS COMMAND ARGS...: `asctl call` as ACTOR is refused
# with FORMAT (the refusal's own words, which refusals.json translates) and
# ARGS, its arguments as a compact JSON array: only data (ids, numbers, dates),
# no English sentence for a page to show untranslated
worded() {
    local actor=$1 format=$2 args=$3
    shift 3
    local out
    out=$(AS_ACTOR=$actor ctl call "$@" || true)
    expect_eq "$1: the refusal's format" "$format" "$(echo "$out" | json .format)"
    expect_eq "$1: the refusal's arguments" "$args" "$(echo "$out" | jq -c .args)"
}

sink_totals() { ctl call sink.totals | json "$1"; }
source_state() { ctl call demo.state | json "$1"; }

# last seq the source has committed, and what the sink applied of it
source_last_seq() { ctl status demo | json '.services[0].last_seq'; }
sink_applied_of() { ctl status sink | json ".services[0].offsets[] | select(.source==\"$1\") | .applied_seq"; }

sink_count_is() { [ "$(sink_totals '.reply.count' 2>/dev/null)" = "$1" ]; }

finish() {
    if [ "$FAILURES" -ne 0 ]; then
        log "$FAILURES check(s) failed"
        exit 1
    fi
    log "passed"
}

# keys_back_to DIR SEP DB...: rewrites the LMDB store in DIR as it was before
# the one record encoding: in the keys of the databases DB, the byte 00
# between parts becomes the old separator SEP (one character), and the note
# that the keys were moved goes. The store must be closed.
keys_back_to() {
    local dir=$1 sep
    sep=$(printf '%s' "$2" | od -An -tx1 | tr -d ' \n')
    shift 2
    mdb_dump -a "$dir" >"$dir.dump" # hex: mdb_load misreads long printable lines
    awk -v sep="$sep" -v dbs=" $* " '
        function back(hex, out, i, pair) {
            out = ""
            for (i = 2; i < length(hex); i += 2) {
                pair = substr(hex, i, 2)
                out = out (pair == "00" ? sep : pair)
            }
            return " " out
        }
        /^database=/ { db = substr($0, 10) }
        /^HEADER=END/ { data = 1; n = 0; print; next }
        /^DATA=END/ { data = 0; print; next }
        data && n++ % 2 == 0 {
            if (db == "meta" && $0 == " 7265636f72645f6b657973") { skip = 1; next } # record_keys
            if (index(dbs, " " db " ")) $0 = back($0)
            print; next
        }
        data && skip { skip = 0; next }
        { print }' "$dir.dump" >"$dir.old"
    rm -rf "$dir" && mkdir -p "$dir"
    mdb_load -f "$dir.old" "$dir"
    rm -f "$dir.dump" "$dir.old"
}
