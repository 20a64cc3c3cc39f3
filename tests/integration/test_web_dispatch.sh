#!/usr/bin/env bash
# Dispatch on the foreman's board in headless Chromium (web_dispatch.py):
# a waiting job picked opens the dispatch form, which shows the special-tool
# check's answer for each tool (workshop.tool_check.show: available, on loan, out
# of calibration); a dispatch the workshop refuses shows its reason and
# changes nothing; the tool calibrated in the tool room meanwhile turns
# available on the open form; a dispatch with a tool on loan goes through
# with the workshop's note shown; a concern that is markup is shown as text;
# a technician's session may not dispatch (403 by the gateway).
# Screenshots: $AS_BUILD/artifacts/web/dispatch-*.png.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_dispatch
start_dealership
start_web
set_secret foreman-liu 'board-pass-1'
set_secret tech-01 '2468'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
TODAY=$(date +%F)
day() { date -d "$TODAY $1 days" +%F; }
VIN=JNKCV61EX9M300001
as foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang A" skills=engine \
    level=2 hourly_cost_cents=10000
as foreman-liu workshop.technician.register tech_id=tech-02 name="Li B" skills=engine,electrical \
    level=3 hourly_cost_cents=12000
as foreman-liu workshop.bay.register bay_id=B1 kind=lift
as foreman-liu workshop.bay.register bay_id=B2 kind=general
tool() { # tool ID INTERVAL [LAST_CALIBRATION]
    as tool-xu tools.item.register tool_id="$1" kind=special_tool description="$2" \
        location=shelf-A calibration_interval_days="$3" ${4:+last_calibration=$4}
}
tool T-GOOD "injector puller" 365 "$(day -30)"
tool T-OVERDUE "torque wrench 40-200 Nm" 30 "$(day -60)"
tool T-LOAN "timing lock kit" 0
as tool-xu tools.loan.checkout loan_id=L-1 tool_id=T-LOAN technician=tech-02 ro_number=RO-X \
    job_no=1 condition=good due_date="$(day +1)" due_time=15:00
on_loan() { [ "$(ctl --actor foreman-liu call workshop.tool.list tool_ids=T-LOAN |
    jq -r '.reply.tools[0].loan_id // ""')" = L-1 ]; }
wait_for "the workshop knows T-LOAN is on loan" on_loan
knows_engine() { [ "$(ctl --actor adv-wang call reception.skill.list | jq -r '.reply.skills[0].skill')" = engine ]; }
wait_for "reception knows the skill engine" knows_engine

as adv-wang reception.customer.register customer_id=C1 name='Wang Li' phone=13900000001
as adv-wang reception.vehicle.register vin=$VIN plate=LU-D00001 customer_id=C1 \
    sale_date=2024-05-01 mileage_km=20000
job_json() { # job_json CONCERN CODE TOOLS_JSON
    echo "{\"concern\":\"$1\",\"pay_type\":\"CUSTOMER_PAY\",\"labour\":{\"code\":\"$2\",
      \"description\":\"engine work\",\"sold_minutes\":90,\"rate_cents\":60000,\"skill\":\"engine\",
      \"min_level\":1,\"special_tools\":$3}}"
}
as adv-wang reception.ro.open ro_number=RO-D1 vin=$VIN mileage_km=21000 jobs="[
    $(job_json '<img src=x onerror=alert(1)>' EN-11 '["T-GOOD","T-LOAN"]'),
    $(job_json 'head gasket leak' EN-12 '["T-OVERDUE"]')]"
as adv-wang reception.ro.consent ro_number=RO-D1 consent=signature
wait_for "the workshop has RO-D1's jobs" bash -c "'$ASCTL' --json --config '$CONFIG' --actor \
    foreman-liu call workshop.ro.show ro_number=RO-D1 | jq -e '.reply.jobs | length == 2' >/dev/null"

browse web_dispatch.py RO=RO-D1 DUE="$(day -30)" TOMORROW="$(day +1)" TODAY="$TODAY"

# a technician's session may not dispatch: the gateway refuses, nothing is sent
expect_eq "the technician signs in" 200 "$(signin tech tech-01 '2468')"
out=$(api tech workshop.job.dispatch '{"ro_number":"RO-D1","job_no":2,"tech_id":"tech-01","bay_id":"B2"}' \
    -H 'Idempotency-Key: tech-dispatch-1')
expect_eq "a technician's dispatch is refused by the gateway" "403 web" \
    "$(echo "$out" | tail -1) $(echo "$out" | head -1 | jq -r .refused_by)"
expect_eq "job 2 still waits" WORK_WAITING "$(ctl --actor foreman-liu call workshop.ro.show \
    ro_number=RO-D1 | jq -r '.reply.jobs[] | select(.job_no==2) | .status')"
stop_web
finish
