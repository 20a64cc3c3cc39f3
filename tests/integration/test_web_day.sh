#!/usr/bin/env bash
# The dealership's day in three browser sessions at once (web_day.py), every
# step on the staff member's own page: the advisor (a 10" tablet) finds the
# customer by plate on the counter and opens an RO from the labour-operation
# menu with a part, above his authority; the front-desk manager approves it
# live on a second session; the advisor sees the approval live and records
# the consent; the foreman's board, open in a third session all day, shows
# the job arrive in Waiting and dispatches it to tech-01 in bay B1; on the
# second session (signed out and in again) tech-01 clocks on with his PIN,
# the warehouse keeper issues the part to the job, tech-01 clocks off done
# and QC passes it (the certificate shows the pass) while the board follows
# every step without a reload; the advisor sees the RO in Ready live,
# delivers, and the invoice's totals are reception's; the service manager's
# dashboard of the day shows the figures of `asctl kpi report --json`.
# Only what no screen of this dealership does is seeded with asctl: the
# master data (labour operations, rate, parts, a receipt, technician, bay)
# and the customer and his car (the CRM's).
# Screenshots: $AS_BUILD/artifacts/web/day-*.png.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_day
# a time zone where it is 12:xx now: the whole day (clock entries, the KPIs
# of "today", the pages' "today") falls on one date whatever hour the test
# runs at; a zone of whole hours by name, which Chromium (ICU) reads as glibc
hours=$((10#$(date -u +%H) - 12))
export TZ="Etc/GMT$([ $hours -ge 0 ] && echo +)$hours"
start_dealership
start_web
set_secret adv-wang 'counter-pass-1'
set_secret fdm-li 'desk-pass-1'
set_secret foreman-liu 'board-pass-1'
set_secret tech-01 '2468'
set_secret wh-zhou 'parts-pass-1'
set_secret qc-ma 'qc-pass-1'
set_secret svc-mgr 'manager-pass-1'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
VIN=LSVAU2182N2000017
as foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang A" skills=engine \
    level=2 hourly_cost_cents=10000
as foreman-liu workshop.technician.register tech_id=tech-02 name="Li B" skills=engine \
    level=1 hourly_cost_cents=9000
as foreman-liu workshop.bay.register bay_id=B1 kind=lift
as foreman-liu workshop.bay.register bay_id=B2 kind=lift
as svc-mgr reception.labour_rate.set pay_type=CUSTOMER_PAY rate_cents=36000
as svc-mgr reception.labour_op.define code=EN-OIL description="Engine oil and filter change" \
    sold_minutes=60 skill=engine
as svc-mgr reception.labour_op.define code=EN-TIM description="Timing belt replacement" \
    sold_minutes=240 skill=engine min_level=2
as wh-zhou parts.part.define part_number=P-OIL description="Engine oil 1 l" cost_cents=5000 \
    price_cents=8000 bin=A-01
as wh-zhou parts.part.define part_number=P-TIMKIT description="Timing belt kit" cost_cents=300000 \
    price_cents=480000 bin=B-02
as wh-zhou parts.receipt.record receipt_id=GR-1 supplier=OEM lines='[
    {"part_number":"P-OIL","expected":20,"received":20},
    {"part_number":"P-TIMKIT","expected":2,"received":2}]'
as adv-wang reception.customer.register customer_id=C1 name=王小明 phone=13900000001
as adv-wang reception.vehicle.register vin=$VIN plate=鲁B12345 customer_id=C1 model="Sagitar 1.4T" \
    sale_date=2022-05-01 mileage_km=58000
wait_for "reception knows the labour operations and the parts' prices" bash -c "'$ASCTL' --json \
    --config '$CONFIG' --actor adv-wang call reception.labour_op.list | jq -e '.reply.operations | length == 2' >/dev/null"

browse web_day.py VIN=$VIN DAY="$(date +%F)"

log "--- the technician cannot approve an estimate"
expect_eq "the technician signs in" 200 "$(signin tech tech-01 2468)"
out=$(api tech reception.ro.approve '{"ro_number":"x"}' -H 'Idempotency-Key: tech-approve-1')
expect_eq "refused by the gateway" "403 web" "$(tail -n1 <<<"$out") $(head -n -1 <<<"$out" | jq -r .refused_by)"
stop_web
finish
