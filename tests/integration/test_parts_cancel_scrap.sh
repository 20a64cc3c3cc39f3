#!/usr/bin/env bash
# labels: parts kpi reception
# timeout: 120
# Issue 16's two missing parts actions, keyed in with `asctl call --at` in the
# last whole month: parts.order.cancel (a three-line order, one line partly
# received and one received in full, the rest cancelled: the order's and the
# lines' states, what is on order in the forecast and the reorder list,
# parts.order.list's overdue, a receipt against a cancelled line; an urgent
# order for an RO job's backorder promised then cancelled: the backorder
# released, reception's promised date taken back; a keeper's
# own unconfirmed order cancelled by line then whole; kpi's timely supply
# without the promises withdrawn before they fell due) and parts.scrap.list
# (lists in each of the four states, filtered by state, by the dates
# proposed, by limit; the human table with amounts in currency). Bad input
# to both is refused with its own error and writes nothing. What a person
# types is limited in characters, as the refusal says: a Chinese supplier of
# 100 characters and reasons of 160 (3 bytes each) are taken, one more
# character is refused, writing nothing.
. "$(dirname "$0")/lib.sh"
setup parts_cancel_scrap
evening_clock # "today" has no hours left: nothing keyed in today falls after a report

cat >>"$CONFIG" <<INI
adv-wang = advisor
wh-zhou = warehouse_keeper
wh-li = warehouse_keeper
parts-mgr = parts_manager
tech-07 = technician

[parts]
endpoint = ipc://$T/parts.sock
heartbeat_ms = 200

[reception]
endpoint = ipc://$T/reception.sock
follows = parts
heartbeat_ms = 200

[kpi]
endpoint = ipc://$T/kpi.sock
follows = parts
heartbeat_ms = 200
INI
sed -i 's/^services = .*/services = parts, kpi, reception/' "$CONFIG"
sed -i 's/^\[site\]$/[site]\nbackdate_days = 70\nbackdate_days_manager = 70/' "$CONFIG"

start_bus bus
start_service parts
start_service kpi
start_service reception

M2=$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m) # the last whole month
log "the month $M2"

# at DAY HH:MM ACTOR COMMAND FIELD=VALUE...: keyed in now, dated DAY; must succeed (prints the reply)
at() {
    local day=$1 when=$2 who=$3 out
    shift 3
    if ! out=$(ctl --actor "$who" call "$@" --at "$day $when"); then
        fail "$who $* at $day $when: $(echo "$out" | json .error)"
        return 1
    fi
    echo "$out"
}
as() { # as ACTOR COMMAND FIELD=VALUE...: now; must succeed (prints the reply)
    local who=$1 out
    shift
    out=$(ctl --actor "$who" call "$@") || fail "$who $*: $(echo "$out" | json .error)"
    echo "$out"
}
order() { as parts-mgr parts.order.show order_id="$1" on="$M2-28" | json ".reply$2"; }
# states: the order's, then each line's "no:state:received:cancelled"
states() {
    order "$1" ' | "\(.state) \([.lines[] | "\(.line_no):\(.state):\(.received // 0):\(.cancelled // 0)"] | join(","))"'
}
on_order() { as parts-mgr parts.forecast.show part_number="$1" | json '.reply.on_order // 0'; }
reorder() { # the reorder list: part:on order:position:suggested, of every supplier
    as parts-mgr parts.reorder.list | json '[.reply.suppliers[]?.parts[] | "\(.part_number):\(.on_order // 0):\(.position // 0):\(.suggested // 0)"] | join(",")'
}
figure() { # figure NAME: the department's value of the month and its formula
    "$ASCTL" --config "$CONFIG" --actor parts-mgr --json kpi report --month "$M2" |
        jq -r --arg n "$1" '.rows[] | select(.key=="department") | .figures[] | select(.name==$n) | "\(.value) \(.formula)"'
}
figure_is() { [ "$(figure "$1" | cut -d' ' -f1)" = "$2" ]; }

# --- master data and stock --------------------------------------------------------
for p in P-PLUG:1500 P-PAD:6000 P-FILTER:2000 P-BELT:3000 P-GASKET:800 P-SCRAP:300; do
    as wh-zhou parts.part.define part_number="${p%:*}" description="part ${p%:*}" \
        cost_cents="${p#*:}" price_cents=$((${p#*:} * 2)) bin=A-1 >/dev/null
done
at "$M2-02" 09:00 wh-zhou parts.receipt.record receipt_id=R-0 supplier=OEM \
    lines='[{"part_number":"P-SCRAP","expected":10,"received":10}]' >/dev/null
# an RO job waits for 4 brake pads: the shelf has none (the backorder RO-1-1/bo)
at "$M2-02" 10:00 wh-zhou parts.issue issue_id=RO-1-1 ro_number=RO-1 job_no=1 \
    part_number=P-PAD quantity=4 technician=tech-07 backorder=true >/dev/null

log "--- the stock order PO-1: three lines, confirmed, one partly received, one in full"
at "$M2-03" 09:00 wh-zhou parts.order.create order_id=PO-1 supplier=OEM lines='[
    {"part_number":"P-PAD","quantity":10},{"part_number":"P-FILTER","quantity":6},
    {"part_number":"P-BELT","quantity":4}]' >/dev/null
at "$M2-03" 11:00 wh-zhou parts.order.confirm order_id=PO-1 lines='[
    {"line_no":1,"promised_date":"'"$M2"'-12"},{"line_no":2,"promised_date":"'"$M2"'-12"},
    {"line_no":3,"promised_date":"'"$M2"'-12"}]' >/dev/null
at "$M2-08" 09:00 wh-zhou parts.receipt.record receipt_id=R-1 supplier=OEM lines='[
    {"part_number":"P-FILTER","expected":2,"received":2,"order_id":"PO-1","order_line":2},
    {"part_number":"P-BELT","expected":4,"received":4,"order_id":"PO-1","order_line":3}]' >/dev/null
expect_eq "PO-1 before: pads open, filters 2 of 6 in, belts all in" \
    "ORDER_PARTLY_RECEIVED 1:ORDER_CONFIRMED:0:0,2:ORDER_PARTLY_RECEIVED:2:0,3:ORDER_RECEIVED:4:0" "$(states PO-1)"
# on order = what each open line still brings: pads 10 - 0, filters 6 - 2, belts 4 - 4
expect_eq "on order before: pads 10, filters 4, belts 0" "10 4 0" \
    "$(on_order P-PAD) $(on_order P-FILTER) $(on_order P-BELT)"
# pads: position = on hand 0 - reserved 0 + on order 10 - backordered 4 = 6, above the
# reorder point 0 (no demand yet): nothing to order
expect_eq "the reorder list before: nothing" "" "$(reorder)"
expect_eq "overdue on $M2-20 before: PO-1 (promised $M2-12, pads and filters not in)" "PO-1" \
    "$(as parts-mgr parts.order.list overdue=true on="$M2-20" | json '[.reply.orders[]?.order_id] | join(",")')"

log "--- refusals, each writing nothing"
BEFORE=$(as parts-mgr parts.order.show order_id=PO-1 | jq -c .reply)
refused parts-mgr not-found "order 'PO-9' does not exist" parts.order.cancel order_id=PO-9 reason=x
refused parts-mgr invalid "order_id is required" parts.order.cancel reason=x
refused parts-mgr invalid "cancelling order 'PO-1' needs a reason" parts.order.cancel order_id=PO-1
refused parts-mgr not-found "order 'PO-1' has no line 7 (lines 1 to 3)" parts.order.cancel \
    order_id=PO-1 line_nos='[1,7]' reason=x
refused parts-mgr invalid "line 1 of order 'PO-1' is named twice" parts.order.cancel \
    order_id=PO-1 line_nos='[1,1]' reason=x
refused parts-mgr conflict "line 3 of order 'PO-1' is received in full: nothing to cancel" \
    parts.order.cancel order_id=PO-1 line_nos='[1,3]' reason=x
refused wh-zhou denied "order 'PO-1' is confirmed by the supplier: a warehouse keeper cancels only" \
    parts.order.cancel order_id=PO-1 reason=x
refused wh-li denied "order 'PO-1' is placed by someone else" parts.order.cancel order_id=PO-1 reason=x
refused tech-07 denied "" parts.order.cancel order_id=PO-1 reason=x
expect_eq "PO-1 unchanged by the refusals" "$BEFORE" "$(as parts-mgr parts.order.show order_id=PO-1 | jq -c .reply)"

log "--- the parts manager cancels the rest of PO-1 on $M2-10"
at "$M2-10" 14:00 parts-mgr parts.order.cancel order_id=PO-1 reason="the supplier has no stock" >/dev/null
# pads: nothing came, all 10 cancelled (CANCELLED); filters: 2 came, 6 - 2 = 4 cancelled
# (CLOSED: the rest is not coming); belts were all in. Not every ordered part came and
# nothing more will: the order is CLOSED, as after a short confirmation.
expect_eq "PO-1 after" "ORDER_CLOSED 1:ORDER_CANCELLED:0:10,2:ORDER_CLOSED:2:4,3:ORDER_RECEIVED:4:0" \
    "$(states PO-1)"
expect_eq "who, when, why" "parts-mgr $M2-10 the supplier has no stock" \
    "$(order PO-1 '.lines[0] | "\(.cancelled_by) \(.cancelled_date) \(.cancel_reason)"')"
expect_eq "on order after: pads 0, filters 0, belts 0" "0 0 0" \
    "$(on_order P-PAD) $(on_order P-FILTER) $(on_order P-BELT)"
# pads: position = 0 - 0 + 0 - 4 = -4, at or below the reorder point 0: suggested
# order-up-to 0 - (-4) = 4, the backorder's four
expect_eq "the reorder list after: the pads the RO waits for" "P-PAD:0:-4:4" "$(reorder)"
expect_eq "overdue on $M2-20 after: none" "" \
    "$(as parts-mgr parts.order.list overdue=true on="$M2-20" | json '[.reply.orders[]?.order_id] | join(",")')"
expect_eq "listed by state ORDER_CLOSED" "PO-1" \
    "$(as parts-mgr parts.order.list state=ORDER_CLOSED | json '[.reply.orders[]?.order_id] | join(",")')"
refused parts-mgr conflict "order 'PO-1' is ORDER_CLOSED: nothing to cancel" parts.order.cancel \
    order_id=PO-1 reason=x
refused parts-mgr conflict "line 1 of order 'PO-1' is cancelled already" parts.order.cancel \
    order_id=PO-1 line_nos=1 reason=x
refused wh-zhou conflict "order 'PO-1' line 2 (part 'P-FILTER') still owes 0 (the rest is cancelled)" \
    parts.receipt.record receipt_id=R-2 supplier=OEM \
    lines='[{"part_number":"P-FILTER","expected":1,"received":1,"order_id":"PO-1","order_line":2}]'
refused wh-zhou not-found "receipt 'R-2' does not exist" parts.receipt.show receipt_id=R-2
refused wh-zhou conflict "line 1 of order 'PO-1' is cancelled" parts.order.confirm order_id=PO-1 \
    lines='[{"line_no":1,"promised_date":"'"$M2"'-20"}]'

log "--- an urgent order for an RO job's backorder, promised, then cancelled"
as adv-wang reception.customer.register customer_id=C1 name="Customer 1" phone=13900000001 >/dev/null
as adv-wang reception.vehicle.register vin=JNKCV61E29M300011 plate=LU-D0001 customer_id=C1 \
    sale_date=2024-05-01 mileage_km=20000 >/dev/null
at "$M2-11" 08:00 adv-wang reception.ro.open ro_number=RO-2 vin=JNKCV61E29M300011 mileage_km=21000 \
    jobs='[{"concern":"engine misfires","pay_type":"CUSTOMER_PAY","labour":{"code":"EN100","sold_minutes":60,"rate_cents":60000}}]' >/dev/null
at "$M2-11" 08:30 wh-zhou parts.issue issue_id=RO-2-1 ro_number=RO-2 job_no=1 \
    part_number=P-PLUG quantity=2 technician=tech-07 backorder=true >/dev/null
at "$M2-11" 08:40 wh-zhou parts.order.create order_id=UO-1 supplier=OEM urgent=true \
    lines='[{"backorder_id":"RO-2-1/bo"}]' >/dev/null
at "$M2-11" 08:50 wh-zhou parts.order.confirm order_id=UO-1 \
    lines='[{"line_no":1,"promised_date":"'"$M2"'-16"}]' >/dev/null
promised() { ctl --actor adv-wang call reception.ro.show ro_number=RO-2 | json '.reply.parts_promised_date // "none"'; }
wait_for "reception shows RO-2's promised date" eval '[ "$(promised)" = "$M2-16" ]'
# plugs: on hand 0 - reserved 0 + on order 2 - backordered 2 = 0: nothing to order
expect_eq "the urgent line and its backorder cancel out" "2 P-PAD:0:-4:4" "$(on_order P-PLUG) $(reorder)"
at "$M2-11" 09:00 parts-mgr parts.order.cancel order_id=UO-1 reason="the customer declined the job" >/dev/null
expect_eq "UO-1 cancelled" "ORDER_CANCELLED 1:ORDER_CANCELLED:0:2" "$(states UO-1)"
# the backorder waits again, ordered by nothing and promised nothing; plugs: position
# 0 - 0 + 0 - 2 = -2: suggested 0 - (-2) = 2
expect_eq "the backorder is released" "RO-2-1/bo::" \
    "$(as wh-zhou parts.backorder.list part_number=P-PLUG | json '.reply.backorders[0] | "\(.issue_id):\(.order_id // ""):\(.promised_date // "")"')"
expect_eq "the reorder list: the plugs again" "P-PAD:0:-4:4,P-PLUG:0:-2:2" "$(reorder)"
wait_for "reception takes RO-2's promise back" eval '[ "$(promised)" = none ]'

log "--- a keeper's own unconfirmed order: a line, then the rest"
at "$M2-11" 09:00 wh-zhou parts.order.create order_id=PO-2 supplier=Bosch lines='[
    {"part_number":"P-GASKET","quantity":5},{"part_number":"P-BELT","quantity":2}]' >/dev/null
refused wh-li denied "order 'PO-2' is placed by someone else" parts.order.cancel order_id=PO-2 reason=x
at "$M2-11" 10:00 wh-zhou parts.order.cancel order_id=PO-2 line_nos=2 reason="keyed twice" >/dev/null
# line 1 is still open (and unconfirmed: the order is OPEN); belts on order 0
expect_eq "PO-2 with line 2 cancelled" "ORDER_OPEN 1:ORDER_OPEN:0:0,2:ORDER_CANCELLED:0:2" "$(states PO-2)"
expect_eq "on order: gaskets 5, belts 0" "5 0" "$(on_order P-GASKET) $(on_order P-BELT)"
at "$M2-11" 10:05 wh-zhou parts.order.cancel order_id=PO-2 reason="wrong supplier" >/dev/null
expect_eq "PO-2 cancelled" "ORDER_CANCELLED 1:ORDER_CANCELLED:0:5,2:ORDER_CANCELLED:0:2" "$(states PO-2)"
expect_eq "listed by state ORDER_CANCELLED, newest first" "PO-2,UO-1" \
    "$(as parts-mgr parts.order.list state=ORDER_CANCELLED | json '[.reply.orders[]?.order_id] | join(",")')"
refused wh-zhou conflict "order 'PO-2' is ORDER_CANCELLED: nothing to cancel" parts.order.cancel \
    order_id=PO-2 reason=x

log "--- a received order, and a late cancellation"
at "$M2-11" 11:00 parts-mgr parts.order.create order_id=PO-3 supplier=OEM \
    lines='[{"part_number":"P-GASKET","quantity":5}]' >/dev/null
at "$M2-11" 11:05 parts-mgr parts.order.confirm order_id=PO-3 \
    lines='[{"line_no":1,"promised_date":"'"$M2"'-12"}]' >/dev/null
at "$M2-11" 12:00 parts-mgr parts.order.create order_id=PO-4 supplier=OEM \
    lines='[{"part_number":"P-BELT","quantity":1}]' >/dev/null
at "$M2-13" 09:00 wh-zhou parts.receipt.record receipt_id=R-3 supplier=OEM \
    lines='[{"part_number":"P-BELT","expected":1,"received":1,"order_id":"PO-4","order_line":1}]' >/dev/null
refused parts-mgr conflict "order 'PO-4' is ORDER_RECEIVED: nothing to cancel" parts.order.cancel \
    order_id=PO-4 reason=x
refused wh-zhou denied "order 'PO-3' is placed by someone else" parts.order.cancel order_id=PO-3 reason=x
# promised for the 12th, cancelled on the 14th: the promise was broken already
at "$M2-14" 09:00 parts-mgr parts.order.cancel order_id=PO-3 reason="too late, bought elsewhere" >/dev/null

# Timely supply of the month, on the promised dates: PO-1's three lines and PO-3's were
# promised for the 12th. PO-1 line 3 came in full on the 8th: on time. PO-1 lines 1 and 2
# were cancelled on the 10th, before their promise fell due: withdrawn, not due. PO-3 was
# cancelled on the 14th, after its promise: due, not on time. 1 on time / 2 due = 50 %.
wait_for "timely supply 50 %" figure_is "timely supply rate" 50
expect_eq "timely supply's formula" "50 order lines received in full by their promised date / order lines promised for the period = 1 / 2" \
    "$(figure "timely supply rate")"

log "--- scrap lists in each state"
scrap_list() { # scrap_list ID DAY: proposed by the keeper on DAY, N of P-SCRAP added
    at "$2" 09:00 wh-zhou parts.scrap.propose list_id="$1" >/dev/null
    as wh-zhou parts.scrap.edit --payload '{"list_id":"'"$1"'","add":[{"part_number":"P-SCRAP","quantity":'"$3"'}]}' >/dev/null
}
scrap_list SL-A "$M2-03" 2 # 2 x 300 = 600, approved
at "$M2-03" 10:00 wh-zhou parts.scrap.submit list_id=SL-A >/dev/null
at "$M2-04" 11:00 parts-mgr parts.scrap.approve list_id=SL-A >/dev/null
scrap_list SL-B "$M2-05" 3 # 3 x 300 = 900, rejected
at "$M2-05" 10:00 wh-zhou parts.scrap.submit list_id=SL-B >/dev/null
at "$M2-06" 11:00 parts-mgr parts.scrap.reject list_id=SL-B reason="keep them for the campaign" >/dev/null
scrap_list SL-C "$M2-07" 1 # 1 x 300 = 300, submitted
at "$M2-07" 10:00 wh-zhou parts.scrap.submit list_id=SL-C >/dev/null
scrap_list SL-D "$M2-09" 4 # 4 x 300 = 1200, a draft

rows() { as "$@" | json '[.reply.lists[]? | "\(.list_id):\(.state):\(.lines):\(.value_cents)"] | join(",")'; }
expect_eq "every list, newest first: id, state, lines, value at cost" \
    "SL-D:SCRAP_DRAFT:1:1200,SL-C:SCRAP_SUBMITTED:1:300,SL-B:SCRAP_REJECTED:1:900,SL-A:SCRAP_APPROVED:1:600" \
    "$(rows wh-zhou parts.scrap.list)"
for s in DRAFT:SL-D SUBMITTED:SL-C REJECTED:SL-B APPROVED:SL-A; do
    expect_eq "state SCRAP_${s%:*}" "${s#*:}" \
        "$(as parts-mgr parts.scrap.list state="SCRAP_${s%:*}" | json '[.reply.lists[].list_id] | join(",")')"
done
expect_eq "proposed $M2-05..$M2-07 (both included)" "SL-C,SL-B" \
    "$(as parts-mgr parts.scrap.list from="$M2-05" to="$M2-07" | json '[.reply.lists[].list_id] | join(",")')"
expect_eq "limit 2: the newest two" "SL-D,SL-C" \
    "$(as parts-mgr parts.scrap.list limit=2 | json '[.reply.lists[].list_id] | join(",")')"
expect_eq "the approved list: who proposed, submitted and decided it" "wh-zhou wh-zhou parts-mgr" \
    "$(as parts-mgr parts.scrap.list state=SCRAP_APPROVED | json '.reply.lists[0] | "\(.proposed_by) \(.submitted_by) \(.decided_by)"')"
expect_eq "the rejected list's reason" "keep them for the campaign" \
    "$(as parts-mgr parts.scrap.list state=SCRAP_REJECTED | json '.reply.lists[0].reason')"
# what people see: a table, times as local date-times, amounts in currency units
HUMAN=$("$ASCTL" --config "$CONFIG" --actor wh-zhou call parts.scrap.list state=SCRAP_REJECTED -o wide)
echo "$HUMAN" | grep -q "list_id.*state.*proposed_by" || fail "no table header in: $HUMAN"
echo "$HUMAN" | grep -q "SL-B.*SCRAP_REJECTED.*$M2-05 09:00.*$M2-05 10:00.*$M2-06 11:00.*9\.00" ||
    fail "the row does not show the dates and 9.00: $HUMAN"

log "--- bad queries refused"
refused wh-zhou invalid "from '$M2-32' is not a date (YYYY-MM-DD)" parts.scrap.list from="$M2-32"
refused wh-zhou invalid "to 'soon' is not a date (YYYY-MM-DD)" parts.scrap.list to=soon
refused wh-zhou invalid "from $M2-09 is after to $M2-05" parts.scrap.list from="$M2-09" to="$M2-05"
refused wh-zhou invalid "limit 501 must be 1 to 500" parts.scrap.list limit=501
refused wh-zhou invalid "limit 0 must be 1 to 500" parts.scrap.list limit=0
refused tech-07 denied "" parts.scrap.list

log "--- what people type is counted in characters: Chinese at the limit, and one more"
zh() { printf "$1%.0s" $(seq "$2"); } # zh CHARACTER N: the character N times
bytes() { printf %s "$1" | wc -c; }
# says ACTOR COMMAND FIELD=VALUE...: what asctl prints when the command is refused
says() {
    local who=$1 out
    shift
    if out=$("$ASCTL" --config "$CONFIG" --actor "$who" call "$@" 2>&1); then
        echo "accepted: $out"
    else
        echo "$out"
    fi
}
SUPPLIER=$(zh 汽 100) # 300 bytes: more than 100, as a byte count had it
expect_eq "the Chinese supplier's bytes" 300 "$(bytes "$SUPPLIER")"
at "$M2-20" 09:00 wh-zhou parts.order.create order_id=PO-ZH supplier="$SUPPLIER" \
    lines='[{"part_number":"P-GASKET","quantity":5}]' >/dev/null
expect_eq "a supplier of 100 Chinese characters is taken" "$SUPPLIER" "$(order PO-ZH .supplier)"
expect_eq "101 characters are refused" \
    "asctl: parts.order.create refused (invalid): order 'PO-ZH2' needs a supplier (up to 100 characters)" \
    "$(says wh-zhou parts.order.create order_id=PO-ZH2 supplier="$(zh 汽 101)" \
        lines='[{"part_number":"P-GASKET","quantity":5}]' --at "$M2-20 09:10")"
refused parts-mgr not-found "order 'PO-ZH2' does not exist" parts.order.show order_id=PO-ZH2

REASON=$(zh 缺 160) # 480 bytes: within the runtime's 500-byte cap on any text
expect_eq "the Chinese reason's bytes" 480 "$(bytes "$REASON")"
BEFORE=$(as parts-mgr parts.order.show order_id=PO-ZH | jq -c .reply)
expect_eq "a reason of 161 characters is refused" \
    "asctl: parts.order.cancel refused (invalid): cancelling order 'PO-ZH' needs a reason (up to 160 characters)" \
    "$(says parts-mgr parts.order.cancel order_id=PO-ZH reason="${REASON}缺" --at "$M2-20 10:00")"
expect_eq "PO-ZH unchanged by the refusal" "$BEFORE" "$(as parts-mgr parts.order.show order_id=PO-ZH | jq -c .reply)"
at "$M2-20" 10:00 parts-mgr parts.order.cancel order_id=PO-ZH reason="$REASON" >/dev/null
expect_eq "a reason of 160 characters cancels PO-ZH" "ORDER_CANCELLED $REASON" \
    "$(order PO-ZH ' | "\(.state) \(.lines[0].cancel_reason)"')"

BEFORE=$(as parts-mgr parts.scrap.list state=SCRAP_SUBMITTED | jq -c .reply)
expect_eq "rejecting SL-C with a reason of 161 characters is refused" \
    "asctl: parts.scrap.reject refused (invalid): rejecting scrap list 'SL-C' needs a reason (up to 160 characters)" \
    "$(says parts-mgr parts.scrap.reject list_id=SL-C reason="${REASON}缺" --at "$M2-20 11:00")"
expect_eq "SL-C still submitted, as it was" "$BEFORE" \
    "$(as parts-mgr parts.scrap.list state=SCRAP_SUBMITTED | jq -c .reply)"
at "$M2-20" 11:00 parts-mgr parts.scrap.reject list_id=SL-C reason="$REASON" >/dev/null
expect_eq "a reason of 160 characters rejects SL-C" "SCRAP_REJECTED $REASON" \
    "$(as parts-mgr parts.scrap.list state=SCRAP_REJECTED | json '.reply.lists[] | select(.list_id=="SL-C") | "\(.state) \(.reason)"')"

finish
