#!/usr/bin/env bash
# The information clerk's desk in headless Chromium (web_clerk.py): the clerk
# finds a customer (named as markup, shown as text) by plate and books a
# phone appointment, hands it to adv-wang (reception has it assigned); a
# request the CRM sends appears without a reload and is booked; the
# maintenance reminder due is planned and its call recorded, and the month's
# reminder execution rate on the page is kpi's; the follow-up call of a
# delivered RO is recorded (reception has the score); a complaint taken on
# the phone is logged and listed open. A technician's session cannot book an
# appointment (the gateway answers 403).
# Screenshots: $AS_BUILD/artifacts/web/clerk-*.png.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_clerk
start_dealership
start_web
set_secret clerk-sun 'clerk-pass-1'
set_secret fdm-li 'desk-pass-1'
set_secret tech-01 '2468'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
VIN=LSVAU2182N2000017 # a real check digit
VIN2=LFV2A21K1N3000024
as foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang A" skills=engine \
    level=2 hourly_cost_cents=10000
as foreman-liu workshop.bay.register bay_id=B1 kind=lift
as adv-wang reception.customer.register customer_id=C1 name='<img src=x onerror=alert(1)>' \
    phone=13900000001
as adv-wang reception.vehicle.register vin=$VIN plate=鲁A88888 customer_id=C1 model="Sagitar 1.4T" \
    sale_date=2024-05-01 mileage_km=20000
# a car sold long ago and never serviced here: due for its maintenance reminder
as adv-wang reception.customer.register customer_id=C2 name=王小明 phone=13800000002
as adv-wang reception.vehicle.register vin=$VIN2 plate=鲁B67890 customer_id=C2 model="Magotan" \
    sale_date=2023-03-01 mileage_km=41000

# a repair order delivered today, waiting for its follow-up call
as adv-wang reception.ro.open ro_number=RO-C1 vin=$VIN mileage_km=21000 jobs='[{"concern":"brake noise",
    "pay_type":"CUSTOMER_PAY","labour":{"description":"brake check","sold_minutes":60,"rate_cents":36000}}]'
as adv-wang reception.ro.consent ro_number=RO-C1 consent=signature
wait_for "the workshop has RO-C1's job" bash -c "'$ASCTL' --json --config '$CONFIG' --actor \
    foreman-liu call workshop.ro.show ro_number=RO-C1 | jq -e '.reply.jobs | length == 1' >/dev/null"
as foreman-liu workshop.job.dispatch ro_number=RO-C1 job_no=1 tech_id=tech-01 bay_id=B1
as tech-01 workshop.clock.on ro_number=RO-C1 job_no=1
as tech-01 workshop.clock.off ro_number=RO-C1 job_no=1 finished=true
as qc-ma workshop.qc.inspect ro_number=RO-C1 kind=FINAL passed=true
is_ready() { [ "$(ctl --actor adv-wang call reception.ro.show ro_number=RO-C1 | jq -r .reply.status)" = \
    RO_READY_FOR_DELIVERY ]; }
wait_for "RO-C1 ready for delivery" is_ready
as adv-wang reception.ro.deliver ro_number=RO-C1

expect_eq "the advisors an appointment is handed to: [staff]'s, in its order" \
    "adv-wang adv-chen adv-zhao" \
    "$(ctl --actor clerk-sun call reception.advisor.list | jq -r '.reply.advisors | join(" ")')"

browse web_clerk.py VIN=$VIN VIN2=$VIN2

log "--- a technician cannot book an appointment"
expect_eq "the technician signs in" 200 "$(signin tech tech-01 2468)"
out=$(api tech reception.appointment.book "{\"appointment_id\":\"A-T1\",\"customer_id\":\"C1\",
    \"vin\":\"$VIN\",\"slot\":\"$(date +%Y-%m-%d)T15:00\",\"reason\":\"x\"}" -H 'Idempotency-Key: tech-book-1')
expect_eq "refused by the gateway" 403 "$(tail -n1 <<<"$out")"
expect_eq "it says who refused" web "$(head -n -1 <<<"$out" | jq -r .refused_by)"
expect_eq "nothing was booked" 0 "$(ctl --actor clerk-sun call reception.appointment.queue \
    date="$(date +%Y-%m-%d)" | jq '[.reply.appointments[]? | select(.appointment_id=="A-T1")] | length')"
stop_web
finish
