#!/usr/bin/env bash
# labels: warranty kpi
# timeout: 240
# Issue 15, the OEM's return inspection and the department's money: replaced
# parts tagged, shipped and confirmed on two days; asoem inspects each
# returned part ([oem] not_confirmed_parts = PAD-BAD: no fault found) and
# warranty shows the result on the part and its claim; kpi's replaced-part
# identification accuracy by inspection day. Then a month's gross profit
# (from fake reception, workshop and parts events), the service manager's
# expenses by category (one recorded again replaces), department profit
# against its target; bad input refused with nothing written.
. "$(dirname "$0")/lib.sh"
setup quality

cat >>"$CONFIG" <<INI

[staff]
wc-sun = warranty_clerk
sm-zhou = service_manager
adv-wang = advisor limit=5000
tech-07 = technician

[warranty]
endpoint = ipc://$T/warranty.sock
follows = reception, workshop, oem
heartbeat_ms = 200

[warranty.policy]
basic = 4y 100000km

[oem]
endpoint = ipc://$T/oem.sock
follows = warranty
heartbeat_ms = 200
not_confirmed_parts = PAD-BAD

[kpi]
endpoint = ipc://$T/kpi.sock
follows = reception, workshop, parts, warranty
heartbeat_ms = 200
INI
sed -i 's/^services = .*/services = warranty, oem, kpi/' "$CONFIG"

REC=reception@test WS=workshop@test PA=parts@test
declare -A INC=([$REC]=01900000-0000-7000-8000-0000000000a1 [$WS]=01900000-0000-7000-8000-0000000000b2
    [$PA]=01900000-0000-7000-8000-0000000000c3)
declare -A SEQ=([$REC]=0 [$WS]=0 [$PA]=0)
emit() { # emit SOURCE TYPE JSON: the source's next event on the bus
    local src=$1
    SEQ[$src]=$((SEQ[$src] + 1))
    "$FRAMES" event-json "ipc://$T/bus-in" "$src" "${INC[$src]}" "${SEQ[$src]}" "$2" "$3" >/dev/null
}
applied_is() { # applied_is SERVICE SOURCE: SERVICE applied every event SOURCE sent
    [ "$(ctl status "$1" | json ".services[0].offsets[] | select(.source==\"$2\") | .applied_seq" 2>/dev/null)" = "${SEQ[$2]}" ]
}
wc() { AS_ACTOR=wc-sun ctl call "$@"; }
sm() { AS_ACTOR=sm-zhou ctl call "$@"; }
last_seq() { ctl status "$1" | json '.services[0].last_seq'; }
figure() { # figure PERIOD-FIELD=VALUE NAME JQ: one department figure of kpi.report
    sm kpi.report "$1" | json ".reply.rows[0].figures[] | select(.name==\"$2\") | $3"
}

start_bus bus
start_service warranty
start_service kpi
"$AS_BUILD/tools/asoem/asoem" --config "$CONFIG" >>"$T/oem.log" 2>&1 &
PIDS[oem]=$!
wait_for "oem answers status" ctl_ok status oem

log "--- four warranty repairs: claims with their causal parts"
DAY=2026-11-26
n=0
for part in PAD-01 PAD-BAD ENG-1 PAD-BAD; do
    n=$((n + 1))
    vin=LSVAA0000000000Q$n
    emit $REC reception.vehicle.registered "{\"vin\":\"$vin\",\"sale_date\":\"2025-03-01\",\"mileage_km\":1000}"
    emit $REC reception.ro.opened "{\"ro\":{\"ro_number\":\"RO-$n\",\"vin\":\"$vin\"},\"date\":\"$DAY\"}"
    emit $WS workshop.qc.passed "{\"ro_number\":\"RO-$n\",\"vin\":\"$vin\",\"mileage_km\":20000,
        \"first_time\":true,\"inspector\":\"qc-zhao\",\"date\":\"$DAY\",\"jobs\":[{\"job_no\":1,
        \"technician\":\"tech-07\",\"pay_type\":\"WARRANTY\",\"labour\":{\"code\":\"BR-101\",
        \"sold_minutes\":60,\"rate_cents\":12000},\"sold_minutes\":60,\"actual_minutes\":60,
        \"defect_code\":\"D-01\",\"causal_part\":\"$part\"}]}"
done
wait_for "warranty applied workshop" applied_is warranty $WS
expect_eq "four claims ready" "READY READY READY READY" \
    "$(wc warranty.claim.list | json '[.reply.claims[].status] | join(" ")')"

log "--- tagged, boxed, shipped and confirmed: S-1 on D1 (3 parts), S-2 on D2 (1 part)"
D1=$(date -d "6 days ago" +%F) D2=$(date -d "2 days ago" +%F)
for n in 1 2 3 4; do wc warranty.part.tag claim_id=RO-$n-1 tag=T-$n >/dev/null; done
wc warranty.part.box box_id=B-1 tags=T-1 tags=T-2 tags=T-3 >/dev/null
wc warranty.part.box box_id=B-2 tags=T-4 >/dev/null
wc warranty.shipment.ship shipment_id=S-1 boxes=B-1 --at "$D1 09:00" >/dev/null
wc warranty.shipment.ship shipment_id=S-2 boxes=B-2 --at "$D2 09:00" >/dev/null
expect_eq "not inspected before the OEM has them" "null null" \
    "$(wc warranty.part.show tag=T-2 | json '.reply | "\(.fault_confirmed) \(.inspected_date)"')"
wc warranty.shipment.confirm shipment_id=S-1 --at "$D1 15:00" >/dev/null
wc warranty.shipment.confirm shipment_id=S-2 --at "$D2 15:00" >/dev/null

inspected() { [ "$(wc warranty.part.show tag="$1" | json .reply.inspected_date)" = "$2" ]; }
wait_for "T-4 inspected" inspected T-4 "$D2"
wait_for "T-3 inspected" inspected T-3 "$D1"
expect_eq "each returned part as the OEM found it (tag, confirmed, date, finding)" \
    "T-1 true $D1 fault confirmed|T-2 false $D1 no fault found on part PAD-BAD|T-3 true $D1 fault confirmed|T-4 false $D2 no fault found on part PAD-BAD" \
    "$(for n in 1 2 3 4; do wc warranty.part.show tag=T-$n |
        json '.reply | "\(.tag) \(.fault_confirmed) \(.inspected_date) \(.finding)"'; done | paste -sd'|')"
expect_eq "the claim shows its part's inspection" "false $D1 no fault found on part PAD-BAD CONFIRMED" \
    "$(wc warranty.claim.show claim_id=RO-2-1 | json '.reply | "\(.part_fault_confirmed) \(.part_inspected_date) \(.part_finding)"') $(wc warranty.part.show tag=T-2 | json .reply.custody)"
ctl tap --since oem@test:1 --wait 1500 oem.part. >"$T/oem.json" || true
expect_eq "the OEM inspected each part once" "T-1:true T-2:false T-3:true T-4:false" \
    "$(jq -r '"\(.subject):\(.payload.fault_confirmed)"' <"$T/oem.json" | xargs)"

log "--- refused: nothing shown, nothing written"
before=$(last_seq warranty)
refused wc-sun invalid "tag is required" warranty.part.show
refused wc-sun invalid "tag 'T 1' is not a valid id" warranty.part.show tag="T 1"
refused wc-sun not-found "tag 'T-9' does not exist" warranty.part.show tag=T-9
refused adv-wang denied "" warranty.part.show tag=T-1
expect_eq "warranty emitted nothing for the refusals" "$before" "$(last_seq warranty)"

log "--- kpi: replaced-part identification accuracy, by inspection day"
acc_is() { [ "$(figure day="$1" "replaced-part identification accuracy" .formula 2>/dev/null)" = "$2" ]; }
# D1: S-1 brought T-1 (PAD-01, confirmed), T-2 (PAD-BAD, no fault), T-3
# (ENG-1, confirmed): 2 confirmed of 3 inspected = 66.67 %
wait_for "D1's accuracy" acc_is "$D1" "parts with the fault confirmed / parts inspected by the OEM = 2 / 3"
expect_eq "D1: 2 / 3 = 66.67 %" "66.67 true" \
    "$(figure day="$D1" "replaced-part identification accuracy" '"\(.value*100|round/100) \(.defined)"')"
# D2: S-2 brought T-4 (PAD-BAD, no fault): 0 of 1 = 0 %
wait_for "D2's accuracy" acc_is "$D2" "parts with the fault confirmed / parts inspected by the OEM = 0 / 1"
expect_eq "D2: 0 / 1 = 0 %" "0 true" \
    "$(figure day="$D2" "replaced-part identification accuracy" '"\(.value) \(.defined)"')"
# the day the parts were shipped: nothing inspected yet, no figure
D0=$(date -d "$D1 - 1 day" +%F)
expect_eq "a day with no inspection: undefined, with its reason" \
    "false parts with the fault confirmed / parts inspected by the OEM = 0 / 0: no replaced part inspected in the period" \
    "$(figure day="$D0" "replaced-part identification accuracy" '"\(.defined) \(.formula)"')"

log "--- gross profit of 2026-10 from fake reception, workshop and parts events"
emit $WS workshop.technician.registered '{"technician":{"tech_id":"tech-07","skills":["engine"],"level":3,"hourly_cost_cents":6000}}'
emit $WS workshop.clock.stopped '{"ro_number":"RO-P1","job_no":1,"tech_id":"tech-07","minutes":120,"date":"2026-10-14","finished":true}'
emit $REC reception.ro.delivered '{"ro":{"ro_number":"RO-P1","advisor":"adv-wang","invoice":{"labour_cents":200000,"parts_cents":150000}},"date":"2026-10-15"}'
emit $PA parts.consumption.recorded '{"consumption":{"ro_number":"RO-P1","cost_cents":90000},"date":"2026-10-15"}'
wait_for "kpi applied reception" applied_is kpi $REC
wait_for "kpi applied workshop" applied_is kpi $WS
wait_for "kpi applied parts" applied_is kpi $PA
# labour sales 2,000.00 + parts sales 1,500.00 - parts cost 900.00
# - labour cost (120 min x 60.00 an hour = 120.00) = 2,480.00
expect_eq "gross profit 2026-10" "248000" "$(figure month=2026-10 "gross profit" .value)"
expect_eq "no expenses yet: department profit undefined, with its reason" \
    "false gross profit - expenses = 248000 - 0 cents: no expenses recorded (the department's, by month)" \
    "$(figure month=2026-10 "department profit" '"\(.defined) \(.formula)"')"

log "--- the service manager's expenses of 2026-10"
sm kpi.expense.record month=2026-10 category=rent amount_cents=80000 note="workshop hall" >/dev/null
sm kpi.expense.record month=2026-10 category=salaries amount_cents=120000 >/dev/null
sm kpi.expense.record month=2026-10 category=utilities amount_cents=15000 >/dev/null
expect_eq "rent recorded again replaces the first" "90000 sm-zhou" \
    "$(sm kpi.expense.record month=2026-10 category=rent amount_cents=90000 note="hall, new lease" |
        json '.reply | "\(.amount_cents) \(.recorded_by)"')"
sm kpi.expense.record month=2026-11 category=training amount_cents=5000 >/dev/null
expect_eq "the month's expenses" "rent 90000|salaries 120000|utilities 15000|225000" \
    "$(sm kpi.expense.list month=2026-10 | json '([.reply.expenses[] | "\(.category) \(.amount_cents)"] + [.reply.total_cents|tostring]) | join("|")')"
expect_eq "every month" "4 230000" "$(sm kpi.expense.list | json '"\(.reply.expenses|length) \(.reply.total_cents)"')"
AS_ACTOR=sm-zhou "$ASCTL" --config "$CONFIG" call kpi.expense.list month=2026-10 >"$T/human.txt"
grep -qF "2,250.00" "$T/human.txt" || fail "asctl's human output shows the total as currency: $(cat "$T/human.txt")"
ctl tap --since kpi@test:1 --wait 1500 kpi.expense. >"$T/kpi.json" || true
expect_eq "kpi.expense.recorded, the second rent with what it replaced" \
    "2026-10|rent: 2026-10|salaries: 2026-10|utilities: 2026-10|rent:80000 2026-11|training:" \
    "$(jq -r '"\(.subject):\(.payload.replaced_cents // "")"' <"$T/kpi.json" | xargs)"

log "--- department profit against its target"
sm kpi.target.set month=2026-10 metric="department profit" value=20000 >/dev/null
# expenses: rent 900.00 + salaries 1,200.00 + utilities 150.00 = 2,250.00
# department profit: 2,480.00 - 2,250.00 = 230.00; target 200.00: 115 %
expect_eq "expenses 2026-10" "225000 true" "$(figure month=2026-10 expenses '"\(.value) \(.defined)"')"
expect_eq "department profit 2026-10" \
    "23000 true 20000 1.15 gross profit - expenses = 248000 - 225000 cents" \
    "$(figure month=2026-10 "department profit" '"\(.value) \(.defined) \(.target) \(.achievement) \(.formula)"')"
# a day's report has no expenses (they are recorded by month)
expect_eq "a day: no expenses" "false false" \
    "$(figure day=2026-10-15 "department profit" .defined) $(figure day=2026-10-15 expenses .defined)"

log "--- bad expenses refused, nothing written"
before=$(last_seq kpi)
refused sm-zhou invalid "month is required (YYYY-MM)" kpi.expense.record category=rent amount_cents=1
refused sm-zhou invalid "month '2026-13' is not a month" kpi.expense.record month=2026-13 category=rent amount_cents=1
refused sm-zhou invalid "category is required" kpi.expense.record month=2026-10 amount_cents=1
refused sm-zhou invalid "category 'snacks' is not one of rent, utilities, salaries, training, tools, consumables, other" \
    kpi.expense.record month=2026-10 category=snacks amount_cents=1
refused sm-zhou invalid "amount_cents is required" kpi.expense.record month=2026-10 category=rent
refused sm-zhou invalid "amount_cents -5 for 2026-10 rent must be 0.." kpi.expense.record month=2026-10 category=rent amount_cents=-5
refused sm-zhou invalid "note is longer than 160 characters" kpi.expense.record month=2026-10 category=rent \
    amount_cents=1 note="$(printf 'x%.0s' $(seq 161))"
refused wc-sun denied "" kpi.expense.record month=2026-10 category=rent amount_cents=1
refused adv-wang denied "" kpi.expense.list
refused sm-zhou invalid "month '10-2026' is not a month" kpi.expense.list month=10-2026
expect_eq "kpi emitted nothing for the refusals" "$before" "$(last_seq kpi)"
expect_eq "the expenses unchanged" "225000" "$(sm kpi.expense.list month=2026-10 | json .reply.total_cents)"

finish
