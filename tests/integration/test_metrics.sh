#!/usr/bin/env bash
# labels: ops
# timeout: 300
# GET /metrics and /health of the runtime ([NAME] metrics_listen), as a
# monitoring person reads them: commands by name and status (one refused,
# one retried), events applied per source, lag 0 when caught up, a replay
# answered after a consumer was down, the store's size, the histograms'
# buckets, the build's version; a slow consumer shows its lag and answers
# 503 on /health until it has caught up; junk on the port does not hurt the
# daemon; a metrics_listen that is not host:port refuses to start (78); one
# other machines reach needs a bearer token (metrics_token_file, mode 600)
# and answers 401 without it.
# The text must pass `promtool check metrics` (Debian's prometheus package)
# when it is installed.
. "$(dirname "$0")/lib.sh"
setup metrics

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P_DEMO=$(free_port)
P_SINK=$(free_port)
P_BUS=$(free_port)
sed -i "/^\[bus\]/a metrics_listen = 127.0.0.1:$P_BUS" "$CONFIG"
sed -i "/^\[demo\]/a metrics_listen = 127.0.0.1:$P_DEMO" "$CONFIG"
sed -i "/^\[sink\]/a metrics_listen = 127.0.0.1:$P_SINK" "$CONFIG"

# scrape PORT: the metrics text into $T/m.PORT
scrape() { curl -sf --max-time 5 "http://127.0.0.1:$1/metrics" >"$T/m.$1"; }
# metric PORT 'NAME{LABELS}' : the value of the sample whose name and labels
# start as given (the service label first: sample 'as_x{service="sink"'), else ""
metric() {
    awk -v want="$2" 'index($0, want) == 1 && $0 !~ /^#/ { print $NF; exit }' "$T/m.$1"
}
health_code() { curl -s --max-time 5 -o "$T/h.$1" -w '%{http_code}' "http://127.0.0.1:$1/health"; }
# check_text PORT: the text parses as Prometheus exposition format
check_text() {
    if command -v promtool >/dev/null; then
        promtool check metrics <"$T/m.$1" >"$T/promtool.out" 2>&1 ||
            fail "promtool check metrics on :$1: $(cat "$T/promtool.out")"
    fi
    # and, promtool or not, every line is a comment or NAME{LABELS} VALUE
    local bad
    bad=$(grep -vE '^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)+\})? (-?[0-9.e+]+|\+Inf|NaN))$' "$T/m.$1" | head -3 || true)
    [ -z "$bad" ] || fail "lines of :$1 that are not exposition format: $bad"
}
# buckets_monotonic PORT NAME SERVICE: cumulative buckets never go down, +Inf = _count
buckets_monotonic() {
    local vals count inf
    vals=$(grep "^$2_bucket{service=\"$3\"" "$T/m.$1" | awk '{print $NF}')
    [ -n "$vals" ] || { fail "no $2 buckets on :$1"; return; }
    echo "$vals" | awk 'NR > 1 && $1 < prev { bad = 1 } { prev = $1 } END { exit bad }' ||
        fail "$2 buckets go down: $(echo $vals)"
    inf=$(grep "^$2_bucket{service=\"$3\",le=\"+Inf\"}" "$T/m.$1" | awk '{print $NF}')
    count=$(metric "$1" "$2_count{service=\"$3\"")
    expect_eq "$2 +Inf bucket = _count" "$count" "$inf"
}

start_bus bus
start_daemon source
start_daemon sink

log "--- commands and events"
ctl call demo.generate count=50 >/dev/null
wait_for "sink applied 50" sink_count_is 50
# a refused command (count 0 is out of range) and a retry of the same request
ctl call demo.generate count=0 >/dev/null 2>&1 && fail "demo.generate count=0 was not refused"
ctl call demo.add value=7 --request-id metrics-retry-1 >/dev/null
ctl call demo.add value=7 --request-id metrics-retry-1 | json .replayed | grep -qx true ||
    fail "the retry was not answered from the stored reply"
wait_for "sink applied 51" sink_count_is 51
wait_for "the sink's lag is 0" eval 'scrape $P_SINK && [ "$(metric $P_SINK "as_source_lag_events{service=\"sink\",source=\"demo@test\"")" = 0 ]'
scrape "$P_DEMO"
check_text "$P_DEMO"
check_text "$P_SINK"
expect_eq "demo.generate ok" 1 "$(metric "$P_DEMO" 'as_commands_total{service="demo",command="demo.generate",status="ok"}')"
expect_eq "demo.generate refused (invalid)" 1 "$(metric "$P_DEMO" 'as_commands_total{service="demo",command="demo.generate",status="invalid"}')"
expect_eq "demo.add ok (the retry counts again)" 2 "$(metric "$P_DEMO" 'as_commands_total{service="demo",command="demo.add",status="ok"}')"
expect_eq "events the sink applied of demo@test" 51 "$(metric "$P_SINK" 'as_events_applied_total{service="sink",source="demo@test"}')"
expect_eq "events the sink skipped" 0 "$(metric "$P_SINK" 'as_events_skipped_total{service="sink",source="demo@test"}')"
expect_eq "the sink's known seq of demo@test" 51 "$(metric "$P_SINK" 'as_source_known_seq{service="sink",source="demo@test"}')"
expect_eq "the sink is caught up" 1 "$(metric "$P_SINK" 'as_caught_up{service="sink"}')"
expect_eq "the demo's outbox" 51 "$(metric "$P_DEMO" 'as_outbox_last_seq{service="demo"}')"
used=$(metric "$P_SINK" 'as_store_used_bytes{service="sink"}')
map=$(metric "$P_SINK" 'as_store_map_bytes{service="sink"}')
[ "${used:-0}" -gt 0 ] && [ "${map:-0}" -ge "$used" ] || fail "store used $used of map $map"
expect_eq "map growths" 0 "$(metric "$P_SINK" 'as_store_map_growths_total{service="sink"}')"
expect_eq "store writable" 1 "$(metric "$P_SINK" 'as_store_writable{service="sink"}')"
expect_eq "frames rejected" 0 "$(metric "$P_SINK" 'as_frames_rejected_total{service="sink"}')"
buckets_monotonic "$P_DEMO" as_commit_seconds demo
buckets_monotonic "$P_SINK" as_commit_seconds sink
buckets_monotonic "$P_SINK" as_batch_size sink
buckets_monotonic "$P_DEMO" as_loop_busy_seconds demo
buckets_monotonic "$P_SINK" as_loop_busy_seconds sink
version=$("$ASDEMO" --version)
version=${version#asdemo }
expect_eq "build info" 1 "$(metric "$P_SINK" "as_build_info{service=\"sink\",version=\"$version\"")"
started=$(metric "$P_SINK" 'as_process_start_time_seconds{service="sink"}')
awk -v s="$started" -v now="$(date +%s)" 'BEGIN { exit !(s > now - 300 && s <= now + 1) }' ||
    fail "process start time $started is not a time of the last minutes"
expect_eq "/health of the sink" 200 "$(health_code "$P_SINK")"
jq -e '.up and .caught_up and .store_writable and .service == "sink" and
       .sources[0].source == "demo@test" and .sources[0].lag == 0' "$T/h.$P_SINK" >/dev/null ||
    fail "/health says $(cat "$T/h.$P_SINK")"
jq -e --arg v "$version" '.version == $v' "$T/h.$P_SINK" >/dev/null || fail "/health version: $(cat "$T/h.$P_SINK")"

log "--- the forwarder (asbus) counts what it forwards"
scrape "$P_BUS"
check_text "$P_BUS"
fwd=$(metric "$P_BUS" 'as_bus_forwarded_total{service="bus"}')
# (events the bus got before the sink's subscription reached it went to
# nobody: the sink replayed them, so only "some" can be asserted)
[ "${fwd:-0}" -ge 1 ] || fail "the bus forwarded $fwd messages: not even heartbeats"
bytes=$(metric "$P_BUS" 'as_bus_forwarded_bytes_total{service="bus"}')
[ "${bytes:-0}" -gt "$fwd" ] || fail "the bus forwarded $fwd messages in $bytes bytes"
expect_eq "the bus's build info" 1 "$(metric "$P_BUS" "as_build_info{service=\"bus\",version=\"$version\"")"
expect_eq "forged messages the bus refused (ipc://: none checked)" 0 "$(metric "$P_BUS" 'as_events_forged_total{service="bus"}')"
expect_eq "/health of the bus" 200 "$(health_code "$P_BUS")"

log "--- a consumer that was down asks for what it missed: a replay answered"
stop sink
ctl call demo.generate count=30 >/dev/null
wait_for "the demo emitted 81" eval '[ "$(source_last_seq)" = 81 ]'
start_daemon sink
wait_for "sink applied 81" sink_count_is 81
scrape "$P_DEMO"
scrape "$P_SINK"
answered=$(metric "$P_DEMO" 'as_replay_requests_answered_total{service="demo"}')
[ "${answered:-0}" -ge 1 ] || fail "the demo answered $answered replay requests"
sent=$(metric "$P_SINK" 'as_replay_requests_sent_total{service="sink"}')
[ "${sent:-0}" -ge 1 ] || fail "the sink sent $sent replay requests"
got=$(metric "$P_SINK" 'as_replay_events_received_total{service="sink"}')
[ "${got:-0}" -ge 30 ] || fail "the sink received $got events through replay, not the 30 it missed"

log "--- a slow consumer lags: lag > 0 and /health 503, then caught up again"
stop sink
sed -i "/^\[sink\]/a apply_delay_us = 4000\nmax_batch = 10" "$CONFIG"
ctl call demo.generate count=1500 >/dev/null
wait_for "the demo emitted 1581" eval '[ "$(source_last_seq)" = 1581 ]'
start_daemon sink
SINK_STARTED=$SECONDS
lagging() {
    scrape "$P_SINK" || return 1
    local lag
    lag=$(metric "$P_SINK" 'as_source_lag_events{service="sink",source="demo@test"')
    [ "${lag:-0}" -gt 0 ] && [ "$(metric "$P_SINK" 'as_caught_up{service="sink"}')" = 0 ]
}
WAIT_SECONDS=20 wait_for "the sink shows its lag" lagging
log "lag while catching up: $(metric "$P_SINK" 'as_source_lag_events{service="sink",source="demo@test"')"
expect_eq "/health while lagging" 503 "$(health_code "$P_SINK")"
jq -e '.up and (.caught_up | not) and .sources[0].lag > 0' "$T/h.$P_SINK" >/dev/null ||
    fail "/health while lagging says $(cat "$T/h.$P_SINK")"
# /health keeps answering through the catch-up, also after the daemon's
# first housekeeping tick (1 s after its start): a write transaction of its
# own, which once applied every waiting event first and held the loop, and
# /health unanswered, until the catch-up was over. The catch-up of the 1500
# events it missed takes at least 1500 x 4 ms = 6 s.
HEALTH_UNANSWERED=0 HEALTH_LATE=0
health_until_caught_up() {
    case "$(health_code "$P_SINK")" in
    000) HEALTH_UNANSWERED=$((HEALTH_UNANSWERED + 1)) ;;
    503) [ $((SECONDS - SINK_STARTED)) -lt 3 ] || HEALTH_LATE=$((HEALTH_LATE + 1)) ;;
    esac
    sink_count_is 1581
}
WAIT_SECONDS=90 wait_for "the sink caught up" health_until_caught_up
expect_eq "/health requests unanswered in 5 s during the catch-up" 0 "$HEALTH_UNANSWERED"
[ "$HEALTH_LATE" -ge 1 ] ||
    fail "/health never answered 503 after the first 2 s of the catch-up (the housekeeping tick)"
wait_for "/health 200 again" eval '[ "$(health_code $P_SINK)" = 200 ]'
scrape "$P_SINK"
expect_eq "lag after catching up" 0 "$(metric "$P_SINK" 'as_source_lag_events{service="sink",source="demo@test"}')"
batches=$(grep '^as_batch_size_bucket{service="sink",le="10"}' "$T/m.$P_SINK" | awk '{print $NF}')
[ "${batches:-0}" -ge 100 ] || fail "max_batch 10: only $batches turns of at most 10"
# the loop was held for every event this sink applied since its start (1500
# at 4 ms: 6 s), in rounds of 40 ms or more (a turn of 10 events)
rounds=$(metric "$P_SINK" 'as_loop_busy_seconds_count{service="sink"}')
short=$(metric "$P_SINK" 'as_loop_busy_seconds_bucket{service="sink",le="0.025"}')
busy=$(metric "$P_SINK" 'as_loop_busy_seconds_sum{service="sink"}')
[ $((${rounds:-0} - ${short:-0})) -ge 1 ] || fail "as_loop_busy_seconds: no round above 25 ms"
awk -v s="${busy:-0}" 'BEGIN { exit !(s >= 6) }' ||
    fail "as_loop_busy_seconds_sum: $busy s, less than the 6 s of applying 1500 events at 4 ms"

log "--- junk on the metrics port"
python3 - "$P_DEMO" <<'PY'
import os, socket, sys
port = int(sys.argv[1])
junk = [b"\x00\xff" * 300, b"GET /metrics HTTP/9.9\r\n\r\n", b"GET " + b"A" * 70000 + b" HTTP/1.1\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nHost: x\r\n" + b"X: y\r\n" * 2000 + b"\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + os.urandom(500), b"GET /metrics HTTP/1.1\r\nHo",
        b"POST /metrics HTTP/1.1\r\nContent-Length: 99999999\r\n\r\nabc", os.urandom(4096)]
for j in junk:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(j)
        s.shutdown(socket.SHUT_WR)
        s.recv(65536)
    except OSError:
        pass
    s.close()
# connections left half-open while the daemon serves others
idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(20)]
for s in idle[:10]:
    s.sendall(b"GET /metr")
import urllib.request
with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
    assert r.status == 200 and b"as_build_info" in r.read(), "no metrics while connections idle"
PY
alive source || fail "the demo died of junk on its metrics port"
expect_eq "POST /metrics" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$P_DEMO/metrics")"
expect_eq "GET /nothing" 404 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P_DEMO/nothing")"
scrape "$P_DEMO" || fail "the demo's /metrics does not answer after the junk"
ctl call demo.add value=1 >/dev/null || fail "the demo does not take commands after the junk"
stop source # exits 0 with a metrics port that saw junk

log "--- metrics_listen that is not host:port: exit 78"
for bad in "localhost" "127.0.0.1:99999" "127.0.0.1:" "not-an-ip:9100" "127.0.0.1:9100x"; do
    cp "$CONFIG" "$T/bad.ini"
    sed -i "s/^metrics_listen = 127.0.0.1:$P_DEMO\$/metrics_listen = $bad/" "$T/bad.ini"
    expect_exit "--check-config with metrics_listen = $bad" 78 "$T/bad.out" "$ASDEMO" source --config "$T/bad.ini" --check-config
    grep -q "metrics_listen '$bad'" "$T/bad.out" || fail "--check-config does not name it: $(cat "$T/bad.out")"
    expect_exit "start with metrics_listen = $bad" 78 "$T/bad.out" "$ASDEMO" source --config "$T/bad.ini"
    grep -q "bad.ini:[0-9]*: \[demo\] metrics_listen '$bad'" "$T/bad.out" ||
        fail "the refusal does not name the file, line and key: $(cat "$T/bad.out")"
    expect_exit "asctl check-config with metrics_listen = $bad" 78 "$T/bad.out" "$ASCTL" --config "$T/bad.ini" check-config
done
cp "$CONFIG" "$T/bad.ini"
sed -i "s/^metrics_listen = 127.0.0.1:$P_BUS\$/metrics_listen = 127.0.0.1/" "$T/bad.ini"
expect_exit "asbus --check-config with metrics_listen = 127.0.0.1" 78 "$T/bad.out" "$ASBUS" --config "$T/bad.ini" --name bus --check-config
expect_exit "asbus start with metrics_listen = 127.0.0.1" 78 "$T/bad.out" "$ASBUS" --config "$T/bad.ini" --name bus
cp "$CONFIG" "$T/bad.ini"
sed -i "s/^metrics_listen = 127.0.0.1:$P_DEMO\$/metrics_lisen = 127.0.0.1:$P_DEMO/" "$T/bad.ini"
expect_exit "start with the key misspelt (metrics_lisen)" 78 "$T/bad.out" "$ASDEMO" source --config "$T/bad.ini"
grep -q "did you mean 'metrics_listen'" "$T/bad.out" || fail "no suggestion: $(cat "$T/bad.out")"
log "--- an address other machines reach: a bearer token, or no start (78)"
cp "$CONFIG" "$T/tok.ini"
sed -i "s/^metrics_listen = 127.0.0.1:$P_DEMO\$/metrics_listen = 0.0.0.0:$P_DEMO/" "$T/tok.ini"
expect_exit "start on 0.0.0.0 without metrics_token_file" 78 "$T/tok.out" "$ASDEMO" source --config "$T/tok.ini"
grep -q "can be reached from other machines: set \[demo\] metrics_token_file" "$T/tok.out" ||
    fail "the refusal does not say what to do: $(cat "$T/tok.out")"
expect_exit "asctl check-config: 0.0.0.0 without metrics_token_file" 78 "$T/tok.out" "$ASCTL" --config "$T/tok.ini" check-config
TOKEN=tok-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$TOKEN" >"$T/metrics.token"
chmod 644 "$T/metrics.token"
sed -i "/^metrics_listen = 0.0.0.0:$P_DEMO/a metrics_token_file = $T/metrics.token" "$T/tok.ini"
expect_exit "start with a token file others may read" 78 "$T/tok.out" "$ASDEMO" source --config "$T/tok.ini"
grep -q "may be read by others (mode 644): chmod 600 it" "$T/tok.out" ||
    fail "the refusal does not say why: $(cat "$T/tok.out")"
printf 'short\n' >"$T/metrics.token"
chmod 600 "$T/metrics.token"
expect_exit "start with a token of 5 characters" 78 "$T/tok.out" "$ASDEMO" source --config "$T/tok.ini"
printf '%s\n' "$TOKEN" >"$T/metrics.token"
"$ASDEMO" source --config "$T/tok.ini" >>"$T/tok.log" 2>&1 &
PIDS[source]=$!
code() { curl -s --max-time 5 -o "$T/tok.body" -w '%{http_code}' "$@"; }
wait_for "the demo's metrics port answers" eval '[ "$(code "http://127.0.0.1:$P_DEMO/metrics")" != 000 ]'
expect_eq "GET /metrics without the token" 401 "$(code "http://127.0.0.1:$P_DEMO/metrics")"
grep -q "as_build_info" "$T/tok.body" && fail "a refused scrape got the metrics"
expect_eq "GET /health without the token" 401 "$(code "http://127.0.0.1:$P_DEMO/health")"
expect_eq "GET /metrics with another token" 401 \
    "$(code -H "Authorization: Bearer ${TOKEN}x" "http://127.0.0.1:$P_DEMO/metrics")"
expect_eq "GET /metrics with the token as Basic" 401 \
    "$(code -H "Authorization: Basic $TOKEN" "http://127.0.0.1:$P_DEMO/metrics")"
expect_eq "GET /metrics with the token" 200 \
    "$(code -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$P_DEMO/metrics")"
grep -q '^as_build_info{service="demo"' "$T/tok.body" || fail "no metrics with the token"
expect_eq "GET /health with the token answers JSON" true \
    "$(code -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$P_DEMO/health" >/dev/null; jq -r '.up' "$T/tok.body")"
stop source
log "--- a port another process holds: the daemon does not start (70)"
sed -i "s/^metrics_listen = 127.0.0.1:$P_DEMO\$/metrics_listen = 127.0.0.1:$P_SINK/" "$CONFIG"
expect_exit "start on a taken metrics port" 70 "$T/taken.out" timeout 20 "$ASDEMO" source --config "$CONFIG"
grep -q "cannot listen on 127.0.0.1:$P_SINK" "$T/taken.out" || fail "does not say why: $(cat "$T/taken.out")"
stop bus # exits 0 with its metrics port open
finish
