#!/usr/bin/env bash
# labels: asctl
# timeout: 120
# asctl's output for people (issue 11): amounts in currency units, times as
# local date-times (TZ respected) in call, tap and status; --json keeps the raw
# cents and microseconds. The real parts daemon on its own.
. "$(dirname "$0")/lib.sh"
setup asctl_human

cat >>"$CONFIG" <<INI

[staff]
pm-liu = parts_manager
wk-chen = warehouse_keeper

[parts]
endpoint = ipc://$T/parts.sock
heartbeat_ms = 200
INI
sed -i 's/^services = .*/services = parts/' "$CONFIG"
export TZ=CST-8 # eight hours east of UTC all year: local times differ from UTC
# asctl as a person (no --json)
person() { "$ASCTL" --config "$CONFIG" "$@"; }
# local "YYYY-MM-DD HH:MM" of a time in microseconds since 1970
local_minute() { date -d "@$(($1 / 1000000))" '+%Y-%m-%d %H:%M'; }
has_line() { # has_line WHAT TEXT LINE: TEXT holds LINE as a whole line
    grep -qxF -- "$3" <<<"$2" || fail "$1: no line '$3' in: $2"
}

start_bus bus
start_service parts

log "--- call: amounts in currency units"
out=$(person --actor pm-liu call parts.part.define part_number=PAD-FR-02 \
    description="front brake pads" cost_cents=123456 price_cents=350000 bin=B-02)
has_line "part.define reply" "$out" "price_cents: 3,500.00"
has_line "part.define reply" "$out" "cost_cents: 1,234.56"
expect_eq "--json keeps cents" 350000 \
    "$(AS_ACTOR=pm-liu ctl call parts.stock.query part_number=PAD-FR-02 | json '.reply.parts[0].price_cents')"
out=$(person --actor pm-liu call parts.stock.query part_number=PAD-FR-02)
grep -qF '"price_cents":"3,500.00"' <<<"$out" || fail "nested amount not for people: $out"

log "--- call: times as local date-times"
AS_ACTOR=wk-chen ctl call --request-id R-HUMAN-1 parts.receipt.record \
    --payload '{"receipt_id":"R-1","supplier":"OEM","lines":[{"part_number":"PAD-FR-02","expected":2,"received":2}]}' \
    >"$T/receipt.json"
at_us=$(json .reply.at_us <"$T/receipt.json")
[[ $at_us =~ ^[0-9]{16}$ ]] || fail "--json at_us is not microseconds: $at_us"
# the same request id gets the stored reply: the same at_us, shown for people
out=$(person --actor wk-chen call --request-id R-HUMAN-1 parts.receipt.record \
    --payload '{"receipt_id":"R-1","supplier":"OEM","lines":[{"part_number":"PAD-FR-02","expected":2,"received":2}]}' 2>/dev/null)
has_line "receipt reply" "$out" "at_us: $(local_minute "$at_us")"

log "--- tap: the event's time and its payload for people"
out=$(person tap --since parts@test:1 --count 1 parts.part.)
grep -qF '"price_cents":"3,500.00"' <<<"$out" || fail "tap payload not for people: $out"
ev_us=$(ctl tap --since parts@test:1 --count 1 parts.part. | json .time_us)
[[ $out == "$(local_minute "$ev_us")"* ]] || fail "tap line does not start with the local time: $out"

log "--- status: since when the daemon runs"
started=$(ctl status parts | json '.services[0].started_us')
out=$(person status parts)
has_line "status" "$out" "    running since $(local_minute "$started")"
finish
