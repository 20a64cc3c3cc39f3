#!/usr/bin/env bash
# The front-desk manager's screen in headless Chromium (web_frontdesk.py):
# an RO above the advisor's authority appears in the approvals without a
# reload and is approved on the page (reception has it approved); an open
# complaint is resolved with a note; a road rescue is approved on the page
# (a decline without a reason refused) and the lounge lists the customer
# waiting with the RO's progress; a comeback is listed with its earlier
# RO; a customer name and a complaint that are markup are shown as text; an
# advisor's session is refused the approval (403 by the gateway).
# Screenshots: $AS_BUILD/artifacts/web/frontdesk-*.png.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_frontdesk
start_dealership
start_web
set_secret fdm-li 'desk-pass-1'
set_secret adv-wang 'advisor-pass-1'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
job() { # job CONCERN MINUTES: one free-text engine job
    echo "[{\"concern\":\"$1\",\"pay_type\":\"CUSTOMER_PAY\",\"labour\":{\"code\":\"EN-01\",
        \"description\":\"engine work\",\"sold_minutes\":$2,\"rate_cents\":60000,\"skill\":\"engine\",\"min_level\":1}}]"
}
ro_status() { ctl --actor fdm-li call reception.ro.show ro_number="$1" | jq -r .reply.status; }
VIN=JNKCV61EX9M300001
as foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang A" skills=engine \
    level=2 hourly_cost_cents=10000
as foreman-liu workshop.bay.register bay_id=B1 kind=lift
knows_engine() { [ "$(ctl --actor adv-wang call reception.skill.list | jq -r '.reply.skills[0].skill')" = engine ]; }
wait_for "reception knows the skill engine" knows_engine
as adv-wang reception.customer.register customer_id=C1 name='<img src=x onerror=alert(1)>' phone=13900000001
as adv-wang reception.vehicle.register vin=$VIN plate=LU-F00001 customer_id=C1 \
    sale_date=2024-05-01 mileage_km=20000

# an earlier RO delivered today: its concern coming back makes a comeback
as adv-wang reception.ro.open ro_number=RO-F1 vin=$VIN mileage_km=21000 jobs="$(job 'brake noise' 60)"
as adv-wang reception.ro.consent ro_number=RO-F1 consent=signature
wait_for "the workshop has RO-F1's job" bash -c "'$ASCTL' --json --config '$CONFIG' --actor \
    foreman-liu call workshop.ro.show ro_number=RO-F1 | jq -e '.reply.jobs | length == 1' >/dev/null"
as foreman-liu workshop.job.dispatch ro_number=RO-F1 job_no=1 tech_id=tech-01 bay_id=B1
as tech-01 workshop.clock.on ro_number=RO-F1 job_no=1
as tech-01 workshop.clock.off ro_number=RO-F1 job_no=1 finished=true
as qc-ma workshop.qc.inspect ro_number=RO-F1 kind=FINAL passed=true
is_ready() { [ "$(ro_status RO-F1)" = RO_READY_FOR_DELIVERY ]; }
wait_for "RO-F1 ready for delivery" is_ready
as adv-wang reception.ro.deliver ro_number=RO-F1
as adv-wang reception.ro.open ro_number=RO-F2 vin=$VIN mileage_km=21500 jobs="$(job 'Brake noise' 60)"
expect_eq "RO-F2 is a comeback of RO-F1" RO-F1 \
    "$(ctl --actor fdm-li call reception.ro.show ro_number=RO-F2 | jq -r .reply.comeback_of)"
as adv-wang reception.complaint.log complaint_id=K-1 ro_number=RO-F1 channel=phone \
    text='<img src=x onerror=alert(1)>'
as adv-wang reception.complaint.log complaint_id=K-2 ro_number=RO-F1 channel=on-site \
    text='waited two hours for the car'

# issue 15: a road rescue waiting for the manager, a customer waiting in the lounge
as adv-wang reception.rescue.request rescue_id=RS-W1 customer_id=C1 vin=$VIN \
    place="G2 km 105" reason="flat battery" estimated_cost_cents=30000
as adv-wang reception.ro.open ro_number=RO-F5 vin=$VIN mileage_km=21550 waiting=true \
    jobs="$(job 'oil change' 60)"

# the page: RO-F3 (above adv-wang's 5,000.00) is opened while it is open
browse web_frontdesk.py VIN=$VIN JOB="$(job 'engine knocks at idle' 600)"
expect_eq "RO-F3 approved by the manager" "RO_AWAITING_CONSENT fdm-li" \
    "$(ctl --actor fdm-li call reception.ro.show ro_number=RO-F3 | jq -r '.reply.status + " " + .reply.approved_by')"

# an advisor's session may not approve: the gateway refuses, nothing is sent
as adv-wang reception.ro.open ro_number=RO-F4 vin=$VIN mileage_km=21700 jobs="$(job 'gearbox' 600)"
expect_eq "the advisor signs in" 200 "$(signin adv adv-wang 'advisor-pass-1')"
out=$(api adv reception.ro.approve '{"ro_number":"RO-F4"}' -H 'Idempotency-Key: adv-approve-1')
expect_eq "an advisor's approval is refused by the gateway" "403 web" \
    "$(echo "$out" | tail -1) $(echo "$out" | head -1 | jq -r .refused_by)"
expect_eq "RO-F4 still waits for approval" RO_AWAITING_APPROVAL "$(ro_status RO-F4)"
out=$(api adv reception.complaint.resolve '{"complaint_id":"K-2","resolution":"x"}' -H 'Idempotency-Key: adv-resolve-1')
expect_eq "an advisor's resolution is refused by the gateway" 403 "$(echo "$out" | tail -1)"
stop_web
finish
