#!/usr/bin/env bash
# labels: parts kpi
# timeout: 300
# Accessories and new cars: the sales DMS sells two new cars with accessories
# through its ingest gateway (as-ingest --name sales); reception opens each
# car's fitting RO (PDI and the accessories' installation), the workshop has
# it on the board, the accessories are issued, QC passes and the car is
# handed over; an accessory is also sold on an ordinary RO. The kpi report's
# new cars sold, accessory sales per new car, accessory and parts gross
# profit and parts sales per unit in operation equal figures worked out by
# hand below; the parts manager sets the month's targets and the report shows
# the achievement. Bad sales (an unknown part, a part that is no accessory, a
# bad VIN, someone who is not a system ingesting) are refused with a clear
# error and write nothing.
. "$(dirname "$0")/lib.sh"
setup parts_accessories
evening_clock

sed -i 's/^services = .*/services = reception, workshop, parts, kpi, sales/' "$CONFIG"
cat >>"$CONFIG" <<INI

[reception]
endpoint = ipc://$T/reception.sock
follows = workshop, parts, sales
heartbeat_ms = 200
[workshop]
endpoint = ipc://$T/workshop.sock
follows = reception
heartbeat_ms = 200
[parts]
endpoint = ipc://$T/parts.sock
follows = workshop
heartbeat_ms = 200
[kpi]
endpoint = ipc://$T/kpi.sock
follows = reception, workshop, parts, sales
heartbeat_ms = 200
[sales]
endpoint = ipc://$T/sales.sock
follows = parts
heartbeat_ms = 200

[staff]
svc-mgr = service_manager
pm-wu = parts_manager
adv-wang = advisor limit=1000000
fm-liu = foreman
qc-ma = qc_inspector
tech-a = technician
wh-zhou = warehouse_keeper
sales = system
INI

start_bus bus
for s in reception workshop parts kpi; do start_service "$s"; done
"$AS_BUILD/services/ingest/as-ingest" --name sales --config "$CONFIG" >>"$T/sales.log" 2>&1 &
PIDS[sales]=$!
wait_for "sales answers status" ctl_ok status sales

DAY=$(date +%F)
MONTH=${DAY:0:7}

as() { # as ACTOR COMMAND FIELD=VALUE...: must succeed
    local who=$1 out
    shift
    if ! out=$(ctl --actor "$who" call "$@"); then
        fail "$who $*: $(echo "$out" | json .error)"
        return 1
    fi
    echo "$out"
}
ask() { as "$@" >/dev/null; }

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

ro() { ctl --actor adv-wang call reception.ro.show ro_number="$1" | json ".reply$2"; }
ro_is() { [ "$(ro "$1" "$2" 2>/dev/null)" = "$3" ]; }
work_jobs_are() { [ "$(ctl --actor fm-liu call workshop.ro.show ro_number="$1" 2>/dev/null | json '.reply.jobs | length')" = "$2" ]; }
consumed() { [ "$(ro "$1" .parts_consumed_cents)" != null ]; }
sales_seq() { ctl status sales | json '.services[0].last_seq'; }

# --- the morning: a technician, a bay, the parts and the accessories ------------------
ask fm-liu workshop.technician.register tech_id=tech-a name="Zhang A" skills=maintenance level=2 \
    hourly_cost_cents=10000
ask fm-liu workshop.bay.register bay_id=B1 kind=lift
ask svc-mgr reception.labour_rate.set pay_type=CUSTOMER_PAY rate_cents=60000
ask wh-zhou parts.part.define part_number=P-OIL description="engine oil 1 l" cost_cents=4000 \
    price_cents=8000 bin=A-1
ask wh-zhou parts.part.define part_number=ACC-MAT description="floor mats" cost_cents=10000 \
    price_cents=20000 bin=K-1 accessory=true
ask wh-zhou parts.part.define part_number=ACC-BAR description="roof bars" cost_cents=60000 \
    price_cents=100000 bin=K-2 accessory=true
ask wh-zhou parts.part.define part_number=ACC-CAM description="dash camera" cost_cents=30000 \
    price_cents=50000 bin=K-3 accessory=true
ask wh-zhou parts.receipt.record receipt_id=R-1 supplier=OEM \
    lines='[{"part_number":"P-OIL","expected":20,"received":20},
            {"part_number":"ACC-MAT","expected":5,"received":5},
            {"part_number":"ACC-BAR","expected":2,"received":2},
            {"part_number":"ACC-CAM","expected":2,"received":2}]'
expect_eq "search shows the accessory flag" true \
    "$(ctl --actor wh-zhou call parts.part.search text=ACC-MAT | json '.reply.hits[0].accessory')"
expect_eq "and a repair part is none" false \
    "$(ctl --actor wh-zhou call parts.part.search text=P-OIL | json '.reply.hits[0].accessory // false')"
expect_eq "stock shows it" true \
    "$(ctl --actor wh-zhou call parts.stock.query part_number=ACC-BAR | json '.reply.parts[0].accessory')"

# --- two new cars sold by the sales DMS, with accessories ------------------------------
N1=$(vin JNKCV61E9N300001)
N2=$(vin JNKCV61E9N300002)
sold() { # sold REF VIN NAME ACCESSORIES_JSON: the DMS's event as JSON
    echo "{\"sale_ref\":\"$1\",\"vin\":\"$2\",\"model\":\"QX50\",\"sale_date\":\"$DAY\",\"customer_name\":\"$3\",\"phone\":\"13900000100\",\"salesperson\":\"sal-zhao\",\"accessories\":[$4]}"
}
TRY=0
ingest() { # ingest ACTOR REF VIN NAME ACCESSORIES_JSON: prints asctl's JSON reply
    ctl --actor "$1" call --request-id "${ID:-dms-$2-$TRY}" sales.ingest type=sales.vehicle.sold \
        subject="$2" payload_json="$(sold "$2" "$3" "$4" "$5")" || true
}
# the gateway knows the accessories once it has heard parts define them; a
# refusal is kept under its request id, so each try is a new one
ingested() { TRY=$((TRY + 1)) && [ "$(ingest sales "$@" | json .reply.type)" = sales.vehicle.sold ]; }
wait_for "D1001 ingested" ingested D1001 "$N1" "Wang Fang" \
    '{"part_number":"ACC-MAT","quantity":1,"agreed_price_cents":18000},{"part_number":"ACC-BAR","quantity":1,"agreed_price_cents":95000}'
wait_for "D1002 ingested" ingested D1002 "$N2" "Liu Yang" \
    '{"part_number":"ACC-CAM","quantity":1,"agreed_price_cents":50000}'
CAM='{"part_number":"ACC-CAM","quantity":1,"agreed_price_cents":50000}'
expect_eq "a retry of D1002 is acknowledged, not emitted again" "2 true" \
    "$(ingest sales D1002 "$N2" "Liu Yang" "$CAM" | json '"\(.reply.seq) \(.replayed)"')"
# the DMS sends the same sale again under a new request id: on the bus once
# more, but no second RO and no second car in kpi (both go by sale_ref)
expect_eq "D1002 sent again is a new event" 3 \
    "$(ID=dms-D1002-again ingest sales D1002 "$N2" "Liu Yang" "$CAM" | json .reply.seq)"

# --- bad sales: refused with a clear error, nothing written -----------------------------
before=$(sales_seq)
out=$(ingest sales D2001 "$(vin JNKCV61E9N300003)" "Zhou Min" '{"part_number":"ACC-NONE","quantity":1,"agreed_price_cents":1000}')
expect_eq "unknown part refused" not-found "$(echo "$out" | json .code)"
echo "$out" | json .error | grep -qF "sale 'D2001', accessory 1: part 'ACC-NONE' is not in the parts catalogue" ||
    fail "unknown part: $(echo "$out" | json .error)"
# it may be a part defined a moment ago that the gateway has not heard of yet: the DMS is told how to retry
echo "$out" | json .error | grep -qF "or not known to the sales gateway yet (it follows parts: a part defined a moment ago reaches it shortly); retry with a new request id" ||
    fail "unknown part, the retry: $(echo "$out" | json .error)"
out=$(ingest sales D2002 "$(vin JNKCV61E9N300004)" "Zhou Min" '{"part_number":"P-OIL","quantity":1,"agreed_price_cents":1000}')
expect_eq "a repair part as an accessory refused" invalid "$(echo "$out" | json .code)"
echo "$out" | json .error | grep -qF "part 'P-OIL' is not an accessory" || fail "not an accessory: $(echo "$out" | json .error)"
bad_vin=${N1:0:8}$(((${N1:8:1} + 1) % 10))${N1:9} # N1 with another check digit
[ "${N1:8:1}" = X ] && bad_vin=${N1:0:8}0${N1:9}
out=$(ingest sales D2003 "$bad_vin" "Zhou Min" '')
expect_eq "bad VIN refused" invalid "$(echo "$out" | json .code)"
echo "$out" | json .error | grep -qF "sale 'D2003': vin '$bad_vin' has a wrong check digit" || fail "bad vin: $(echo "$out" | json .error)"
out=$(ingest adv-wang D2004 "$(vin JNKCV61E9N300005)" "Zhou Min" '')
expect_eq "an advisor cannot ingest" denied "$(echo "$out" | json .code)"
echo "$out" | json .error | grep -qF "sales.ingest: 'adv-wang' is not a" || fail "denied: $(echo "$out" | json .error)"
expect_eq "nothing emitted for the bad sales" "$before" "$(sales_seq)"

# --- the fitting ROs at reception and on the board --------------------------------------
wait_for "NC-D1001 at reception" ro_is NC-D1001 .status RO_IN_WORKSHOP
wait_for "NC-D1002 at reception" ro_is NC-D1002 .status RO_IN_WORKSHOP
expect_eq "NC-D1001: internal PDI and accessory fitting, the accessories its parts" \
    "D1001 sales INTERNAL INTERNAL ACC-MAT,ACC-BAR" \
    "$(ro NC-D1001 '| "\(.sale_ref) \(.advisor) \(.jobs[0].pay_type) \(.jobs[1].pay_type) \([.jobs[1].parts[].part_number] | join(","))"')"
expect_eq "the car registered from the sale" "S-D1001 QX50 $DAY" \
    "$(ctl --actor adv-wang call reception.vehicle.show vin="$N1" | json '.reply | "\(.customer_id) \(.model) \(.sale_date)"')"
expect_eq "and its buyer" "Wang Fang 13900000100" \
    "$(ctl --actor adv-wang call reception.customer.show customer_id=S-D1001 | json '.reply | "\(.name) \(.phone)"')"
for r in NC-D1001 NC-D1002; do wait_for "$r on the board" work_jobs_are "$r" 2; done
expect_eq "the foreman's board has both cars' PDI and fitting jobs" 4 \
    "$(ctl --actor fm-liu call workshop.board | jq '[.. | objects | select(.ro_number? // "" | startswith("NC-D100"))] | length')"
expect_eq "no second RO for D1002's retry" 1 \
    "$(ctl --actor adv-wang call reception.ro.list | json '[.reply.ros[] | select(.ro_number | startswith("NC-D1002"))] | length')"

# --- the work: PDI, fitting, accessories issued, QC, handover ---------------------------
issue() { # issue ID RO JOB PART QTY
    ask wh-zhou parts.issue issue_id="$1" ro_number="$2" job_no="$3" part_number="$4" quantity="$5" technician=tech-a
}
work() { # work RO JOB
    ask fm-liu workshop.job.dispatch ro_number="$1" job_no="$2" tech_id=tech-a bay_id=B1
    ask tech-a workshop.clock.on ro_number="$1" job_no="$2"
    ask tech-a workshop.clock.off ro_number="$1" job_no="$2" finished=true
}
handover() {
    ask qc-ma workshop.qc.inspect ro_number="$1" kind=FINAL passed=true
    wait_for "$1 ready for delivery" ro_is "$1" .status RO_READY_FOR_DELIVERY
    wait_for "$1 parts settled" consumed "$1"
    ask adv-wang reception.ro.deliver ro_number="$1"
}
work NC-D1001 1
issue I-1 NC-D1001 2 ACC-MAT 1
issue I-2 NC-D1001 2 ACC-BAR 1
work NC-D1001 2
handover NC-D1001
work NC-D1002 1
issue I-3 NC-D1002 2 ACC-CAM 1
work NC-D1002 2
handover NC-D1002

# --- an accessory sold on an ordinary RO, and a plain service RO ------------------------
V1=$(vin JNKCV61E9M300011)
V2=$(vin JNKCV61E9M300012)
ask adv-wang reception.customer.register customer_id=C1 name="Customer 1" phone=13900000011
ask adv-wang reception.customer.register customer_id=C2 name="Customer 2" phone=13900000012
ask adv-wang reception.vehicle.register vin="$V1" plate=LU-B00011 customer_id=C1 mileage_km=21000
ask adv-wang reception.vehicle.register vin="$V2" plate=LU-B00012 customer_id=C2 mileage_km=32000
job() { echo "{\"concern\":\"$1\",\"pay_type\":\"CUSTOMER_PAY\",\"labour\":{\"code\":\"MA100\",\"sold_minutes\":60,\"skill\":\"maintenance\"},\"parts\":[$2]}"; }
ask adv-wang reception.ro.open ro_number=RO-1 vin="$V1" mileage_km=21500 \
    jobs="[$(job "10,000 km service and floor mats" '{"part_number":"P-OIL","quantity":4},{"part_number":"ACC-MAT","quantity":1}')]"
ask adv-wang reception.ro.open ro_number=RO-2 vin="$V2" mileage_km=32500 \
    jobs="[$(job "oil top-up" '{"part_number":"P-OIL","quantity":2}')]"
for r in RO-1 RO-2; do
    ask adv-wang reception.ro.consent ro_number="$r" consent=signature
    wait_for "$r on the board" work_jobs_are "$r" 1
done
work RO-1 1
issue I-4 RO-1 1 P-OIL 4
issue I-5 RO-1 1 ACC-MAT 1
handover RO-1
work RO-2 1
issue I-6 RO-2 1 P-OIL 2
handover RO-2
# the invoices: the accessory lines as accessories, the rest as parts, each
# line at the price agreed with the customer (the RO's part line), what parts
# charged (the catalogue price) beside it
# NC-D1001: at the sale's agreed prices mats 180.00 + bars 950.00 = 1130.00 of
#   accessories, no parts; at the catalogue's 200.00 + 1000.00 = 1200.00
# RO-1: its lines took the catalogue's prices at opening: oil 4 x 80.00 = 320.00
#   of parts, mats 200.00 of accessories, the same as parts charged
expect_eq "NC-D1001 invoice: parts 0, accessories 1130.00 agreed (1200.00 at the catalogue)" \
    "0 113000 120000" \
    "$(ro NC-D1001 '.invoice | "\(.parts_cents) \(.accessories_cents) \(.accessories_catalogue_cents)"')"
expect_eq "NC-D1001 fitting job's parts at the agreed prices" 113000 "$(ro NC-D1001 '.jobs[1].parts_consumed_cents')"
human=$("$ASCTL" --config "$CONFIG" --actor adv-wang call reception.ro.show ro_number=NC-D1001)
case "$human" in
*"accessories_cents:"*" 1,130.00"*"accessories_catalogue_cents:"*" 1,200.00"*) log "ok: the counter sees agreed and catalogue amounts" ;;
*) fail "asctl's human invoice lacks accessories 1,130.00 and catalogue 1,200.00: $human" ;;
esac
expect_eq "RO-1 invoice: parts 320.00, accessories 200.00, total 600.00 + 320.00 + 200.00" \
    "32000 20000 112000" "$(ro RO-1 '.invoice | "\(.parts_cents) \(.accessories_cents) \(.total_cents)"')"
expect_eq "stock of mats 5 - 1 - 1" 3 \
    "$(ctl --actor wh-zhou call parts.stock.query part_number=ACC-MAT | json '.reply.parts[0].on_hand')"

# --- the report, worked out by hand -----------------------------------------------------
# new cars sold: D1001 and D1002 on $DAY = 2
# accessory sales on new cars (at the prices agreed with the buyers, when the fitting
#   RO is delivered): NC-D1001 mats 180.00 + bars 950.00 = 1130.00; NC-D1002 camera
#   500.00 (agreed at the catalogue's price); = 1630.00
# accessory sales on ROs: RO-1's mats 200.00; all accessory sales 1630.00 + 200.00 = 1830.00
# accessory sales per new car: 1630.00 / 2 = 815.00
# accessory cost: mats 100.00 + bars 600.00 + camera 300.00 + RO-1's mats 100.00 = 1100.00
# accessory gross profit: 1830.00 - 1100.00 = 730.00 (agreed - cost)
# accessory discount given: at the catalogue 1200.00 + 500.00 + 200.00 = 1900.00, less
#   what was sold 1830.00 (nothing keyed at delivery) = 70.00 (mats 20.00 + bars 50.00)
# parts sales: RO-1 4 x 80.00 + RO-2 2 x 80.00 = 480.00; parts cost 6 x 40.00 = 240.00
# parts gross profit: 480.00 - 240.00 = 240.00
# units in operation: N1, N2, V1, V2 had an RO opened in the 24 months to the month's end = 4
# parts sales per unit in operation: 480.00 / 4 = 120.00
report() { "$ASCTL" --config "$CONFIG" --actor pm-wu kpi report --month "$MONTH" --json; }
fig() {
    echo "$REPORT" | jq -r --arg n "$1" --arg f "${2:-}" \
        '.rows[] | select(.key=="department") | .figures[] | select(.name==$n) |
         if $f == "" then (if .defined then ((.value * 100 | round) / 100) else "undefined" end) else .[$f] end'
}
delivered_all() { REPORT=$(report) && [ "$(fig 'vehicles handed over')" = 4 ]; }
wait_for "kpi has the four deliveries" delivered_all
expect_eq "new cars sold" 2 "$(fig 'new cars sold')"
expect_eq "accessory sales 1630.00 + 200.00" 183000 "$(fig 'accessory sales')"
expect_eq "accessory sales on new cars 1130.00 + 500.00" 163000 "$(fig 'accessory sales on new cars')"
expect_eq "accessory sales on ROs" 20000 "$(fig 'accessory sales on ros')"
expect_eq "accessory sales per new car 1630.00 / 2" 81500 "$(fig 'accessory sales per new car')"
expect_eq "its formula" "accessory sales on new cars / new cars sold = 163000 cents / 2" \
    "$(fig 'accessory sales per new car' formula)"
expect_eq "accessory gross profit 1830.00 - 1100.00" 73000 "$(fig 'accessory gross profit')"
expect_eq "accessory discount given 1900.00 - 1830.00" 7000 "$(fig 'accessory discount given')"
expect_eq "its formula" \
    "accessory lines at the catalogue price - (accessory sales - keyed at delivery) = 190000 - (183000 - 0) cents" \
    "$(fig 'accessory discount given' formula)"
expect_eq "parts sales 320.00 + 160.00" 48000 "$(fig 'parts sales')"
expect_eq "parts cost 6 x 40.00 (accessories apart)" 24000 "$(fig 'parts cost')"
expect_eq "parts gross profit 480.00 - 240.00" 24000 "$(fig 'parts gross profit')"
expect_eq "units in operation" 4 "$(fig 'units in operation')"
expect_eq "parts sales per unit in operation 480.00 / 4" 12000 "$(fig 'parts sales per unit in operation')"
DAYREPORT=$("$ASCTL" --config "$CONFIG" --actor pm-wu kpi report --day "$(date -d "$DAY -1 day" +%F)" --json)
expect_eq "the day before: no new car, so no figure per new car" false \
    "$(echo "$DAYREPORT" | jq -r '.rows[0].figures[] | select(.name=="accessory sales per new car") | .defined')"

# --- the parts manager's targets ----------------------------------------------------------
ask pm-wu kpi.target.set month="$MONTH" "metric=accessory sales per new car" value=100000
ask pm-wu kpi.target.set month="$MONTH" "metric=accessory gross profit" value=100000
ask pm-wu kpi.target.set month="$MONTH" "metric=parts sales" value=60000
ask pm-wu kpi.target.set month="$MONTH" "metric=parts gross profit" value=30000
ask pm-wu kpi.target.set month="$MONTH" "metric=parts sales per unit in operation" value=15000
refused adv-wang denied "is not a" kpi.target.set month="$MONTH" "metric=parts sales" value=1
REPORT=$(report)
expect_eq "accessories per new car: 815.00 of 1000.00" 0.815 "$(fig 'accessory sales per new car' achievement)"
expect_eq "accessory gross profit: 730.00 of 1000.00" 0.73 "$(fig 'accessory gross profit' achievement)"
expect_eq "parts sales: 480.00 of 600.00" 0.8 "$(fig 'parts sales' achievement)"
expect_eq "parts gross profit: 240.00 of 300.00" 0.8 "$(fig 'parts gross profit' achievement)"
expect_eq "parts sales per UIO: 120.00 of 150.00" 0.8 "$(fig 'parts sales per unit in operation' achievement)"
human=$("$ASCTL" --config "$CONFIG" --actor pm-wu kpi report --month "$MONTH")
echo "$human" | grep -q "accessory sales per new car" || fail "the human report lacks accessory sales per new car"
finish
