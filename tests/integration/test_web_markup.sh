#!/usr/bin/env bash
# A customer named `<img src=x onerror=alert(1)>` renders as text everywhere
# (web_markup.py): every free text of the dealership's data is markup or a
# variant — the customer's name and a tool's description
# `<img src=x onerror=alert(1)>`, the jobs' concerns `<script>alert(1)</script>`,
# the complaint, the recall's title and the extra defect `"><svg onload=alert(1)>`,
# the vehicle's model, the appointment's reason, the part's description and a
# warranty tag's location `&lt;b&gt;`, the shipment's carrier the first again (must show as those eight characters, not as "<b>") — and every
# screen, visited as its member in one browser session signed in and out in
# turn, shows it literally, makes no element from it and runs no script.
# Screenshots: $AS_BUILD/artifacts/web/markup-*.png.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_markup
start_dealership
start_web
for who in adv-wang clerk-sun fdm-li foreman-liu qc-ma wh-zhou wty-he tool-xu svc-mgr it-guo; do
    set_secret $who "$who-pass-1"
done
set_secret tech-01 '2468'

X1='<img src=x onerror=alert(1)>'
X2='<script>alert(1)</script>'
X3='"><svg onload=alert(1)>'
X4='&lt;b&gt;'
as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
job() { # job PAY_TYPE MINUTES [DEFECT PART]: one engine job whose concern is $X2
    local defect=""
    [ -n "${3:-}" ] && defect="\"defect_code\":\"$3\",\"causal_part\":\"$4\","
    echo "[{\"concern\":\"$X2\",\"pay_type\":\"$1\",$defect\"labour\":{\"code\":\"EN-01\",
        \"description\":\"engine work\",\"sold_minutes\":$2,\"rate_cents\":60000,\"skill\":\"engine\",\"min_level\":1}}]"
}
has_job() { ctl --actor foreman-liu call workshop.ro.show ro_number="$1" | jq -e '.reply.jobs | length == 1' >/dev/null; }
V1=LSVAU2182N2000017 V2=LSVWA2E49PW000002
as foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang A" skills=engine \
    level=2 hourly_cost_cents=10000
as foreman-liu workshop.bay.register bay_id=B1 kind=lift
as foreman-liu workshop.bay.register bay_id=B2 kind=lift
as wh-zhou parts.part.define part_number=P-X description="$X4" cost_cents=100 price_cents=200 bin=A-01
as wh-zhou parts.receipt.record receipt_id=GR-1 supplier=OEM \
    lines='[{"part_number":"P-X","expected":5,"received":5}]'
as tool-xu tools.item.register tool_id=T-X kind=special_tool description="$X1" location=A-2
knows_engine() { [ "$(ctl --actor adv-wang call reception.skill.list | jq -r '.reply.skills[0].skill')" = engine ]; }
wait_for "reception knows the skill engine" knows_engine
as adv-wang reception.customer.register customer_id=C1 name="$X1" phone=13900000001
as adv-wang reception.vehicle.register vin=$V1 plate=LU-M0001 customer_id=C1 model="$X4" \
    sale_date=2024-05-01 mileage_km=20000
as adv-wang reception.vehicle.register vin=$V2 plate=LU-M0002 customer_id=C1 model="$X4" \
    sale_date=2025-07-01 mileage_km=10000
as wty-he warranty.recall.open campaign_id=RC-X title="$X3" labour_code=RC-BRK vins=$V1
as clerk-sun reception.appointment.book appointment_id=A-1 customer_id=C1 vin=$V1 \
    slot="$(date +%Y-%m-%d)T09:30" reason="$X4" channel=phone

# RO-2: a warranty job through QC and delivered (a claim, a certificate, an invoice)
as adv-wang reception.ro.open ro_number=RO-2 vin=$V2 mileage_km=11000 jobs="$(job WARRANTY 60 D-01 DISC-01)"
as adv-wang reception.ro.consent ro_number=RO-2 consent=signature
wait_for "the workshop has RO-2's job" has_job RO-2
as foreman-liu workshop.job.dispatch ro_number=RO-2 job_no=1 tech_id=tech-01 bay_id=B1
as tech-01 workshop.clock.on ro_number=RO-2 job_no=1
as tech-01 workshop.clock.off ro_number=RO-2 job_no=1 finished=true
as qc-ma workshop.qc.inspect ro_number=RO-2 kind=FINAL passed=true
ready() { [ "$(ctl --actor adv-wang call reception.ro.show ro_number=RO-2 | jq -r .reply.status)" = RO_READY_FOR_DELIVERY ]; }
wait_for "RO-2 ready for delivery" ready
as adv-wang reception.ro.deliver ro_number=RO-2
# a complaint about it
as adv-wang reception.complaint.log complaint_id=K-1 ro_number=RO-2 channel=phone text="$X3"
# RO-4: done, due for QC
as adv-wang reception.ro.open ro_number=RO-4 vin=$V1 mileage_km=21000 jobs="$(job CUSTOMER_PAY 30)"
as adv-wang reception.ro.consent ro_number=RO-4 consent=signature
wait_for "the workshop has RO-4's job" has_job RO-4
as foreman-liu workshop.job.dispatch ro_number=RO-4 job_no=1 tech_id=tech-01 bay_id=B2
as tech-01 workshop.clock.on ro_number=RO-4 job_no=1
as tech-01 workshop.clock.off ro_number=RO-4 job_no=1 finished=true
# RO-1: in progress on tech-01's tablet, with an extra defect for the customer and a tool on loan
as adv-wang reception.ro.open ro_number=RO-1 vin=$V1 mileage_km=21100 jobs="$(job CUSTOMER_PAY 60)"
as adv-wang reception.ro.consent ro_number=RO-1 consent=signature
wait_for "the workshop has RO-1's job" has_job RO-1
as foreman-liu workshop.job.dispatch ro_number=RO-1 job_no=1 tech_id=tech-01 bay_id=B1
as tech-01 workshop.clock.on ro_number=RO-1 job_no=1
as tech-01 workshop.defect.report report_id=D-1 ro_number=RO-1 job_no=1 description="$X3" \
    labour='{"code":"WP-01","sold_minutes":15,"rate_cents":36000}'
as tool-xu tools.loan.checkout loan_id=L-1 tool_id=T-X technician=tech-01 ro_number=RO-1 job_no=1 \
    condition=good due_date="$(date -d tomorrow +%F)" due_time=12:00
# RO-3: above the advisor's authority, waiting for the front-desk manager
as adv-wang reception.ro.open ro_number=RO-3 vin=$V1 mileage_km=21200 jobs="$(job CUSTOMER_PAY 600)"
claim_ready() { [ "$(ctl --actor wty-he call warranty.claim.show claim_id=RO-2-1 | jq -r .reply.status)" = READY ]; }
wait_for "RO-2's warranty claim is ready" claim_ready
# its replaced part tagged (kept where $X4 says), boxed and shipped with the carrier $X1
as wty-he warranty.part.tag claim_id=RO-2-1 tag=T-1 location="$X4"
as wty-he warranty.part.box box_id=BOX-1 tags=T-1
as wty-he warranty.shipment.ship shipment_id=S-1 boxes=BOX-1 carrier="$X1"
extra_waits() { ctl --actor adv-wang call reception.ro.show ro_number=RO-1 | jq -e '.reply.extra_work | length == 1' >/dev/null; }
wait_for "reception has the extra defect" extra_waits

browse web_markup.py V1=$V1 V2=$V2 X1="$X1" X2="$X2" X3="$X3" X4="$X4"
stop_web
finish
