#!/usr/bin/env bash
# labels: parts
# timeout: 180
# Orders to the supplier, on the default site (asoem plays the supplier): a
# stock order and an urgent order for two RO backorders placed on chosen
# days; the supplier confirms every line (one part short-shipped: half);
# receipts count against the lines (one on time, one short then the rest
# late, one late, the short-shipped line closed); reception shows the RO's
# promised date and lists the RO for the advisor; kpi's timely supply and RO
# parts on-time rates equal the hand-worked figures; bad input for every new
# command is refused and writes nothing.
. "$(dirname "$0")/lib.sh"
setup parts_orders

export AS_RUN_DIR=$T
cp "$(dirname "$0")/../../deploy/local.ini" "$CONFIG"
# the supplier confirms half of the brake pads
sed -i 's/^; short_ship_parts = .*/short_ship_parts = P-PAD/' "$CONFIG"
start_bus bus
start_site_daemons

# A Monday 12 to 30 days back whose next ten days are in its month: the week's
# work is keyed in afterwards (--at), and every figure falls in one month.
for back in $(seq 12 30); do
    MON=$(date -d "$back days ago" +%F)
    [ "$(date -d "$MON" +%u)" = 1 ] && [ "${MON:0:7}" = "$(date -d "$MON + 10 days" +%Y-%m)" ] && break
done
TUE=$(date -d "$MON + 1 day" +%F)
WED=$(date -d "$MON + 2 days" +%F)
THU=$(date -d "$MON + 3 days" +%F)
FRI=$(date -d "$MON + 4 days" +%F)
MONTH=${MON:0:7}
log "the week of $MON"

# at DAY HH:MM ACTOR COMMAND FIELD=VALUE...: work of that day, keyed in now; must succeed
at() {
    local day=$1 when=$2 who=$3 out
    shift 3
    if ! out=$(ctl --actor "$who" call "$@" --at "$day $when"); then
        fail "$who $* at $day $when: $(echo "$out" | json .error)"
        return 1
    fi
}
ask() {
    local who=$1
    shift
    ctl --actor "$who" call "$@" >/dev/null || fail "$who $*"
}
order() { ctl --actor wh-zhou call parts.order.show order_id="$1" | json ".reply$2"; }
order_is() { [ "$(order "$1" "$2" 2>/dev/null)" = "$3" ]; }
ro() { ctl --actor adv-wang call reception.ro.show ro_number="$1" | json ".reply$2"; }
ro_is() { [ "$(ro "$1" "$2" 2>/dev/null)" = "$3" ]; }
orders_count() { ctl --actor wh-zhou call parts.order.list | json '.reply.orders // [] | length'; }
receipts_count() { ctl --actor wh-zhou call parts.receipt.list limit=500 | json '.reply.receipts // [] | length'; }
# order_ids FIELD=VALUE...: the orders parts.order.list gives, newest first
order_ids() { ctl --actor wh-zhou call parts.order.list "$@" | json '.reply.orders // [] | map(.order_id) | join(",")'; }
figure() { # figure NAME: the department's value of the month
    "$ASCTL" --config "$CONFIG" --actor parts-mgr --json kpi report --month "$MONTH" |
        jq -r --arg n "$1" '.rows[] | select(.key=="department") | .figures[] | select(.name==$n) | "\(.value) \(.formula)"'
}
figure_is() { [ "$(figure "$1" | cut -d' ' -f1)" = "$2" ]; }
work_jobs_are() { [ "$(ctl --actor foreman-liu call workshop.ro.show ro_number="$1" | json '.reply.jobs | length')" = "$2" ]; }

# --- master data -------------------------------------------------------------------
for p in P-FILTER:2000 P-PAD:6000 P-BELT:3000 P-PLUG:1500 P-GASKET:800; do
    ask wh-zhou parts.part.define part_number="${p%:*}" description="part ${p%:*}" \
        cost_cents="${p#*:}" price_cents=$((${p#*:} * 2)) bin=A-1
done
ask foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang A" skills=chassis \
    level=2 hourly_cost_cents=10000
VIN=JNKCV61E29M300011
ask adv-wang reception.customer.register customer_id=C1 name="Customer 1" phone=13900000001
ask adv-wang reception.vehicle.register vin=$VIN plate=LU-D0001 customer_id=C1 \
    sale_date=2024-05-01 mileage_km=20000
JOB='{"concern":"brakes squeal","pay_type":"CUSTOMER_PAY","labour":{"code":"BR100","sold_minutes":90,"rate_cents":60000,"skill":"chassis","min_level":1}}'

# the list of a store with no order yet is empty (the parts counter asks it)
expect_eq "no orders yet" "" "$(order_ids)"

log "--- Monday: the stock order"
at "$MON" 09:00 wh-zhou parts.order.create order_id=SO-1 supplier=OEM lines='[
    {"part_number":"P-FILTER","quantity":4},{"part_number":"P-PAD","quantity":4},
    {"part_number":"P-BELT","quantity":2}]'
# asoem: 2 working days after Monday (supply_lead_days = 2), half of P-PAD
wait_for "the supplier confirmed SO-1" order_is SO-1 .state ORDER_CONFIRMED
expect_eq "SO-1's lines promised for Wednesday" "$WED $WED $WED" \
    "$(order SO-1 '.lines | map(.promised_date) | join(" ")')"
expect_eq "the brake pads confirmed short" "2 of 4" \
    "$(order SO-1 '.lines[1] | "\(.confirmed_quantity) of \(.quantity)"')"
expect_eq "confirmed by the supplier's system" oem@local "$(order SO-1 .lines[0].confirmed_by)"

log "--- Tuesday: an RO whose plug and gasket are not on the shelf; the urgent order"
knows_chassis() { ctl --actor adv-wang call reception.skill.list | grep -q chassis; }
wait_for "reception knows the technician's skill" knows_chassis
at "$TUE" 08:00 adv-wang reception.ro.open ro_number=RO-1 vin=$VIN mileage_km=21000 jobs="[$JOB]"
at "$TUE" 08:05 adv-wang reception.ro.consent ro_number=RO-1 consent=signature
wait_for "workshop has RO-1's job" work_jobs_are RO-1 1
# an older plug backorder (not ordered): the urgent order's plugs still go to
# the backorder they were ordered for, not to the oldest one
at "$TUE" 08:50 wh-zhou parts.issue issue_id=I-PLUG0 ro_number=RO-1 job_no=1 \
    part_number=P-PLUG quantity=1 technician=tech-01 backorder=true
for i in PLUG:2 GASKET:1 BELT:1; do
    at "$TUE" 09:00 wh-zhou parts.issue issue_id="I-${i%:*}" ro_number=RO-1 job_no=1 \
        part_number="P-${i%:*}" quantity="${i#*:}" technician=tech-01 backorder=true
done
# the urgent order names the plug's and the gasket's backorders (the belt's waits for stock)
at "$TUE" 09:10 wh-zhou parts.order.create order_id=UO-1 supplier=OEM urgent=true \
    lines='[{"backorder_id":"I-PLUG/bo"},{"backorder_id":"I-GASKET/bo"}]'
expect_eq "the urgent line orders what the backorder owes" "P-PLUG 2 RO-1" \
    "$(order UO-1 '.lines[0] | "\(.part_number) \(.quantity) \(.ro_number)"')"
expect_eq "the backorder remembers its order line" "UO-1/1" \
    "$(ctl --actor wh-zhou call parts.ro.show ro_number=RO-1 |
        json '.reply.issues[] | select(.issue_id=="I-PLUG/bo") | "\(.order_id)/\(.order_line)"')"
# asoem: urgent_lead_days = 1 working day after Tuesday
wait_for "the supplier confirmed UO-1" order_is UO-1 .state ORDER_CONFIRMED
expect_eq "UO-1 promised for Wednesday" "$WED" "$(order UO-1 .lines[0].promised_date)"

log "--- reception shows the promised date; the advisor's list has the RO"
wait_for "RO-1's job shows the promised parts" ro_is RO-1 '.jobs[0].parts_promised | length' 2
expect_eq "the plug's promised date on the RO" "P-PLUG 2 $WED" \
    "$(ro RO-1 '.jobs[0].parts_promised[] | select(.part_number=="P-PLUG") | "\(.part_number) \(.quantity) \(.promised_date)"')"
expect_eq "the advisor's list: ROs waiting for promised parts" "RO-1 $WED" \
    "$(ctl --actor adv-wang call reception.ro.list parts_promised=true |
        json '.reply.ros | map("\(.ro_number) \(.parts_promised_date)") | join(",")')"
# the counter's vehicle card reads it from the vehicle's history
expect_eq "the vehicle's history: RO-1 in the workshop, parts promised" "RO_IN_WORKSHOP $WED" \
    "$(ctl --actor adv-wang call reception.vehicle.history vin=$VIN | json '.reply.ros[0] | "\(.status) \(.parts_promised_date)"')"
human=$("$ASCTL" --config "$CONFIG" --actor adv-wang call reception.ro.show ro_number=RO-1)
echo "$human" | grep -q "^parts_promised_date: *$WED" ||
    fail "asctl's ro.show does not show the promised date: $human"

log "--- receipts against the lines"
# Wednesday: all 4 filters (SO-1/1, on time), 1 of 2 belts (SO-1/3: 1 missing), the
# gasket (UO-1/2, on time; it fills I-GASKET/bo the same day)
at "$WED" 08:00 wh-zhou parts.receipt.record receipt_id=R-1 supplier=OEM lines='[
    {"part_number":"P-FILTER","expected":4,"received":4,"order_id":"SO-1","order_line":1},
    {"part_number":"P-BELT","expected":2,"received":1,"discrepancy":"MISSING","note":"1 to follow",
     "order_id":"SO-1","order_line":3},
    {"part_number":"P-GASKET","expected":1,"received":1,"order_id":"UO-1","order_line":2}]'
expect_eq "SO-1 partly received" ORDER_PARTLY_RECEIVED "$(order SO-1 .state)"
expect_eq "the belt line stays open for the rest" "ORDER_PARTLY_RECEIVED 1" \
    "$(order SO-1 '.lines[2] | "\(.state) \(.received)"')"
# a filter for the RO from the shelf: a first pick
at "$WED" 09:00 wh-zhou parts.issue issue_id=I-FILTER ro_number=RO-1 job_no=1 \
    part_number=P-FILTER quantity=1 technician=tech-01
# Thursday: the plug a day late (UO-1/1; fills I-PLUG/bo late), the 2 pads confirmed
at "$THU" 08:00 wh-zhou parts.receipt.record receipt_id=R-2 supplier=OEM lines='[
    {"part_number":"P-PLUG","expected":2,"received":2,"order_id":"UO-1","order_line":1},
    {"part_number":"P-PAD","expected":2,"received":2,"order_id":"SO-1","order_line":2}]'
expect_eq "UO-1 received" ORDER_RECEIVED "$(order UO-1 .state)"
expect_eq "the urgent plugs went to the backorder ordered, the older one still waits" "I-PLUG0/bo 0" \
    "$(ctl --actor wh-zhou call parts.backorder.list part_number=P-PLUG |
        json '.reply.backorders | map("\(.issue_id) \(.filled)") | join(",")')"
expect_eq "the short-shipped pads: closed with 2 of 4" "ORDER_CLOSED 2" \
    "$(order SO-1 '.lines[1] | "\(.state) \(.received)"')"
expect_eq "overdue on Thursday: SO-1 (a belt promised Wednesday still owed)" SO-1 \
    "$(order_ids overdue=true on="$THU")"
expect_eq "overdue on Wednesday: none (promised that day)" "" "$(order_ids overdue=true on="$WED")"
# Friday: the second belt (SO-1/3 complete, two days late)
at "$FRI" 08:00 wh-zhou parts.receipt.record receipt_id=R-3 supplier=OEM lines='[
    {"part_number":"P-BELT","expected":1,"received":1,"order_id":"SO-1","order_line":3}]'
expect_eq "SO-1 closed (all in but the pads the supplier never confirmed)" ORDER_CLOSED \
    "$(order SO-1 .state)"
expect_eq "the belt line's dates" "$WED $FRI" \
    "$(order SO-1 '.lines[2] | "\(.promised_date) \(.completed_date)"')"
expect_eq "nothing overdue now" "" "$(order_ids overdue=true)"
expect_eq "by state and supplier (any case)" UO-1 "$(order_ids state=ORDER_RECEIVED supplier=oem)"
expect_eq "by supplier, newest first" UO-1,SO-1 "$(order_ids supplier=OEM)"

log "--- kpi: the hand-worked figures of the month"
# Timely supply, each order line on its promised date (all Wednesday):
#   SO-1/1 filters 4 of 4 on Wed ........ in full by the promise: yes
#   SO-1/2 pads 2 of 4 (short-shipped) .. never in full:          no
#   SO-1/3 belts complete on Fri ........ after Wed:              no
#   UO-1/1 plugs complete on Thu ........ after Wed:              no
#   UO-1/2 gasket on Wed ................ yes
#   -> 2 / 5 = 40 %
wait_for "timely supply 40 %" figure_is "timely supply rate" 40
expect_eq "timely supply's formula" "40 order lines received in full by their promised date / order lines promised for the period = 2 / 5" \
    "$(figure "timely supply rate")"
# RO parts lines, each on the day it was issued in full:
#   I-FILTER first pick (Wed) ................... on time
#   I-GASKET backorder filled Wed, promised Wed .. on time
#   I-PLUG backorder filled Thu, promised Wed .... late
#   I-BELT backorder filled Wed from stock, never promised: late
#   (I-PLUG0's backorder is not filled yet: not counted)
#   -> 2 / 4 = 50 %
wait_for "RO parts on-time 50 %" figure_is "ro parts on-time rate" 50
expect_eq "RO parts on-time's formula" "50 RO parts lines issued at the first request or by the promised date / RO parts lines issued in full = 2 / 4" \
    "$(figure "ro parts on-time rate")"

log "--- bad input is refused and writes nothing"
orders=$(orders_count)
receipts=$(receipts_count)
pads() { ctl --actor wh-zhou call parts.stock.query part_number=P-PAD | json '.reply.parts[0].on_hand'; }
pads_before=$(pads)
refused wh-zhou invalid "needs a supplier" parts.order.create order_id=SO-9 \
    lines='[{"part_number":"P-FILTER","quantity":1}]'
refused wh-zhou not-found "part 'P-NONE' is not in the catalogue" parts.order.create \
    order_id=SO-9 supplier=X lines='[{"part_number":"P-NONE","quantity":1}]'
refused wh-zhou invalid "quantity must be 1 to" parts.order.create order_id=SO-9 supplier=X \
    lines='[{"part_number":"P-FILTER","quantity":0}]'
refused wh-zhou invalid "needs 1 to 200 lines" parts.order.create order_id=SO-9 supplier=X
refused wh-zhou conflict "order 'SO-1' is already placed" parts.order.create order_id=SO-1 \
    supplier=X lines='[{"part_number":"P-FILTER","quantity":1}]'
refused wh-zhou invalid "a stock order does not name backorders" parts.order.create \
    order_id=SO-9 supplier=X lines='[{"part_number":"P-PLUG","backorder_id":"I-PLUG/bo"}]'
refused wh-zhou not-found "backorder 'I-NONE/bo' does not exist" parts.order.create \
    order_id=UO-9 supplier=X urgent=true lines='[{"backorder_id":"I-NONE/bo"}]'
refused wh-zhou invalid "'I-FILTER' is an issue, not a backorder" parts.order.create \
    order_id=UO-9 supplier=X urgent=true lines='[{"backorder_id":"I-FILTER"}]'
refused wh-zhou conflict "backorder 'I-PLUG/bo' is not open (filled)" parts.order.create \
    order_id=UO-9 supplier=X urgent=true lines='[{"backorder_id":"I-PLUG/bo"}]'
refused adv-wang denied "" parts.order.create order_id=SO-9 supplier=X \
    lines='[{"part_number":"P-FILTER","quantity":1}]'
refused wh-zhou not-found "order 'SO-9' does not exist" parts.order.confirm order_id=SO-9 \
    lines='[{"line_no":1,"promised_date":"'"$FRI"'"}]'
refused wh-zhou invalid "order 'SO-1' has no line 7" parts.order.confirm order_id=SO-1 \
    lines='[{"line_no":7,"promised_date":"'"$FRI"'"}]'
refused wh-zhou invalid "line 1 of order 'SO-1' is confirmed already" parts.order.confirm \
    order_id=SO-1 lines='[{"line_no":1,"promised_date":"'"$FRI"'"}]'
refused wh-zhou invalid "no lines to confirm" parts.order.confirm order_id=SO-1
refused wh-zhou invalid "on 'someday' is not a date" parts.order.list on=someday
refused wh-zhou invalid "limit 0 must be 1 to 500" parts.order.list limit=0
refused wh-zhou invalid "order_id is required" parts.order.show
refused wh-zhou not-found "order 'SO-9' does not exist" parts.order.show order_id=SO-9
refused adv-wang denied "" parts.order.show order_id=SO-1
refused wh-zhou not-found "line 1: order 'SO-9' does not exist" parts.receipt.record \
    receipt_id=R-9 supplier=X lines='[{"part_number":"P-BELT","received":1,"order_id":"SO-9","order_line":1}]'
refused wh-zhou not-found "line 1: order 'SO-1' has no line 9" parts.receipt.record \
    receipt_id=R-9 supplier=X lines='[{"part_number":"P-BELT","received":1,"order_id":"SO-1","order_line":9}]'
refused wh-zhou invalid "order_id and order_line (from 1) go together" parts.receipt.record \
    receipt_id=R-9 supplier=X lines='[{"part_number":"P-BELT","received":1,"order_id":"SO-1"}]'
refused wh-zhou invalid "order 'SO-1' line 1 is for part 'P-FILTER', not 'P-BELT'" \
    parts.receipt.record receipt_id=R-9 supplier=X \
    lines='[{"part_number":"P-BELT","received":1,"order_id":"SO-1","order_line":1}]'
# the pads' line (4 ordered, 2 in) owes 2: 3 more is an over-delivery
refused wh-zhou conflict "order 'SO-1' line 2 (part 'P-PAD') still owes 2, 3 received" \
    parts.receipt.record receipt_id=R-9 supplier=X \
    lines='[{"part_number":"P-PAD","received":3,"order_id":"SO-1","order_line":2}]'
expect_eq "no order was written" "$orders" "$(orders_count)"
expect_eq "no receipt was written" "$receipts" "$(receipts_count)"
expect_eq "the refused receipts put nothing on the shelf" "$pads_before" "$(pads)"

log "--- an order to a local supplier, numbered, confirmed by the keeper on the phone"
at "$FRI" 10:00 wh-zhou parts.order.create supplier=Local-Parts \
    lines='[{"part_number":"P-FILTER","quantity":3}]'
# SO-1 and UO-1 are placed: the third order is numbered PO000003
expect_eq "numbered" "ORDER_OPEN 1" "$(order PO000003 '| "\(.state) \(.lines | length)"')"
NEXT_MON=$(date -d "$MON + 7 days" +%F)
refused wh-zhou invalid "line 1 of order 'PO000003': 5 confirmed is more than the 3 ordered" \
    parts.order.confirm order_id=PO000003 \
    lines='[{"line_no":1,"confirmed_quantity":5,"promised_date":"'"$NEXT_MON"'"}]'
refused wh-zhou invalid "promised $THU is before the order date $FRI" parts.order.confirm \
    order_id=PO000003 lines='[{"line_no":1,"promised_date":"'"$THU"'"}]'
refused wh-zhou invalid "promised_date 'soon' is not a date" parts.order.confirm \
    order_id=PO000003 lines='[{"line_no":1,"promised_date":"soon"}]'
expect_eq "the refusals confirmed nothing" ORDER_OPEN "$(order PO000003 .state)"
at "$FRI" 11:00 wh-zhou parts.order.confirm order_id=PO000003 \
    lines='[{"line_no":1,"confirmed_quantity":3,"promised_date":"'"$NEXT_MON"'"}]'
expect_eq "confirmed by the keeper" "ORDER_CONFIRMED wh-zhou $NEXT_MON" \
    "$(order PO000003 '| "\(.state) \(.lines[0].confirmed_by) \(.lines[0].promised_date)"')"
[ "$FAILURES" -eq 0 ] && log "passed"
