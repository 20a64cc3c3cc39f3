#!/usr/bin/env bash
# labels: parts
# timeout: 180
# The demand forecast of a part with steady demand (services/parts/forecast.c):
# two months of brake pads issued 2 a working day, keyed in afterwards (--at),
# one urgent order for a one-off RO job (which must not count as demand), two
# past stock orders to the OEM (asoem confirms them) received on chosen days;
# parts.forecast.show equals the hand-worked demand, lead time, safety stock,
# reorder point and suggested quantity; parts.reorder.list has the part under
# its supplier (and a never-ordered part under [parts] default_supplier);
# parts.order.suggest places the stock order (asoem confirms it) and a second
# suggestion, with the first on order, is refused; bad input is refused and
# writes nothing.
. "$(dirname "$0")/lib.sh"
setup parts_forecast

export AS_RUN_DIR=$T
cp "$(dirname "$0")/../../deploy/local.ini" "$CONFIG"
# the history starts about 95 days back: the keeper may key it in
sed -i 's/^backdate_days = 31$/backdate_days = 200/' "$CONFIG"
sed -i 's/^slow_moving_months = 12$/&\ndefault_lead_days = 7\nsafety_days = 5\norder_cover_days = 14\ndefault_supplier = ACME/' "$CONFIG"

log "--- a typo or a value out of range in [parts] is a config error"
PARTS_BIN=$AS_BUILD/services/parts/as-parts
sed 's/^safety_days = 5$/safety_dayz = 5/' "$CONFIG" >"$T/typo.ini"
if out=$("$PARTS_BIN" --config "$T/typo.ini" --check-config 2>&1); then
    fail "a config with safety_dayz was accepted"
fi
echo "$out" | grep -q "safety_dayz" || fail "the config check does not name the typo: $out"
sed 's/^order_cover_days = 14$/order_cover_days = 400/' "$CONFIG" >"$T/range.ini"
if out=$("$PARTS_BIN" --config "$T/range.ini" --check-config 2>&1); then
    fail "order_cover_days = 400 was accepted"
fi
echo "$out" | grep -q "order_cover_days" || fail "the config check does not name the key: $out"
"$PARTS_BIN" --config "$CONFIG" --check-config >/dev/null 2>&1 || fail "the test's config is refused"

start_bus bus
start_service parts
"$AS_BUILD/tools/asoem/asoem" --config "$CONFIG" >>"$T/oem.log" 2>&1 &
PIDS[oem]=$!

# A (today) is the forecast's date; W the Monday 56..62 days before it. The
# demand window is the 90 days A-89..A, so W-27 (the one-off job) is in it.
A=$(date +%F)
for back in $(seq 56 62); do
    W=$(date -d "$A - $back days" +%F)
    [ "$(date -d "$W" +%u)" = 1 ] && break
done
day() { date -d "$W + $1 days" +%F; } # day N: W + N days
log "two months of work from $W, the forecast on $A"

at() { # at DAY HH:MM ACTOR COMMAND FIELD=VALUE...: keyed in now, dated DAY; must succeed
    local d=$1 when=$2 who=$3 out
    shift 3
    if ! out=$(ctl --actor "$who" call "$@" --at "$d $when"); then
        fail "$who $* at $d $when: $(echo "$out" | json .error)"
        return 1
    fi
}
ask() {
    local who=$1
    shift
    ctl --actor "$who" call "$@" >/dev/null || fail "$who $*"
}
fc() { ctl --actor wh-zhou call parts.forecast.show part_number=P-PAD "${@:2}" | json ".reply$1"; }
order() { ctl --actor wh-zhou call parts.order.show order_id="$1" | json ".reply$2"; }
order_is() { [ "$(order "$1" "$2" 2>/dev/null)" = "$3" ]; }
orders_count() { ctl --actor wh-zhou call parts.order.list limit=500 | json '.reply.orders // [] | length'; }

ask wh-zhou parts.part.define part_number=P-PAD description="brake pads" cost_cents=6000 \
    price_cents=12000 bin=A-1
ask wh-zhou parts.part.define part_number=P-BULB description="bulb H7" cost_cents=500 \
    price_cents=1200 bin=B-1

log "--- the history: SO-A, the one-off job's urgent order UO-1, two months of demand, SO-B"
# W-30: 40 pads ordered; received W-23: a lead time of 7 days
at "$(day -30)" 09:00 wh-zhou parts.order.create order_id=SO-A supplier=OEM \
    lines='[{"part_number":"P-PAD","quantity":40}]'
wait_for "the OEM confirmed SO-A" order_is SO-A .state ORDER_CONFIRMED
# W-27: a one-off job needs 6 pads, the shelf has none: all 6 are backordered
# and ordered urgently for that job (UO-1), received W-25 and issued to it
at "$(day -27)" 10:00 wh-zhou parts.issue issue_id=I-ONE ro_number=RO-ONE job_no=1 \
    part_number=P-PAD quantity=6 technician=tech-01 backorder=true
at "$(day -27)" 10:10 wh-zhou parts.order.create order_id=UO-1 supplier=OEM urgent=true \
    lines='[{"backorder_id":"I-ONE/bo"}]'
at "$(day -25)" 08:00 wh-zhou parts.receipt.record receipt_id=R-U1 supplier=OEM \
    lines='[{"part_number":"P-PAD","expected":6,"received":6,"order_id":"UO-1","order_line":1}]'
at "$(day -23)" 08:00 wh-zhou parts.receipt.record receipt_id=R-A supplier=OEM \
    lines='[{"part_number":"P-PAD","expected":40,"received":40,"order_id":"SO-A","order_line":1}]'
expect_eq "the one-off job got its 6 pads from UO-1" "6" \
    "$(ctl --actor wh-zhou call parts.ro.show ro_number=RO-ONE |
        json '.reply.issues[] | select(.issue_id=="I-ONE/bo") | .filled')"
# 8 weeks, Monday to Friday: 2 pads a day to an RO job (80 pads). Week 3's
# Monday (W+14) orders 50 more (SO-B), received on week 4's Wednesday (W+23):
# 9 days. Shelf: 40 - 17 days x 2 = 6 before SO-B comes, never short.
for week in 0 1 2 3 4 5 6 7; do
    for d in 0 1 2 3 4; do
        n=$((week * 7 + d))
        D=$(day $n)
        [ $n = 14 ] && at "$D" 09:00 wh-zhou parts.order.create order_id=SO-B supplier=OEM \
            lines='[{"part_number":"P-PAD","quantity":50}]'
        [ $n = 23 ] && at "$D" 08:00 wh-zhou parts.receipt.record receipt_id=R-B supplier=OEM \
            lines='[{"part_number":"P-PAD","expected":50,"received":50,"order_id":"SO-B","order_line":1}]'
        at "$D" 10:00 wh-zhou parts.issue issue_id="I-$n" ro_number="RO-$n" job_no=1 \
            part_number=P-PAD quantity=2 technician=tech-01
    done
done
# week 5's Wednesday: one pad of that day's issue came back
at "$(day 30)" 11:00 wh-zhou parts.return issue_id=I-30 quantity=1
# two days ago: 3 bulbs for a job, none on the shelf: a backorder not ordered
at "$(date -d "$A - 2 days" +%F)" 10:00 wh-zhou parts.issue issue_id=I-BULB ro_number=RO-B \
    job_no=1 part_number=P-BULB quantity=3 technician=tech-01 backorder=true
expect_eq "pads on hand: 6 + 40 + 50 in, 6 + 80 out, 1 back" "11" \
    "$(ctl --actor wh-zhou call parts.stock.query part_number=P-PAD | json '.reply.parts[0].on_hand')"

log "--- the forecast of the pads on $A, worked by hand"
# Demand, the 90 days A-89..A (W-27..W+53 all fall in it):
#   issued 80 (40 days x 2) + 6 (UO-1's fill of the one-off backorder) = 86
#   returned 1; excluded 6 (the fill of the backorder UO-1 was placed for)
#   demand = 86 - 1 - 6 = 79 in 90 days = 0.878 a day (79/90 = 0.8777...)
# Lead time: the part's completed stock-order lines, newest first: SO-B (W+14
#   -> W+23: 9 days), SO-A (W-30 -> W-23: 7 days); UO-1 is urgent, not counted:
#   (9 + 7) / 2 = 8.000 days
# Safety stock: 79/90 x 5 days = 4.389
# Reorder point: ceil(79/90 x 8 + 79/90 x 5) = ceil(79 x 13 / 90) = ceil(11.41) = 12
# Order-up-to: 12 + ceil(79/90 x 14 days) = 12 + ceil(12.29) = 12 + 13 = 25
# Position: 11 on hand - 0 reserved + 0 on order - 0 backordered = 11 <= 12:
#   suggested 25 - 11 = 14
expect_eq "the demand window" "$(date -d "$A - 89 days" +%F)..$A 90" \
    "$(fc '| "\(.window_from)..\(.as_of) \(.window_days)"')"
expect_eq "issued, returned, excluded, demand" "86 1 6 79" \
    "$(fc '| "\(.issued) \(.returned) \(.excluded) \(.demand)"')"
expect_eq "demand a day (thousandths)" "878" "$(fc .demand_per_day_milli)"
expect_eq "the lead-time lines: SO-B 9 days, SO-A 7 days" "part SO-B/1:9 SO-A/1:7" \
    "$(fc '| "\(.lead_from) " + (.lead_lines | map("\(.order_id)/\(.line_no):\(.days)") | join(" "))')"
expect_eq "lead time (thousandths of a day)" "8000" "$(fc .lead_days_milli)"
expect_eq "safety stock (thousandths)" "4389" "$(fc .safety_stock_milli)"
expect_eq "reorder point, order-up-to" "12 25" "$(fc '| "\(.reorder_point) \(.order_up_to)"')"
expect_eq "position and suggestion" "11 true 14" "$(fc '| "\(.position) \(.reorder) \(.suggested)"')"
expect_eq "the usual supplier: SO-B's" "OEM order SO-B" "$(fc '| "\(.supplier) \(.supplier_from)"')"
expect_eq "the working says the reorder point's sum" \
    "reorder point: ceil(0.878 a day x 8.000 days + 4.389) = 12" \
    "$(fc '.working[] | select(startswith("reorder point"))')"
human=$("$ASCTL" --config "$CONFIG" --actor wh-zhou call parts.forecast.show part_number=P-PAD)
echo "$human" | grep -q "suggested: 11 <= 12 (reorder point): 25 - 11 = 14" ||
    fail "asctl's forecast.show does not show the suggestion's working: $human"

# As of W+20 (before SO-B came): the window W-69..W+20 holds the fill (6,
# excluded) and weeks 1-3 (15 days x 2 = 30): demand 30; lead time SO-A's 7
# days alone; reorder point ceil(30 x (7 + 5) / 90) = ceil(4) = 4; the pads'
# position now (11) is above it: nothing to order
expect_eq "as of W+20: demand, lead lines, reorder point, suggestion" "30 1 4 false 0" \
    "$(fc '| "\(.demand) \(.lead_lines | length) \(.reorder_point) \(.reorder) \(.suggested)"' \
        as_of="$(day 20)")"

log "--- the reorder list, by supplier"
# the bulbs: no demand (a backorder is not issued), never ordered: supplier
# [parts] default_supplier ACME, lead time the default 7 days; reorder point 0,
# order-up-to 0, position 0 - 3 backordered = -3: suggested 0 - (-3) = 3
expect_eq "ACME: the bulbs 3; OEM: the pads 14" "ACME 3: P-BULB 3 default|OEM 14: P-PAD 14 order SO-B" \
    "$(ctl --actor parts-mgr call parts.reorder.list |
        json '.reply.suppliers | map("\(.supplier) \(.quantity): " + (.parts | map("\(.part_number) \(.suggested) \(.supplier_from)") | join(","))) | join("|")')"
expect_eq "the bulbs' working" "suggested: -3 <= 0 (reorder point): 0 - (-3) = 3" \
    "$(ctl --actor wh-zhou call parts.forecast.show part_number=P-BULB | json '.reply.working[-1]')"
expect_eq "of one supplier (any case)" "OEM" \
    "$(ctl --actor parts-mgr call parts.reorder.list supplier=oem | json '.reply.suppliers | map(.supplier) | join(",")')"
expect_eq "as of W+20 the pads are not listed" "ACME" \
    "$(ctl --actor parts-mgr call parts.reorder.list as_of="$(day 20)" | json '.reply.suppliers | map(.supplier) | join(",")')"

log "--- bad input is refused and writes nothing"
orders=$(orders_count)
refused wh-zhou invalid "supplier is required" parts.order.suggest
refused wh-zhou invalid "exclude: part number 'p-bulb' must be 3 to 32 of A-Z" \
    parts.order.suggest supplier=ACME exclude='["p-bulb"]'
refused wh-zhou not-found "exclude: part 'P-NONE' is not in the catalogue" \
    parts.order.suggest supplier=ACME exclude='["P-NONE"]'
refused wh-zhou conflict "nothing to order from 'ACME' on $A: no part of theirs is at or below its reorder point but those excluded" \
    parts.order.suggest supplier=ACME exclude='["P-BULB"]'
refused wh-zhou conflict "nothing to order from 'Nobody'" parts.order.suggest supplier=Nobody
refused wh-zhou conflict "order 'SO-A' is already placed" parts.order.suggest supplier=OEM order_id=SO-A
refused wh-zhou invalid "order id 'so a' must be 1 to 64" parts.order.suggest supplier=OEM order_id="so a"
refused tech-01 denied "" parts.order.suggest supplier=OEM
refused tech-01 denied "" parts.forecast.show part_number=P-PAD
refused adv-wang denied "" parts.reorder.list
refused wh-zhou invalid "part_number is required" parts.forecast.show
refused wh-zhou not-found "part 'P-NONE' does not exist" parts.forecast.show part_number=P-NONE
refused wh-zhou invalid "as_of 'soon' is not a date" parts.forecast.show part_number=P-PAD as_of=soon
refused wh-zhou invalid "as_of '2026-02-30' is not a date" parts.reorder.list as_of=2026-02-30
expect_eq "no order was written" "$orders" "$(orders_count)"
expect_eq "the bulbs' backorder is not ordered" "" \
    "$(ctl --actor wh-zhou call parts.backorder.list part_number=P-BULB | json '.reply.backorders[0].order_id // ""')"

log "--- the suggestion placed with one command; the OEM confirms it"
ask wh-zhou parts.order.suggest supplier=OEM order_id=SO-C
expect_eq "SO-C: a stock order of the 14 pads" "false P-PAD 14" \
    "$(order SO-C '| "\(.urgent) \(.lines[0].part_number) \(.lines[0].quantity)"')"
expect_eq "placed today by the keeper" "$A wh-zhou 1" \
    "$(order SO-C '| "\(.order_date) \(.placed_by) \(.lines | length)"')"
wait_for "the OEM confirmed SO-C" order_is SO-C .state ORDER_CONFIRMED
# now 14 on order: position 11 + 14 = 25 > 12
expect_eq "the pads' position with SO-C on order" "14 25 false 0" \
    "$(fc '| "\(.on_order) \(.position) \(.reorder) \(.suggested)"')"
orders=$(orders_count)
refused wh-zhou conflict "nothing to order from 'OEM' on $A" parts.order.suggest supplier=OEM
expect_eq "the second suggestion wrote nothing" "$orders" "$(orders_count)"
expect_eq "the working says why nothing" "suggested: nothing (position 25 is above the reorder point 12)" \
    "$(fc '.working[-1]')"
# the bulbs' suggestion by the parts manager, the supplier in any case: the
# order is numbered like any order and spelt as the supplier's
ask parts-mgr parts.order.suggest supplier=acme
expect_eq "ACME's order: the 3 bulbs" "ACME P-BULB 3" \
    "$(ctl --actor wh-zhou call parts.order.list supplier=ACME | json '.reply.orders[0] | "\(.supplier) \(.lines[0].part_number) \(.lines[0].quantity)"')"
expect_eq "nothing left to order" "" \
    "$(ctl --actor parts-mgr call parts.reorder.list | json '.reply.suppliers // [] | map(.supplier) | join(",")')"

finish
