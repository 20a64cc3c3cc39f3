#!/usr/bin/env bash
# labels: bench
# timeout: 300
# The benchmark script runs to the end with small N and prints every row:
# the single-consumer figures, ours vs NATS JetStream (fan-out, catch-up,
# latency), the durable peers (Redis Streams with AOF always / everysec,
# RabbitMQ quorum queues) beside them, the ceilings and the gateway under
# browser sessions (webbench), the real daemons' commands (daemonbench), a
# dealer group's sites on one bus and through a chain of forwarders (sites),
# and kpi rebuilding a dealer group's year from the outboxes (yeargen; 2 sites
# x 3 days in --quick) with its report latency.
# Only checks that every run completed with every
# event applied; the figures themselves are never pass/fail. A peer's runs
# are skipped only when its server is not installed (or, RabbitMQ, when the
# node does not boot: the script prints why, and so does this test).
. "$(dirname "$0")/lib.sh"
setup bench_smoke
n=2000
out=$(AS_BENCH_OUT=$T/bench bash "$(dirname "$0")/../../tools/bench/run.sh" --quick --n $n \
    --build "$AS_BUILD")
echo "$out" >&2
expect_eq "rows in the single-consumer table" 3 "$(echo "$out" | grep -cE '^\| (group|per-event|latency) \|')"
expect_eq "group scenario applied every event" 2000 "$(jq .events "$T/bench/group.json")"

expect_eq "ours: fan-out applied by all 4" "$n 4 0" \
    "$(jq -r '"\(.events) \(.consumers) \(.missing)"' "$T/bench/ours-fanout.json")"
expect_eq "ours: the offline consumer caught up" "$n" "$(jq .events "$T/bench/ours-fanout-catchup.json")"
for r in 1000 10000; do
    expect_eq "ours: latency run at $r/s applied by all" 0 "$(jq .missing "$T/bench/ours-lat$r.json")"
done
# 16: the fan-out, catch-up and 6 latency rows, 7 ceilings (ZeroMQ, its CPU,
# LMDB x2, fsync, the LMDB CPU, the two together) and the fan-out against
# the two together
expect_eq "comparison rows" 16 \
    "$(echo "$out" | grep -cE '^\| (fan-out: events/s|catch-up|latency at|ceiling: )')"
expect_eq "the ceiling of ZeroMQ and LMDB together is measured" 1 \
    "$(echo "$out" | grep -E '^\| ceiling: events/s of the ZeroMQ fan-out and the store work' |
        grep -cE '\| [0-9,]+ \|  \|$')"
expect_eq "ceiling: ZeroMQ fan-out got every message" "$n 0" \
    "$(jq -r '"\(.events) \(.missing)"' "$T/bench/ceil-zmq.json")"

expect_eq "web: no action failed, every RO's event reached the open stream" "0 0" \
    "$(jq -r '"\(.errors) \(.missing_events)"' "$T/bench/web.json")"
expect_eq "web: every kind of action ran" true \
    "$(jq '[.actions[] | .count > 0] | all' "$T/bench/web.json")"
expect_eq "web rows" 12 "$(echo "$out" | grep -cE '^\| (pages/s|API calls/s|HTTP requests|a change|board|search|ro_open|clock|page|signin|board latency)')"

if command -v nats-server >/dev/null; then
    expect_eq "peer: fan-out applied by all 4" "$n 4 0" \
        "$(jq -r '"\(.events) \(.consumers) \(.missing)"' "$T/bench/peer-fanout.json")"
    expect_eq "peer: the offline consumer caught up" "$n" \
        "$(jq .events "$T/bench/peer-fanout-catchup.json")"
    for r in 1000 10000; do
        expect_eq "peer: latency run at $r/s applied by all" 0 "$(jq .missing "$T/bench/peer-lat$r.json")"
    done
    expect_eq "every JetStream figure measured" 0 \
        "$(echo "$out" | grep -E '^\| (fan-out: events/s|catch-up|latency at)' | grep -c 'n/a' || true)"
else
    log "nats-server is not installed: the JetStream runs were skipped (deploy/install-deps.sh installs it)"
fi

# the durable peers: Redis Streams (AOF always and everysec) and RabbitMQ quorum
# queues, each a column of the table of every system (19 rows: 4 of them the
# latency to received by all, before the consumers' commits)
expect_eq "rows of the every-system table" 19 "$(echo "$out" | grep -cE '^\| (N \(events of|events/s until all 4 consumers|publisher events/s \(acked|peak RSS MiB: (asbus / the broker|the largest)|CPU s of asbus|CPU µs per event, every process \(publisher|seconds until a consumer offline|events/s of that catch-up|p50 ms at|p99 ms at|p99.9 ms at)')"
# publish to received is measured for ours and every peer that ran, and is
# never above publish to applied (the commit comes after)
for s in ours peer redis-always redis-everysec rabbitmq; do
    [ -f "$T/bench/$s-lat1000.json" ] || continue
    for r in 1000 10000; do
        expect_eq "$s: at $r/s received by all measured, at most applied by all" true \
            "$(jq '.received_p50_us > 0 and .received_p999_us <= .p999_us and .received_max_us <= .max_us' "$T/bench/$s-lat$r.json")"
    done
done
for p in redis-always redis-everysec rabbitmq; do
    if echo "$out" | grep -q "^- $p skipped: "; then
        log "$(echo "$out" | grep "^- $p skipped: ")"
        continue
    fi
    expect_eq "$p: fan-out applied by all 4" "$n 4 0" \
        "$(jq -r '"\(.events) \(.consumers) \(.missing)"' "$T/bench/$p-fanout.json")"
    expect_eq "$p: the offline consumer caught up" "$n" "$(jq .events "$T/bench/$p-fanout-catchup.json")"
    for r in 1000 10000; do
        expect_eq "$p: latency run at $r/s applied by all" 0 "$(jq .missing "$T/bench/$p-lat$r.json")"
    done
done
command -v redis-server >/dev/null || log "redis-server is not installed: the Redis runs were skipped (deploy/install-deps.sh installs it)"

# the real daemons (--quick: 1 and 8 clients, 1 s each): ro.open, clock.on and
# .off (one run, two rows), parts.issue, status and reception.ro.show, each from
# 1 and 8 clients = 12 rows; every request answered and done
expect_eq "daemons: rows of the report" 12 "$(jq '.rows | length' "$T/bench/daemons.json")"
expect_eq "daemons: every request done (no refusal, no time-out)" 0 "$(jq .errors "$T/bench/daemons.json")"
expect_eq "daemons: every row sent commands" true "$(jq '[.rows[] | .commands > 0] | all' "$T/bench/daemons.json")"
# the two ceilings write nothing of their own: status runs no turn, and a
# turn of reception.ro.show queries alone commits nothing (query_ids.h), so
# a commit in their runs is some other work of the daemon's, or none
expect_eq "daemons: every changing command's run committed (the ceilings status and reception.ro.show need not)" true \
    "$(jq '[.rows[] | select(.command != "status" and .command != "reception.ro.show") | .commits > 0] | all' "$T/bench/daemons.json")"
expect_eq "daemons rows" 12 "$(echo "$out" | grep -cE '^\| (reception\.ro\.open|workshop\.clock\.on|workshop\.clock\.off|parts\.issue|status|reception\.ro\.show) \| [0-9]+ \|')"
# sites (--quick: 1 and 2 sites on one bus, then 2 site buses chained to a group
# bus): every site's consumer applied its own site's 100 events (2 s at 50/s),
# the group consumer every site's, and every row of both tables is printed
for k in 1 2; do
    expect_eq "sites: $k site(s) on one bus, each consumer applied its site's events" \
        "$(printf '100 %.0s' $(seq $k))" \
        "$(for f in "$T/bench/sites-flat-$k"-s*-c1.json; do printf '%s ' "$(jq .events "$f")"; done)"
done
expect_eq "sites: the group consumer applied both sites' events through the chain" 200 \
    "$(jq .events "$T/bench/sites-chain-2-group.json")"
expect_eq "sites rows (1, 2 sites, growth; 6 of the chain)" 9 \
    "$(echo "$out" | grep -cE '^\| ([12] \| [0-9]|growth 1 -> 2 sites|events/s, all sites|group bus CPU|site buses together|group consumer CPU|site consumer CPU|events sent to a site consumer)')"
expect_eq "every sites figure measured" 0 \
    "$(echo "$out" | grep -E '^\| ([12] \| [0-9]|growth 1 -> 2|group bus CPU|site buses|group consumer|site consumer|events sent to a site)' | grep -c 'n/a' || true)"

# kpiyear (--quick: 2 sites x 3 working days x 40 ROs): kpi caught up with every
# event yeargen wrote into the outboxes, and counted the ROs: site-01's month
# 2025-01 holds the working days 2025-01-02 (Thu), 01-03 (Fri) and 01-06 (Mon),
# 3 x 40 = 120 ROs opened and 120 delivered (each RO's life ends on its day)
ky_events=$(jq .events "$T/bench/kpiyear-gen.json")
expect_eq "kpiyear: kpi rebuilt every event of the outboxes" "$ky_events" "$(jq .events "$T/bench/kpiyear.json")"
for w in "$T"/bench/kpiyear-wait-*.json; do
    expect_eq "kpiyear: $(basename "$w" .json) caught up" true "$(jq .caught_up "$w")"
done
expect_eq "kpiyear: every site's events applied" "$ky_events" \
    "$(jq -s 'map(.applied) | add' "$T"/bench/kpiyear-wait-*.json)"
expect_eq "kpiyear: site-01's month by department counts 120 ROs opened and delivered" \
    "department 120 120" \
    "$(jq -r '.first_row | "\(.key) \(.ros_opened) \(.ros_delivered)"' "$T/bench/kpiyear-site-month-department.json")"
expect_eq "kpiyear: a row per technician (10 a site)" 10 "$(jq .rows "$T/bench/kpiyear-site-month-technician.json")"
expect_eq "kpiyear rows" 10 "$(echo "$out" | grep -cE '^\| (scale: sites|events in the outboxes|writing them|rebuild: |the one-writer ceiling|kpi CPU s|kpi peak RSS|kpi.report, site-01, month)')"
finish
