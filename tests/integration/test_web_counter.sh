#!/usr/bin/env bash
# The advisor's counter in headless Chromium (web_counter.py): the advisor
# marks an appointment's arrival, finds a customer (named as markup) by
# plate, sees the open recall, opens an RO from the labour-operation menu
# with a part, sees the estimate in the currency, records the consent,
# answers an extra defect the workshop reports, sees the RO the workshop made
# ready appear live, recommends a product the customer takes (a bad amount
# refused at the form), delivers it with accessories and the next-service
# recommendation, prints the invoice and
# records the follow-up call, then closes the RO; a free-text job (no
# operation code) is opened with its sold minutes; an estimate above the advisor's authority
# waits for the front-desk manager, who approves it on a session of their
# own, and the approval reaches the advisor's page live.
# A technician's session cannot open an RO (the gateway answers 403).
# Screenshots: $AS_BUILD/artifacts/web/counter-*.png.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_counter
start_dealership
start_web
set_secret adv-wang 'counter-pass-1'
set_secret tech-01 '2468'
set_secret fdm-li 'desk-pass-1'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
VIN=LSVAU2182N2000017 # a real check digit
VIN2=LFV2A21K1N3000024
as foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang A" skills=engine \
    level=2 hourly_cost_cents=10000
as foreman-liu workshop.bay.register bay_id=B1 kind=lift
as svc-mgr reception.labour_rate.set pay_type=CUSTOMER_PAY rate_cents=36000
as svc-mgr reception.labour_op.define code=EN-OIL description="Engine oil and filter change" \
    sold_minutes=60 skill=engine
as svc-mgr reception.labour_op.define code=EN-TIM description="Timing belt replacement" \
    sold_minutes=240 skill=engine min_level=2
as wh-zhou parts.part.define part_number=P-OIL description="Engine oil 1 l" cost_cents=5000 \
    price_cents=8000 bin=A-01
as wh-zhou parts.part.define part_number=P-TIMKIT description="Timing belt kit" cost_cents=300000 \
    price_cents=480000 bin=B-02
as wh-zhou parts.receipt.record receipt_id=GR-1 supplier=OEM \
    lines='[{"part_number":"P-OIL","expected":20,"received":20}]'
as adv-wang reception.customer.register customer_id=C1 name='<img src=x onerror=alert(1)>' \
    phone=13900000001
as adv-wang reception.vehicle.register vin=$VIN plate=鲁B12345 customer_id=C1 model="Sagitar 1.4T" \
    sale_date=2024-05-01 mileage_km=20000
as adv-wang reception.customer.register customer_id=C2 name=王小明 phone=13800000002
as adv-wang reception.vehicle.register vin=$VIN2 plate=鲁B67890 customer_id=C2 model="Magotan" \
    sale_date=2023-03-01 mileage_km=41000
as wty-he warranty.recall.open campaign_id=RC-7 title="brake hose may chafe" labour_code=RC-BRK \
    vins=$VIN
as clerk-sun reception.appointment.book appointment_id=A-1 customer_id=C2 vin=$VIN2 \
    slot="$(date +%Y-%m-%d)T09:30" reason="6万公里保养" channel=phone
wait_for "reception knows the labour operations" bash -c "'$ASCTL' --json --config '$CONFIG' \
    --actor adv-wang call reception.labour_op.list | jq -e '.reply.operations | length == 2' >/dev/null"
wait_for "reception applied the recall" bash -c "'$ASCTL' --json --config '$CONFIG' status reception |
    jq -e '.services[0].offsets[] | select(.source==\"warranty@local\") | .applied_seq >= 1' >/dev/null"

browse web_counter.py VIN=$VIN VIN2=$VIN2

log "--- a technician cannot open an RO"
expect_eq "the technician signs in" 200 "$(signin tech tech-01 2468)"
out=$(api tech reception.ro.open "{\"vin\":\"$VIN\",\"mileage_km\":30000,\"jobs\":[{\"concern\":\"x\",
    \"pay_type\":\"CUSTOMER_PAY\",\"operation_code\":\"EN-OIL\"}]}" -H 'Idempotency-Key: tech-open-1')
expect_eq "refused by the gateway" 403 "$(tail -n1 <<<"$out")"
expect_eq "it says who refused" web "$(head -n -1 <<<"$out" | jq -r .refused_by)"
stop_web
finish
