#!/usr/bin/env bash
# The QC inspector's screen in headless Chromium (web_qc.py): a job clocked
# off as done by its technician appears in the inspections due without a
# reload; QC fails it with a reason (the job goes back as rework, shown),
# the technician redoes it, QC passes it and the printable certificate shows
# the RO, the vehicle, the jobs, the inspector, the time and the result; a
# concern that is markup is shown as text; a technician's session may not
# pass QC (403 by the gateway).
# Screenshots: $AS_BUILD/artifacts/web/qc-*.png, qccert-*.png.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_qc
start_dealership
start_web
set_secret qc-ma 'qc-pass-1'
set_secret tech-01 '2468'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
VIN=JNKCV61EX9M300001
as foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang A" skills=engine \
    level=2 hourly_cost_cents=10000
as foreman-liu workshop.bay.register bay_id=B1 kind=lift
knows_engine() { [ "$(ctl --actor adv-wang call reception.skill.list | jq -r '.reply.skills[0].skill')" = engine ]; }
wait_for "reception knows the skill engine" knows_engine
as adv-wang reception.customer.register customer_id=C1 name='Wang Li' phone=13900000001
as adv-wang reception.vehicle.register vin=$VIN plate=LU-Q00001 customer_id=C1 \
    sale_date=2024-05-01 mileage_km=20000
as adv-wang reception.ro.open ro_number=RO-Q1 vin=$VIN mileage_km=21000 jobs='[{"concern":
    "<img src=x onerror=alert(1)>","pay_type":"CUSTOMER_PAY","labour":{"code":"EN-01",
    "description":"replace brake pads","sold_minutes":60,"rate_cents":60000,"skill":"engine","min_level":1}}]'
as adv-wang reception.ro.consent ro_number=RO-Q1 consent=signature
wait_for "the workshop has RO-Q1's job" bash -c "'$ASCTL' --json --config '$CONFIG' --actor \
    foreman-liu call workshop.ro.show ro_number=RO-Q1 | jq -e '.reply.jobs | length == 1' >/dev/null"
as foreman-liu workshop.job.dispatch ro_number=RO-Q1 job_no=1 tech_id=tech-01 bay_id=B1
as tech-01 workshop.clock.on ro_number=RO-Q1 job_no=1

browse web_qc.py RO=RO-Q1 VIN=$VIN
expect_eq "RO-Q1 passed QC in the workshop" "QC-RO-Q1-2 WORK_QC_PASSED" \
    "$(ctl --actor qc-ma call workshop.ro.show ro_number=RO-Q1 | jq -r '.reply.certificate + " " + .reply.jobs[0].status')"

# a technician's session may not record QC: the gateway refuses, nothing is sent
expect_eq "the technician signs in" 200 "$(signin tech tech-01 '2468')"
out=$(api tech workshop.qc.inspect '{"ro_number":"RO-Q1","kind":"FINAL","passed":true}' \
    -H 'Idempotency-Key: tech-qc-1')
expect_eq "a technician's QC is refused by the gateway" "403 web" \
    "$(echo "$out" | tail -1) $(echo "$out" | head -1 | jq -r .refused_by)"
expect_eq "still two inspections" 2 \
    "$(ctl --actor qc-ma call workshop.ro.show ro_number=RO-Q1 | jq -r '.reply.inspection_log | length')"
stop_web
finish
