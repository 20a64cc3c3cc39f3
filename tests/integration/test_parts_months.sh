#!/usr/bin/env bash
# labels: parts kpi
# timeout: 240
# Issue 14's "must show": two months of a small dealership's parts work played
# through the real daemons (reception, workshop, parts, kpi, asoem as the
# supplier, the sales DMS's gateway), keyed in afterwards with `asctl call
# --at`: stock orders and an urgent order per month, a short-shipped line, a
# short receipt and a late delivery, ROs issuing parts (a pump from a
# backorder each month), a return, two new cars with accessories, an
# accessory on an ordinary RO (and an amount keyed at delivery), the annual
# scrap list approved in month 2, the keepers' shifts. `kpi report` of EACH
# month must show the figures worked out by hand below: timely supply, RO
# parts on-time, stock value and stock days, scrap rate, accessory sales per
# new car, accessory gross profit, parts gross profit, warehouse
# productivity.
. "$(dirname "$0")/lib.sh"
setup parts_months
evening_clock # "today" has no hours left: nothing keyed in today falls after a report

export AS_RUN_DIR=$T
cp "$(dirname "$0")/../../deploy/local.ini" "$CONFIG"
# the supplier confirms half of the oil filters; work is keyed in up to ~15 months back
sed -i -e 's/^; short_ship_parts = .*/short_ship_parts = FLT-01/' \
    -e 's/^backdate_days = .*/backdate_days = 600/' \
    -e 's/^backdate_days_manager = .*/backdate_days_manager = 600/' "$CONFIG"
printf "wk-chen = warehouse_keeper\nwk-li = warehouse_keeper\n" >>"$CONFIG" # [staff] is the last section
start_bus bus
start_site_daemons

CUR=$(date +%Y-%m-01)
M1=$(date -d "$CUR -2 months" +%Y-%m) # month 1
M2=$(date -d "$CUR -1 month" +%Y-%m)  # month 2: the last whole month
OLD=$(date -d "$M1-01 -13 months" +%F)
D2=$(date -d "$CUR -1 day" +%d) # days in month 2
D2=$((10#$D2))
log "month 1 $M1, month 2 $M2"

# workdays_after DAY N: the Nth working day (Monday..Friday) after DAY (asoem's promise)
workdays_after() {
    local d=$1 n=$2
    while [ "$n" -gt 0 ]; do
        d=$(date -d "$d + 1 day" +%F)
        [ "$(date -d "$d" +%u)" -le 5 ] && n=$((n - 1))
    done
    echo "$d"
}
day_of() { echo $((10#${1:8:2})); }

# at DAY HH:MM ACTOR COMMAND FIELD=VALUE...: work of that day, keyed in now; must succeed
at() {
    local day=$1 when=$2 who=$3 out
    shift 3
    if ! out=$(ctl --actor "$who" call "$@" --at "$day $when"); then
        fail "$who $* at $day $when: $(echo "$out" | json .error)"
        return 1
    fi
}
ask() { # ask ACTOR COMMAND...: master data, not dated; must succeed
    local who=$1 out
    shift
    out=$(ctl --actor "$who" call "$@") || fail "$who $*: $(echo "$out" | json .error)"
}
order() { ctl --actor wh-zhou call parts.order.show order_id="$1" | json ".reply$2"; }
order_is() { [ "$(order "$1" "$2" 2>/dev/null)" = "$3" ]; }
ro() { ctl --actor adv-wang call reception.ro.show ro_number="$1" | json ".reply$2"; }
ro_is() { [ "$(ro "$1" "$2" 2>/dev/null)" = "$3" ]; }
work_jobs_are() { [ "$(ctl --actor foreman-liu call workshop.ro.show ro_number="$1" 2>/dev/null | json '.reply.jobs | length')" = "$2" ]; }
consumed() { [ "$(ro "$1" .parts_consumed_cents)" != null ]; }

vin() { # a VIN with the right check digit (ISO 3779) from 16 other characters
    awk -v v="$1" 'BEGIN {
        split("8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2", w, " ")
        map = "A1B2C3D4E5F6G7H8J1K2L3M4N5P7R9S2T3U4V5W6X7Y8Z9"
        s = substr(v, 1, 8) "0" substr(v, 9); sum = 0
        for (i = 1; i <= 17; i++) {
            c = substr(s, i, 1)
            if (c ~ /[0-9]/) n = c + 0; else n = substr(map, index(map, c) + 1, 1) + 0
            sum += n * w[i]
        }
        d = sum % 11; printf "%s%s%s\n", substr(s, 1, 8), (d == 10 ? "X" : d), substr(s, 10)
    }'
}

# --- the workshop's and the warehouse's work, as people key it in ----------------------
JOB() { echo "{\"concern\":\"$1\",\"pay_type\":\"CUSTOMER_PAY\",\"labour\":{\"code\":\"MA100\",\"sold_minutes\":60,\"skill\":\"maintenance\"}}"; }
open_ro() { # open_ro DAY RO VIN CONCERN
    at "$1" 08:00 adv-wang reception.ro.open ro_number="$2" vin="$3" mileage_km=30000 jobs="[$(JOB "$4")]"
    at "$1" 08:05 adv-wang reception.ro.consent ro_number="$2" consent=signature
    wait_for "workshop has $2" work_jobs_are "$2" 1
}
issue() { # issue DAY KEEPER ID RO JOB PART QTY [backorder=true]
    at "$1" 09:00 "$2" parts.issue issue_id="$3" ro_number="$4" job_no="$5" part_number="$6" \
        quantity="$7" technician=tech-01 ${8:+"$8"}
}
receive() { # receive DAY ID LINES-JSON: wk-chen's receipt from the OEM
    at "$1" 08:00 wk-chen parts.receipt.record --payload \
        "{\"receipt_id\":\"$2\",\"supplier\":\"OEM\",\"lines\":$3}"
}
work() { # work DAY RO JOB: dispatched, clocked on and off (job 1 from 10:00, job 2 from 11:00)
    local h=$((9 + $3))
    at "$1" "$h:00" foreman-liu workshop.job.dispatch ro_number="$2" job_no="$3" tech_id=tech-01 bay_id=B1
    at "$1" "$h:05" tech-01 workshop.clock.on ro_number="$2" job_no="$3"
    at "$1" "$h:55" tech-01 workshop.clock.off ro_number="$2" job_no="$3" finished=true
}
handover() { # handover DAY RO [keyed accessories cents]: QC passed, parts settled, delivered
    at "$1" 14:00 qc-ma workshop.qc.inspect ro_number="$2" kind=FINAL passed=true
    wait_for "$2 ready for delivery" ro_is "$2" .status RO_READY_FOR_DELIVERY
    wait_for "$2 parts settled" consumed "$2"
    at "$1" 16:00 adv-wang reception.ro.deliver ro_number="$2" ${3:+accessories_cents=$3}
}
shift_of() { # shift_of KEEPER DAY START END: recorded by the parts manager that evening
    at "$2" 18:00 parts-mgr parts.shift.record staff_id="$1" date="$2" start="$3" end="$4"
}
sold() { # sold DAY REF VIN ACCESSORIES_JSON: the sales DMS hands over a new car sold that day
    SALE_DAY=$1 SALE_REF=$2 SALE_TRY=0
    SALE="{\"sale_ref\":\"$2\",\"vin\":\"$3\",\"model\":\"QX50\",\"sale_date\":\"$1\",\"customer_name\":\"Buyer $2\",\"phone\":\"13900000100\",\"salesperson\":\"sal-zhao\",\"accessories\":[$4]}"
    wait_for "$2 ingested" ingested
    wait_for "NC-$2 at reception" ro_is "NC-$2" .status RO_IN_WORKSHOP
    wait_for "NC-$2 on the board" work_jobs_are "NC-$2" 2
}
# the gateway knows the accessories once it has heard parts define them; a
# refusal is kept under its request id, so each try is a new one
ingested() {
    SALE_TRY=$((SALE_TRY + 1))
    [ "$(ctl --actor sales call --request-id "dms-$SALE_REF-$SALE_TRY" sales.ingest type=sales.vehicle.sold \
        subject="$SALE_REF" payload_json="$SALE" --at "$SALE_DAY 09:00" | json .reply.type)" = sales.vehicle.sold ]
}

# --- master data -------------------------------------------------------------------------
part() { # part NUMBER GROUP COST PRICE [accessory=true]
    ask wh-zhou parts.part.define part_number="$1" description="part $1" group="$2" cost_cents="$3" \
        price_cents="$4" bin=A-1 ${5:+"$5"}
}
part FLT-01 filters 1000 2000
part PAD-01 brakes 5000 9000
part BLT-01 engine 3000 6000
part PMP-01 engine 8000 15000
part OLD-01 engine 2000 4000
part ACC-MAT accessories 10000 20000 accessory=true
part ACC-CAM accessories 30000 50000 accessory=true
ask foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang A" skills=maintenance \
    level=2 hourly_cost_cents=10000
ask foreman-liu workshop.bay.register bay_id=B1 kind=lift
ask svc-mgr reception.labour_rate.set pay_type=CUSTOMER_PAY rate_cents=60000
V1=$(vin JNKCV61E9M300021)
V2=$(vin JNKCV61E9M300022)
N1=$(vin JNKCV61E9N300031)
N2=$(vin JNKCV61E9N300032)
ask adv-wang reception.customer.register customer_id=C1 name="Customer 1" phone=13900000021
ask adv-wang reception.customer.register customer_id=C2 name="Customer 2" phone=13900000022
ask adv-wang reception.vehicle.register vin="$V1" plate=LU-M0021 customer_id=C1 mileage_km=30000
ask adv-wang reception.vehicle.register vin="$V2" plate=LU-M0022 customer_id=C2 mileage_km=30000
knows_skill() { ctl --actor adv-wang call reception.skill.list | grep -q maintenance; }
wait_for "reception knows the technician's skill" knows_skill

# Values at cost, in cents; "level" is the stock on hand at cost at the day's end.
log "--- 13 months before month 1: 5 obsolete kits"
# OLD: OLD-01 +5 x 2000                                         level  10000
receive "$OLD" R-0 '[{"part_number":"OLD-01","expected":5,"received":5}]'

log "=== month 1 ($M1)"
# M1-03: wk-chen's stock order; asoem promises every line 2 working days on (P1)
#   and confirms half of the filters (short_ship_parts)
P1=$(workdays_after "$M1-03" 2)
at "$M1-03" 09:00 wk-chen parts.order.create order_id=SO-1 supplier=OEM lines='[
    {"part_number":"FLT-01","quantity":20},{"part_number":"PAD-01","quantity":10},
    {"part_number":"BLT-01","quantity":2},{"part_number":"ACC-MAT","quantity":4},
    {"part_number":"ACC-CAM","quantity":2}]'
wait_for "the supplier confirmed SO-1" order_is SO-1 .state ORDER_CONFIRMED
expect_eq "SO-1 promised for $P1, the filters 10 of 20" "$P1 10" \
    "$(order SO-1 ' | "\(.lines[0].promised_date) \(.lines[0].confirmed_quantity)"')"
# P1: the delivery, on its promised day: the 10 confirmed filters, the pads,
#   1 of the 2 belts (short: 1 missing), the mats and cameras
#   +10 x 1000 + 10 x 5000 + 1 x 3000 + 4 x 10000 + 2 x 30000 = 163000  level 173000
receive "$P1" R-1 '[
    {"part_number":"FLT-01","expected":10,"received":10,"order_id":"SO-1","order_line":1},
    {"part_number":"PAD-01","expected":10,"received":10,"order_id":"SO-1","order_line":2},
    {"part_number":"BLT-01","expected":2,"received":1,"discrepancy":"MISSING","note":"1 to follow",
     "order_id":"SO-1","order_line":3},
    {"part_number":"ACC-MAT","expected":4,"received":4,"order_id":"SO-1","order_line":4},
    {"part_number":"ACC-CAM","expected":2,"received":2,"order_id":"SO-1","order_line":5}]'
# M1-09: the second belt, late (after P1)       +3000          level 176000
receive "$M1-09" R-2 '[{"part_number":"BLT-01","expected":1,"received":1,"order_id":"SO-1","order_line":3}]'
expect_eq "SO-1 closed: the filters never come in full" ORDER_CLOSED "$(order SO-1 .state)"

# M1-10: RO-1 (V1): brake pads from the shelf, a water pump nobody has
open_ro "$M1-10" RO-1 "$V1" "brakes and a leaking water pump"
#   wk-li issues 4 pads (a first pick)           -20000         level 156000
issue "$M1-10" wk-li I-1 RO-1 1 PAD-01 4
#   and the pump: none free, a backorder of 1
issue "$M1-10" wk-li I-2 RO-1 1 PMP-01 1 backorder=true
#   the urgent order for the backorder; asoem promises 1 working day on (U1)
U1=$(workdays_after "$M1-10" 1)
L1=$(date -d "$U1 + 1 day" +%F) # the pump comes a day late
at "$M1-10" 09:30 wk-li parts.order.create order_id=UO-1 supplier=OEM urgent=true \
    lines='[{"backorder_id":"I-2/bo"}]'
wait_for "the supplier confirmed UO-1" order_is UO-1 .state ORDER_CONFIRMED
expect_eq "UO-1 promised for $U1" "$U1" "$(order UO-1 .lines[0].promised_date)"
wait_for "RO-1 shows the promised pump" ro_is RO-1 '.jobs[0].parts_promised[0].promised_date' "$U1"
# M1-11: one pad too many comes back             +5000          level 161000
at "$M1-11" 09:00 wk-li parts.return issue_id=I-1 quantity=1
# L1 (= U1 + 1 day): the pump, late; it fills I-2/bo (by wk-chen, who receives it)
#   +8000 - 8000                                                level 161000
receive "$L1" R-3 '[{"part_number":"PMP-01","expected":1,"received":1,"order_id":"UO-1","order_line":1}]'
work "$L1" RO-1 1
handover "$L1" RO-1
# M1-14: RO-2 (V2): an oil service, 2 filters    -2000          level 159000
open_ro "$M1-14" RO-2 "$V2" "oil service"
issue "$M1-14" wk-li I-3 RO-2 1 FLT-01 2
work "$M1-14" RO-2 1
handover "$M1-14" RO-2
# M1-15: new car 1 sold with mats and a camera (at the catalogue's prices)
sold "$M1-15" D1001 "$N1" '{"part_number":"ACC-MAT","quantity":1,"agreed_price_cents":20000},
    {"part_number":"ACC-CAM","quantity":1,"agreed_price_cents":50000}'
# M1-16: its PDI and fitting; the accessories issued  -10000 - 30000  level 119000
issue "$M1-16" wk-li I-4 NC-D1001 2 ACC-MAT 1
issue "$M1-16" wk-li I-5 NC-D1001 2 ACC-CAM 1
work "$M1-16" NC-D1001 1
work "$M1-16" NC-D1001 2
handover "$M1-16" NC-D1001
# the keepers' shifts: wk-chen 5 h on P1 and 1 h on M1-09, wk-li 4 h on M1-10
shift_of wk-chen "$P1" 08:00 13:00
shift_of wk-chen "$M1-09" 08:00 09:00
shift_of wk-li "$M1-10" 08:00 12:00

log "=== month 2 ($M2)"
# M2-02: the stock order; P2 two working days on; the filters confirmed half (5 of 10)
P2=$(workdays_after "$M2-02" 2)
at "$M2-02" 09:00 wk-chen parts.order.create order_id=SO-2 supplier=OEM lines='[
    {"part_number":"FLT-01","quantity":10},{"part_number":"PAD-01","quantity":4}]'
wait_for "the supplier confirmed SO-2" order_is SO-2 .state ORDER_CONFIRMED
# P2: all that was confirmed, on time   +5 x 1000 + 4 x 5000 = 25000  level 144000
receive "$P2" R-4 '[
    {"part_number":"FLT-01","expected":5,"received":5,"order_id":"SO-2","order_line":1},
    {"part_number":"PAD-01","expected":4,"received":4,"order_id":"SO-2","order_line":2}]'
# M2-08: RO-3 (V1): a belt from the shelf        -3000          level 141000
#   and a pump again: a backorder, the urgent order promised U2, delivered on U2
open_ro "$M2-08" RO-3 "$V1" "belt squeal, pump noise"
issue "$M2-08" wk-li I-6 RO-3 1 BLT-01 1
issue "$M2-08" wk-li I-7 RO-3 1 PMP-01 1 backorder=true
U2=$(workdays_after "$M2-08" 1)
at "$M2-08" 09:30 wk-li parts.order.create order_id=UO-2 supplier=OEM urgent=true \
    lines='[{"backorder_id":"I-7/bo"}]'
wait_for "the supplier confirmed UO-2" order_is UO-2 .state ORDER_CONFIRMED
# U2: the pump, on time; fills I-7/bo            +8000 - 8000   level 141000
receive "$U2" R-5 '[{"part_number":"PMP-01","expected":1,"received":1,"order_id":"UO-2","order_line":1}]'
work "$U2" RO-3 1
handover "$U2" RO-3
# M2-15: RO-4 (V2): a filter and floor mats (an accessory on an ordinary RO),
#   and 50.00 of accessories the advisor keys at delivery (their cost unknown)
#   -1000 - 10000                                              level 130000
open_ro "$M2-15" RO-4 "$V2" "oil service, floor mats"
issue "$M2-15" wk-li I-8 RO-4 1 FLT-01 1
issue "$M2-15" wk-li I-9 RO-4 1 ACC-MAT 1
work "$M2-15" RO-4 1
handover "$M2-15" RO-4 5000
# M2-16: new car 2 sold with 2 mats; fitted M2-17    -20000    level 110000
sold "$M2-16" D1002 "$N2" '{"part_number":"ACC-MAT","quantity":2,"agreed_price_cents":20000}'
issue "$M2-17" wk-li I-10 NC-D1002 2 ACC-MAT 2
work "$M2-17" NC-D1002 1
work "$M2-17" NC-D1002 2
handover "$M2-17" NC-D1002
# M2-20: the annual scrap list: the kits, not moved for 12 months (5 x 2000);
#   approved by the parts manager M2-21          -10000         level 100000
at "$M2-20" 15:00 wk-chen parts.scrap.propose list_id=SL-1
expect_eq "the scrap list proposes the obsolete kits" "OLD-01:5:10000" \
    "$(ctl --actor wk-chen call parts.scrap.show list_id=SL-1 | json '[.reply.lines[] | "\(.part_number):\(.quantity):\(.value_cents)"] | join(",")')"
at "$M2-20" 15:30 wk-chen parts.scrap.submit list_id=SL-1
at "$M2-21" 09:00 parts-mgr parts.scrap.approve list_id=SL-1
# the keepers' shifts: wk-chen 2 h on P2; wk-li 4 h on M2-15, and M2-08 keyed
# 08:00-12:00 then corrected to 08:00-10:00 (the second replaces the first): 2 h
shift_of wk-chen "$P2" 08:00 10:00
shift_of wk-li "$M2-15" 08:00 12:00
shift_of wk-li "$M2-08" 08:00 12:00
shift_of wk-li "$M2-08" 08:00 10:00

# --- the reports ---------------------------------------------------------------------------
caught_up() { # kpi has applied every event of the sources it follows
    local st
    st=$(ctl status reception workshop parts sales kpi 2>/dev/null) || return 1
    echo "$st" | jq -e '
        ([.services[] | select(.up) | {key: .source, value: (.last_seq | tonumber)}] | from_entries) as $last |
        [.services[] | select(.service == "kpi") | (.offsets // [])[] |
         select($last[.source] != null) | (.applied_seq | tonumber) == $last[.source]] |
        length >= 4 and all' >/dev/null
}
wait_for "kpi applied every event" caught_up
report() { "$ASCTL" --config "$CONFIG" --actor parts-mgr --json kpi report --month "$1"; }
report "$M1" >"$T/m1.json"
report "$M2" >"$T/m2.json"
fig() { # fig MONTH-FILE NAME: the department's value, 2 decimals ("undefined" when not defined)
    jq -r --arg n "$2" '.rows[] | select(.key=="department") | .figures[] | select(.name==$n) |
        if .defined then (.value * 100 | round / 100 | tostring) else "undefined" end' "$1"
}
formula() { jq -r --arg n "$2" '.rows[] | select(.key=="department") | .figures[] | select(.name==$n) | .formula' "$1"; }
r2() { awk "BEGIN { printf \"%s\", 0 + sprintf(\"%.2f\", $1) }"; } # a ratio to 2 decimals

log "--- month 1, worked by hand"
# Timely supply: order lines promised in month 1, received in full by the promise
#   SO-1/1 filters: 20 ordered, 10 confirmed and received ... not in full   no
#   SO-1/2 pads 10 on P1 .....................................            yes
#   SO-1/3 belts: 1 on P1, the other on M1-09 (after P1) .....            no
#   SO-1/4 mats, SO-1/5 cameras on P1 ........................            yes, yes
#   UO-1/1 pump promised U1, came L1 = U1 + 1 day ............            no
#   -> 3 / 6 = 50 %
expect_eq "M1 timely supply rate 3 / 6" 50 "$(fig "$T/m1.json" "timely supply rate")"
# RO parts on-time: RO parts lines issued in full in month 1
#   I-1 pads, I-3 filters, I-4 mats, I-5 camera: first picks ...... on time
#   I-2 pump: its backorder filled L1, after the promised U1 ........ late
#   -> 4 / 5 = 80 %
expect_eq "M1 ro parts on-time rate 4 / 5" 80 "$(fig "$T/m1.json" "ro parts on-time rate")"
# Stock value at the month's end: 10000 + 163000 + 3000 - 20000 + 5000 + 0 - 2000
#   - 40000 = 119000
expect_eq "M1 stock value" 119000 "$(fig "$T/m1.json" "stock value")"
# Stock days: issued less returned at cost in the 90 days to the month's end:
#   20000 - 5000 + 8000 + 2000 + 10000 + 30000 = 65000; a day 65000 / 90
#   119000 / (65000 / 90) = 119000 x 90 / 65000 = 164.77
expect_eq "M1 stock days 119000 x 90 / 65000" "$(r2 "119000 * 90 / 65000")" "$(fig "$T/m1.json" "stock days")"
# Scrap rate: nothing scrapped in month 1: 0 / the average level = 0 %
expect_eq "M1 scrap rate" 0 "$(fig "$T/m1.json" "scrap rate")"
# Accessories: new car 1 delivered with mats 200.00 + camera 500.00 = 70000;
#   1 new car sold (D1001 on M1-15): 70000 / 1
expect_eq "M1 accessory sales per new car 70000 / 1" 70000 "$(fig "$T/m1.json" "accessory sales per new car")"
# Accessory gross profit: 70000 - cost (10000 + 30000) = 30000
expect_eq "M1 accessory gross profit 70000 - 40000" 30000 "$(fig "$T/m1.json" "accessory gross profit")"
# Parts gross profit: delivered RO-1 (3 pads x 9000 + pump 15000 = 42000) and
#   RO-2 (2 filters x 2000 = 4000): sales 46000; cost 3 x 5000 + 8000 + 2 x 1000
#   = 25000 -> 46000 - 25000 = 21000
expect_eq "M1 parts gross profit 46000 - 25000" 21000 "$(fig "$T/m1.json" "parts gross profit")"
# Warehouse productivity: received lines 5 (R-1) + 1 (R-2) + 1 (R-3) = 7;
#   issued lines I-1, the pump's fill, I-3, I-4, I-5 = 5 (the backorder itself
#   issued nothing); hours 5 + 1 + 4 = 10 -> 12 / 10 = 1.2 lines an hour
expect_eq "M1 warehouse productivity (7 + 5) / 10 h" 1.2 "$(fig "$T/m1.json" "warehouse productivity")"
expect_eq "its formula written out" "(lines received + lines issued) / keeper attended hours = (7 + 5) / 10.00 h" \
    "$(formula "$T/m1.json" "warehouse productivity")"
# by keeper: wk-chen received the 7 lines and issued the pump's fill (the
#   receipt that brought it) in 5 + 1 h: 8 / 6 = 1.33; wk-li issued I-1, I-3,
#   I-4, I-5 in 4 h: 4 / 4 = 1
keeper() {
    "$ASCTL" --config "$CONFIG" --actor parts-mgr --json kpi report --month "$M1" --by keeper |
        jq -r --arg k "$1" '.rows[] | select(.key==$k) | .figures[] | select(.name=="warehouse productivity") |
            (.value * 100 | round / 100 | tostring)'
}
expect_eq "M1 warehouse productivity by keeper: wk-chen 8 / 6 h, wk-li 4 / 4 h" "$(r2 "8 / 6") 1" \
    "$(keeper wk-chen) $(keeper wk-li)"

log "--- month 2, worked by hand"
# Timely supply: SO-2/1 filters 5 of 10 (short-shipped) no; SO-2/2 pads on P2
#   yes; UO-2/1 pump on U2 yes -> 2 / 3 = 66.67 %
expect_eq "M2 timely supply rate 2 / 3" "$(r2 "100 * 2 / 3")" "$(fig "$T/m2.json" "timely supply rate")"
# RO parts on-time: I-6 belt, I-8 filter, I-9 mats, I-10 mats first picks; I-7
#   pump filled on U2, its promised day -> 5 / 5 = 100 %
expect_eq "M2 ro parts on-time rate 5 / 5" 100 "$(fig "$T/m2.json" "ro parts on-time rate")"
# Stock value: 119000 + 25000 - 3000 + 0 - 11000 - 20000 - 10000 = 100000
expect_eq "M2 stock value" 100000 "$(fig "$T/m2.json" "stock value")"
# Stock days: issued in the 90 days to the end of month 2 (months 1 and 2):
#   65000 + 3000 + 8000 + 1000 + 10000 + 20000 = 107000
#   100000 x 90 / 107000 = 84.11
expect_eq "M2 stock days 100000 x 90 / 107000" "$(r2 "100000 * 90 / 107000")" "$(fig "$T/m2.json" "stock days")"
# Scrap rate: 10000 scrapped / the mean of month 2's daily levels: 119000 from
#   the 1st, +25000 on P2, -3000 on the 8th, -11000 on the 15th, -20000 on the
#   17th, -10000 on the 21st (the pump's days net 0)
mean=$(awk -v d2="$D2" -v p2="$(day_of "$P2")" 'BEGIN {
    for (d = 1; d <= d2; d++) {
        l = 119000 + (d >= p2) * 25000 - (d >= 8) * 3000 - (d >= 15) * 11000 - (d >= 17) * 20000 - (d >= 21) * 10000
        s += l
    }
    printf "%.6f", s / d2 }')
expect_eq "M2 scrap rate 10000 / mean level $mean" "$(r2 "100 * 10000 / $mean")" "$(fig "$T/m2.json" "scrap rate")"
# Accessories: new car 2 with 2 mats (40000), 1 new car sold -> 40000 per new car
expect_eq "M2 accessory sales per new car 40000 / 1" 40000 "$(fig "$T/m2.json" "accessory sales per new car")"
# Accessory sales: RO-4's mats 20000 + new car 2's 40000 + 5000 keyed at RO-4's
#   delivery = 65000; the keyed amount has no known cost, so gross profit counts
#   the accessories parts charged: 65000 - 5000 - (10000 + 20000) = 30000
expect_eq "M2 accessory sales 20000 + 40000 + 5000" 65000 "$(fig "$T/m2.json" "accessory sales")"
expect_eq "M2 accessory gross profit 65000 - 5000 - 30000" 30000 "$(fig "$T/m2.json" "accessory gross profit")"
expect_eq "its formula says the keyed amount is left out" \
    "accessory sales - keyed at delivery (no cost known) - accessory cost = 65000 - 5000 - 30000 cents" \
    "$(formula "$T/m2.json" "accessory gross profit")"
# Parts gross profit: RO-3 belt 6000 + pump 15000, RO-4 filter 2000 = 23000;
#   cost 3000 + 8000 + 1000 = 12000 -> 11000
expect_eq "M2 parts gross profit 23000 - 12000" 11000 "$(fig "$T/m2.json" "parts gross profit")"
# Warehouse productivity: received R-4 2 + R-5 1 = 3; issued I-6, the pump's
#   fill, I-8, I-9, I-10 = 5; hours wk-chen 2 + wk-li 4 + 2 = 8 -> 8 / 8 = 1
expect_eq "M2 warehouse productivity (3 + 5) / 8 h" 1 "$(fig "$T/m2.json" "warehouse productivity")"

log "--- asctl shows the month as people read it"
AS_ACTOR=parts-mgr "$ASCTL" --config "$CONFIG" kpi report --month "$M2" >"$T/m2.txt"
for name in "timely supply rate" "stock days" "scrap rate" "accessory sales per new car"; do
    grep -q "$name" "$T/m2.txt" || fail "the human report lacks $name"
done
# each value with its unit, as the dashboard shows it: stock days 100000 x 90 /
# 107000 = 84.11 -> "84.1 days"; warehouse productivity 8 / 8 h -> "1.00 lines/h"
grep -qE '^  stock days +84\.1 days ' "$T/m2.txt" || fail "stock days without its unit: $(grep 'stock days' "$T/m2.txt")"
grep -qE '^  warehouse productivity +1\.00 lines/h ' "$T/m2.txt" ||
    fail "warehouse productivity without its unit: $(grep 'warehouse productivity' "$T/m2.txt")"
finish
