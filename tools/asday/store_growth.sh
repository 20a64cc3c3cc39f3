#!/usr/bin/env bash
# store_growth.sh — plays the README's day (asday: 40 repair orders) through
# the real daemons, stops them and prints, for each store, the entries and
# bytes of its outbox and requests databases: the figures behind the README's
# "How big the stores grow". Usage: AS_BUILD=build tools/asday/store_growth.sh
. "$(dirname "$0")/../../tests/integration/lib.sh"
setup store-growth
evening_clock
start_dealership
"$AS_BUILD/tools/asday/asday" --config "$CONFIG" --date "$(date +%F)" --seed 7 | tail -1 >&2
month=$(date +%Y-%m)
handed_over() {
    "$ASCTL" --config "$CONFIG" --actor svc-mgr kpi report --month "$month" --json |
        jq -r '.rows[] | select(.key=="department") | .figures[] |
            select(.name=="vehicles handed over") | .value'
}
all_counted() { [ "$(handed_over)" = 40 ]; }
wait_for "kpi counted 40 vehicles handed over" all_counted
for s in crm oem tools warranty kpi parts workshop reception; do stop "$s"; done

# entries, pages (4 KiB) and the bytes of the values, from LMDB's own tools
printf '%-10s %-9s %8s %6s %10s\n' store database entries pages value_bytes
for dir in "$T"/data/*/; do
    for db in outbox requests; do
        stat=$(mdb_stat -s "$db" "$dir" 2>/dev/null) || continue
        entries=$(echo "$stat" | sed -n 's/ *Entries: //p')
        pages=$(echo "$stat" | awk '/pages:/ {n += $NF} END {print n + 0}')
        bytes=$(mdb_dump -s "$db" "$dir" | awk '/^ / && ++n % 2 == 0 {b += length($1) / 2} END {print b + 0}')
        printf '%-10s %-9s %8s %6s %10s\n' "$(basename "$dir")" "$db" "$entries" "$pages" "$bytes"
    done
done
finish
