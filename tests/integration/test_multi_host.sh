#!/usr/bin/env bash
# labels: dealership fault security
# timeout: 600
# deploy/multi-host.ini as shipped, on one machine: its three server
# addresses made 127.0.0.1, every tcp:// socket under CURVE with a key per
# daemon and per person, two forwarders. asday plays the README's day as a
# delegate (a front end that signs its users in and acts for them), and the
# forwarder of srv-a is killed with SIGKILL early in the day. The KPI report
# (every counter, the department and each technician and advisor) must come
# out exactly as the same day played on the single-host config.
. "$(dirname "$0")/lib.sh"
setup multi_host
repo=$(cd "$(dirname "$0")/../.." && pwd)
evening_clock
DAY=$(date +%F) # the evening of today: the day is over (see evening_clock)
SEED=11

# --- the shipped multi-host config, made local -----------------------------
OFF=$(((RANDOM % 400) * 40))
mkdir -p "$T/keys"
OFF=$OFF perl -pe 's/10\.1\.0\.1[123]:(\d+)/"127.0.0.1:".($1 + $ENV{OFF})/ge' \
    "$repo/deploy/multi-host.ini" |
    sed -e "s|^data_dir = .*|data_dir = $T/data|" -e "s|^keys_dir = .*|keys_dir = $T/keys|" \
        -e "s|^metrics_token_file = .*|metrics_token_file = $T/metrics.token|" >"$CONFIG"
head -c 32 /dev/urandom | base64 >"$T/metrics.token"
chmod 600 "$T/metrics.token"
grep -qE '10\.1\.0\.[0-9]+:' "$CONFIG" && fail "an address of multi-host.ini was not rewritten"
# the same people as the single-host config (so both days are the same day),
# and the test's front end, asday, acting for them
sed -i '/^\[staff\]/,$d' "$CONFIG"
sed -n '/^\[staff\]/,$p' "$repo/deploy/local.ini" >>"$CONFIG"
cat >>"$CONFIG" <<INI
asday = delegate
INI
for s in reception workshop parts kpi warranty tools oem crm sales; do
    sed -i "/^\[$s\]/a heartbeat_ms = 200" "$CONFIG"
done
# a key for every daemon, forwarder, front end and person who runs asctl here
for name in bus bus2 reception workshop parts kpi warranty tools oem crm sales asday it-guo \
    adv-wang svc-mgr; do
    "$ASCTL" keygen "$name" --dir "$T/keys" >/dev/null
done
ASCTL_IDENTITY=it-guo

start_all() { # start_all: both forwarders (when named) and every daemon
    start_site_daemons
    wait_for "oem answers status" ctl_ok status oem
}
# the shipped file has the sales DMS's gateway, as deploy/local.ini has
grep -q '^\[sales\]' "$CONFIG" || fail "multi-host.ini has no [sales]"
# caught_up: kpi has applied every event of every source it follows
caught_up() {
    local st
    st=$(ctl status reception workshop parts warranty tools kpi 2>/dev/null) || return 1
    echo "$st" | jq -e '
        ([.services[] | select(.up) | {key: .source, value: (.last_seq | tonumber)}] | from_entries) as $last |
        [.services[] | select(.service == "kpi") | (.offsets // [])[] |
         select($last[.source] != null) | (.applied_seq | tonumber) == $last[.source]] |
        length >= 5 and all' >/dev/null
}
# the report's rows, counters only (figures are computed from them), of the
# played day's month and of today's (the events of the day's commands are
# dated today: on the 1st of a month those are two months)
counters() {
    local month
    for month in $(printf '%s\n' "${DAY:0:7}" "$(date +%Y-%m)" | sort -u); do
        AS_IDENTITY=asday "$ASCTL" --config "$CONFIG" --actor svc-mgr --json kpi report \
            --month "$month" --by "$1" |
            jq -S --arg m "$month" '{month: $m, rows: [.rows[] | {key, counters}]}'
    done | jq -s .
}

log "--- three servers on one machine, two forwarders, CURVE everywhere"
start_bus bus
start_bus bus2
start_all
AS_IDENTITY=asday "$AS_BUILD/tools/asday/asday" --config "$CONFIG" --date "$DAY" --seed $SEED \
    >"$T/asday.out" 2>&1 &
ASDAY=$!
sleep 1
log "--- srv-a's forwarder dies early in the day"
kill9 bus
rc=0
wait $ASDAY || rc=$?
tail -3 "$T/asday.out" >&2
expect_eq "asday played the day through bus2" 0 "$rc"
expect_eq "repair orders delivered" 40 "$(grep -c ' delivered ' "$T/asday.out")"
WAIT_SECONDS=120 wait_for "kpi caught up with every source" caught_up
for by in department technician advisor; do counters $by >"$T/multi-$by.json"; done

log "--- the actor of a command over CURVE is the key's, unless the key is a delegate's"
out=$(AS_IDENTITY=adv-wang "$ASCTL" --json --config "$CONFIG" --actor svc-mgr call kpi.target.set \
    month="${DAY:0:7}" "metric=csi" value=9 || true)
expect_eq "adv-wang cannot act as svc-mgr" "kpi.target.set: 'adv-wang' is not a service_manager or parts_manager" \
    "$(echo "$out" | json .error)"
expect_eq "while the delegate can" true \
    "$(AS_IDENTITY=asday "$ASCTL" --json --config "$CONFIG" --actor svc-mgr call kpi.target.set \
        month="${DAY:0:7}" "metric=csi" value=9 | json '.reply.set_by == "svc-mgr"')"
expect_eq "and the event names both: the staff member and the delegate" "svc-mgr asday" \
    "$(ctl tap kpi. --since kpi@jinan-01:1 --wait 1500 |
        jq -r 'select(.type == "kpi.target.changed" and .payload.target.metric == "csi") | "\(.actor) \(.via)"')"

log "--- the same day on the single-host config"
for name in "${!PIDS[@]}"; do kill9 "$name"; done
MULTI_CONFIG=$CONFIG
CONFIG=$T/local.ini
export AS_CONFIG=$CONFIG AS_RUN_DIR=$T/local
mkdir -p -m 700 "$AS_RUN_DIR" # as deploy/run-local.sh makes it: only this user reaches its sockets
cp "$repo/deploy/local.ini" "$CONFIG"
unset ASCTL_IDENTITY
start_bus bus
start_all
"$AS_BUILD/tools/asday/asday" --config "$CONFIG" --date "$DAY" --seed $SEED >"$T/asday-local.out"
WAIT_SECONDS=120 wait_for "kpi caught up with every source" caught_up
for by in department technician advisor; do
    counters $by >"$T/local-$by.json"
    expect_eq "the $by rows: the same counters on three servers as on one" \
        "$(md5sum <"$T/local-$by.json")" "$(md5sum <"$T/multi-$by.json")"
done
expect_eq "and they are not empty" 40 \
    "$(jq -r '[.[].rows[0].counters.ros_delivered | tonumber] | add' "$T/local-department.json")"
CONFIG=$MULTI_CONFIG
finish
