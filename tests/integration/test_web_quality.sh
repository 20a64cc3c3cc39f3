#!/usr/bin/env bash
# The quality screen in headless Chromium (web_quality.py): the month's
# comeback analysis (a comeback of an RO delivered this month: 1 / 1), its
# cause recorded on the page (reception and kpi have it); the corrective and
# preventive actions, the overdue one first and highlighted, moved on and a
# cancellation without a reason refused, a new action from the form, an
# action created elsewhere appearing live; a quality meeting recorded with
# two action items; the foreman reads it without the meeting form; a concern
# and an action that are markup shown as text; an advisor's session refused
# (403 by the gateway). Screenshots: $AS_BUILD/artifacts/web/quality-*.png.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_quality
start_dealership
start_web
set_secret fdm-li 'desk-pass-1'
set_secret foreman-liu 'foreman-pass-1'
set_secret adv-wang 'advisor-pass-1'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
job() { # job CONCERN: one free-text engine job (labour code EN-01)
    echo "[{\"concern\":\"$1\",\"pay_type\":\"CUSTOMER_PAY\",\"labour\":{\"code\":\"EN-01\",
        \"description\":\"engine work\",\"sold_minutes\":60,\"rate_cents\":60000,\"skill\":\"engine\",\"min_level\":1}}]"
}
ro_status() { ctl --actor fdm-li call reception.ro.show ro_number="$1" | jq -r .reply.status; }
XSS='<img src=x onerror=alert(1)>'
VIN=JNKCV61EX9M300001
as foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang A" skills=engine \
    level=2 hourly_cost_cents=10000
as foreman-liu workshop.bay.register bay_id=B1 kind=lift
knows_engine() { [ "$(ctl --actor adv-wang call reception.skill.list | jq -r '.reply.skills[0].skill')" = engine ]; }
wait_for "reception knows the skill engine" knows_engine
as adv-wang reception.customer.register customer_id=C1 name="Wang Wei" phone=13900000001
as adv-wang reception.vehicle.register vin=$VIN plate=LU-Q00001 customer_id=C1 \
    sale_date=2024-05-01 mileage_km=20000

# RO-Q1 delivered today by tech-01; RO-Q2 comes back for its concern (markup)
as adv-wang reception.ro.open ro_number=RO-Q1 vin=$VIN mileage_km=21000 jobs="$(job "$XSS")"
as adv-wang reception.ro.consent ro_number=RO-Q1 consent=signature
wait_for "the workshop has RO-Q1's job" bash -c "'$ASCTL' --json --config '$CONFIG' --actor \
    foreman-liu call workshop.ro.show ro_number=RO-Q1 | jq -e '.reply.jobs | length == 1' >/dev/null"
as foreman-liu workshop.job.dispatch ro_number=RO-Q1 job_no=1 tech_id=tech-01 bay_id=B1
as tech-01 workshop.clock.on ro_number=RO-Q1 job_no=1
as tech-01 workshop.clock.off ro_number=RO-Q1 job_no=1 finished=true
as qc-ma workshop.qc.inspect ro_number=RO-Q1 kind=FINAL passed=true
is_ready() { [ "$(ro_status RO-Q1)" = RO_READY_FOR_DELIVERY ]; }
wait_for "RO-Q1 ready for delivery" is_ready
as adv-wang reception.ro.deliver ro_number=RO-Q1
as adv-wang reception.ro.open ro_number=RO-Q2 vin=$VIN mileage_km=21500 jobs="$(job "$XSS")"
expect_eq "RO-Q2 is a comeback of RO-Q1" RO-Q1 \
    "$(ctl --actor fdm-li call reception.ro.show ro_number=RO-Q2 | jq -r .reply.comeback_of)"

# two actions: QA-0001 decided three days ago, due the day before yesterday
# (overdue today); QA-0002 due in a week, its text markup
AGO=$(date -d '-3 days' +%F)
as fdm-li reception.quality_action.create kind=corrective owner=tech-01 \
    due_date="$(date -d '-2 days' +%F)" what="refit the brake clips" comeback_ros=RO-Q2 \
    --at "$AGO 10:00"
as foreman-liu reception.quality_action.create kind=preventive owner=foreman-liu \
    due_date="$(date -d '+7 days' +%F)" what="$XSS"

browse web_quality.py DUE="$(date -d '+10 days' +%F)" ITEM_DUE="$(date -d '+14 days' +%F)"
expect_eq "reception has RO-Q2's cause from the page" misdiagnosis \
    "$(ctl --actor fdm-li call reception.ro.show ro_number=RO-Q2 | jq -r .reply.comeback_cause)"

# an advisor's session may not decide an action nor read the analysis
expect_eq "the advisor signs in" 200 "$(signin adv adv-wang 'advisor-pass-1')"
out=$(api adv reception.quality_action.create \
    "{\"kind\":\"corrective\",\"what\":\"x\",\"owner\":\"tech-01\",\"due_date\":\"$(date +%F)\"}" \
    -H 'Idempotency-Key: adv-qa-1')
expect_eq "an advisor's action is refused by the gateway" "403 web" \
    "$(echo "$out" | tail -1) $(echo "$out" | head -1 | jq -r .refused_by)"
out=$(api adv kpi.comeback.analysis "{\"month\":\"$(date +%Y-%m)\"}")
expect_eq "an advisor's analysis is refused" 403 "$(echo "$out" | tail -1)"
expect_eq "no action written by the refusal" 6 \
    "$(ctl --actor fdm-li call reception.quality_action.list | jq -r '.reply.actions | length')"
stop_web
finish
