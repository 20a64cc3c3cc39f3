#!/usr/bin/env bash
# labels: asctl
# timeout: 120
# asctl's output for people (issue 11): amounts in currency units, times as
# local date-times (TZ respected) in call, tap and status; --json keeps the raw
# cents and microseconds. The real parts daemon on its own.
# Issue 13: `asctl call`'s replies as key: value blocks and aligned tables
# fitted to $COLUMNS (-o wide: unclipped; -o csv: the reply's list), with the
# real reception and workshop daemons on a small day.
. "$(dirname "$0")/lib.sh"
setup asctl_human

cat >>"$CONFIG" <<INI

[staff]
pm-liu = parts_manager
wk-chen = warehouse_keeper
adv-wang = advisor limit=1000000
fm-li = foreman
tech-07 = technician

[parts]
endpoint = ipc://$T/parts.sock
heartbeat_ms = 200

[reception]
endpoint = ipc://$T/reception.sock
follows = workshop
heartbeat_ms = 200

[workshop]
endpoint = ipc://$T/workshop.sock
follows = reception
heartbeat_ms = 200
INI
sed -i 's/^services = .*/services = parts, reception, workshop/' "$CONFIG"
export TZ=CST-8 # eight hours east of UTC all year: local times differ from UTC
# asctl as a person (no --json)
person() { "$ASCTL" --config "$CONFIG" "$@"; }
# local "YYYY-MM-DD HH:MM" of a time in microseconds since 1970
local_minute() { date -d "@$(($1 / 1000000))" '+%Y-%m-%d %H:%M'; }
has_line() { # has_line WHAT TEXT LINE: TEXT holds LINE as a whole line
    grep -qxF -- "$3" <<<"$2" || fail "$1: no line '$3' in: $2"
}
has_field() { # has_field WHAT TEXT KEY VALUE: a line "KEY: VALUE", the value aligned with others
    awk -v k="$3:" -v v="$4" '$1 == k { sub(/^[^:]*: +/, ""); if ($0 == v) f = 1 } END { exit !f }' \
        <<<"$2" || fail "$1: no line '$3: $4' in: $2"
}

start_bus bus
start_service parts
start_service reception
start_service workshop

log "--- call: amounts in currency units"
out=$(person --actor pm-liu call parts.part.define part_number=PAD-FR-02 \
    description="front brake pads" cost_cents=123456 price_cents=350000 bin=B-02)
has_field "part.define reply" "$out" price_cents 3,500.00
has_field "part.define reply" "$out" cost_cents 1,234.56
expect_eq "--json keeps cents" 350000 \
    "$(AS_ACTOR=pm-liu ctl call parts.stock.query part_number=PAD-FR-02 | json '.reply.parts[0].price_cents')"
out=$(person --actor pm-liu call parts.stock.query part_number=PAD-FR-02)
# a list's items are a table's rows (issue 13): the nested amount in its column
grep -qE '^  part_number +.*price_cents' <<<"$out" || fail "no table header: $out"
grep -qE '^  PAD-FR-02 .* 3,500\.00( |$)' <<<"$out" || fail "nested amount not for people: $out"

log "--- call: times as local date-times"
AS_ACTOR=wk-chen ctl call --request-id R-HUMAN-1 parts.receipt.record \
    --payload '{"receipt_id":"R-1","supplier":"OEM","lines":[{"part_number":"PAD-FR-02","expected":2,"received":2}]}' \
    >"$T/receipt.json"
at_us=$(json .reply.at_us <"$T/receipt.json")
[[ $at_us =~ ^[0-9]{16}$ ]] || fail "--json at_us is not microseconds: $at_us"
# the same request id gets the stored reply: the same at_us, shown for people
out=$(person --actor wk-chen call --request-id R-HUMAN-1 parts.receipt.record \
    --payload '{"receipt_id":"R-1","supplier":"OEM","lines":[{"part_number":"PAD-FR-02","expected":2,"received":2}]}' 2>/dev/null)
has_field "receipt reply" "$out" at_us "$(local_minute "$at_us")"

log "--- tap: the event's time and its payload for people"
out=$(person tap --since parts@test:1 --count 1 parts.part.)
grep -qF '"price_cents":"3,500.00"' <<<"$out" || fail "tap payload not for people: $out"
ev_us=$(ctl tap --since parts@test:1 --count 1 parts.part. | json .time_us)
[[ $out == "$(local_minute "$ev_us")"* ]] || fail "tap line does not start with the local time: $out"

log "--- status: since when the daemon runs"
started=$(ctl status parts | json '.services[0].started_us')
out=$(person status parts)
has_line "status" "$out" "    running since $(local_minute "$started")"
log "--- call: a reply's lists as tables, its objects as blocks, fitted to COLUMNS"
TODAY=$(date +%F)
DAY=$(date +%y%m%d)
AS_ACTOR=adv-wang ctl call reception.customer.register customer_id=C000001 \
    name="王伟" phone=13800138000 >/dev/null
AS_ACTOR=adv-wang ctl call reception.vehicle.register vin=LSVAU218XN2183294 plate="鲁A12345" \
    customer_id=C000001 mileage_km=1000 >/dev/null
for concern in "grinding noise from the front brakes when stopping at low speed, worse in the morning" \
    "oil change"; do
    AS_ACTOR=adv-wang ctl call reception.ro.open --payload "{\"vin\":\"LSVAU218XN2183294\",
        \"mileage_km\":1200,\"jobs\":[{\"concern\":\"$concern\",\"pay_type\":\"CUSTOMER_PAY\",
        \"labour\":{\"code\":\"BR020\",\"sold_minutes\":90,\"rate_cents\":60000}}]}" >/dev/null
done
RO1=R${DAY}0001
for ro in $RO1 R${DAY}0002; do
    AS_ACTOR=adv-wang ctl call reception.ro.consent ro_number=$ro consent=phone >/dev/null
done
on_board() { [ "$(AS_ACTOR=fm-li ctl call workshop.board | json '.reply.jobs // [] | length')" = 2 ]; }
wait_for "both jobs on the board" on_board
AS_ACTOR=fm-li ctl call workshop.technician.register tech_id=tech-07 name="Li Wei" skills=brakes \
    level=3 hourly_cost_cents=4500 >/dev/null
AS_ACTOR=fm-li ctl call workshop.bay.register bay_id=B1 kind=lift >/dev/null
AS_ACTOR=fm-li ctl call workshop.job.dispatch ro_number=$RO1 job_no=1 tech_id=tech-07 bay_id=B1 >/dev/null

fits() { # fits WHAT COLUMNS TEXT: no line of TEXT is wider than COLUMNS characters
    local line LC_ALL=C.UTF-8
    while IFS= read -r line; do
        ((${#line} <= $2)) || fail "$1: a line of ${#line} characters, wider than $2: $line"
    done < <(printf '%s\n' "$3")
}
board=$(COLUMNS=100 person --actor fm-li call workshop.board)
log "$board"
fits "the board" 100 "$board"
has_field "the board's day" "$board" date "$TODAY"
grep -qE '^jobs: 2$' <<<"$board" || fail "the board's jobs have no title: $board"
header=$(grep -A1 '^jobs:' <<<"$board" | tail -1)
for column in ro_number status technician; do
    grep -qE "(^| )$column( |$)" <<<"$header" || fail "no $column column in the jobs' header: $header"
done
grep -qE "^  $RO1 .* tech-07( |$)" <<<"$board" || fail "the dispatched job is not a row: $board"
grep -q '…' <<<"$board" || fail "the long concern is not clipped: $board"
grep -qE '^  tech-07 .* 45\.00$' <<<"$board" || fail "an amount in a table is not for people: $board"
grep -qF '{' <<<"$board" && fail "JSON in the board for people: $board"
wide=$(COLUMNS=100 person --actor fm-li call workshop.board -o wide)
grep -qF "grinding noise from the front brakes when stopping at low speed, worse in the morning" \
    <<<"$wide" || fail "-o wide clips: $wide"
grep -q '…' <<<"$wide" && fail "-o wide clips: $wide"
csv=$(person --actor fm-li call workshop.board -o csv)
[[ $(head -1 <<<"$csv") == ro_number,job_no,vin,concern,* ]] || fail "-o csv header: $csv"
grep -qE "^$RO1,1,LSVAU218XN2183294,\"?grinding" <<<"$csv" || fail "-o csv row: $csv"
out=$(person --actor fm-li call workshop.bay.register bay_id=B2 kind=lift -o csv 2>&1) &&
    fail "-o csv of a reply without a list: $out"
grep -qF "the reply of workshop.bay.register holds no list" <<<"$out" || fail "-o csv refusal: $out"
[ "$(AS_ACTOR=fm-li ctl call workshop.board | json '[.reply.bays[].bay_id] | join(" ")')" = B1 ] ||
    fail "a command refused -o csv was done anyway"

ro=$(COLUMNS=100 person --actor adv-wang call reception.ro.show ro_number=$RO1)
log "$ro"
fits "the repair order" 100 "$ro"
has_field "the RO's number" "$ro" ro_number "$RO1"
opened_us=$(AS_ACTOR=adv-wang ctl call reception.ro.show ro_number=$RO1 | json .reply.opened_us)
grep -qE "^opened_us: +$(local_minute "$opened_us")$" <<<"$ro" || fail "no local open time: $ro"
has_field "an amount in currency units" "$ro" estimate_cents 900.00
grep -qE '^  +1  grinding noise .*…  CUSTOMER_PAY ' <<<"$ro" || fail "the RO's jobs are no table: $ro"
finish
