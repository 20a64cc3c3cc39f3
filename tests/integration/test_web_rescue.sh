#!/usr/bin/env bash
# Road rescue on the pages (issue 15), in headless Chromium (web_rescue.py):
# the advisor requests a rescue on the counter's Rescues tab (customer, VIN,
# place, a reason that is markup, the estimated cost typed as currency; an
# amount that is none refused on the page, an unknown customer refused by
# reception with its words); the front-desk manager approves it (asctl, as
# frontdesk.html does: test_web_frontdesk.sh); the foreman's board shows it
# approved without a reload and dispatches a technician; the advisor's tab
# shows it dispatched without a reload and closes it with its time, actual
# cost and RO. Reception has each step. The foreman may not request one (403
# by the gateway, nothing written).
# Screenshots: $AS_BUILD/artifacts/web/rescue-*.png.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_rescue
start_dealership
start_web
set_secret adv-wang 'advisor-pass-1'
set_secret foreman-liu 'foreman-pass-1'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
VIN=JNKCV61EX9M300001
as foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang A" skills=engine \
    level=2 hourly_cost_cents=10000
as adv-wang reception.customer.register customer_id=C1 name="Li Lei" phone=13900000001
as adv-wang reception.vehicle.register vin=$VIN plate=LU-R00001 customer_id=C1 \
    sale_date=2024-05-01 mileage_km=20000
knows_engine() { [ "$(ctl --actor adv-wang call reception.skill.list | jq -r '.reply.skills[0].skill')" = engine ]; }
wait_for "reception knows the skill engine" knows_engine
# the RO the towed car is opened on
as adv-wang reception.ro.open ro_number=RO-R1 vin=$VIN mileage_km=20500 \
    jobs='[{"concern":"will not start","pay_type":"CUSTOMER_PAY","labour":{"code":"EN-01",
        "description":"engine work","sold_minutes":60,"rate_cents":60000,"skill":"engine","min_level":1}}]'

browse web_rescue.py VIN=$VIN

# the foreman's session may not request a rescue: the gateway refuses, nothing is written
expect_eq "the foreman signs in" 200 "$(signin fm foreman-liu 'foreman-pass-1')"
out=$(api fm reception.rescue.request "{\"rescue_id\":\"RS-FM\",\"customer_id\":\"C1\",\"vin\":\"$VIN\",
    \"place\":\"x\",\"reason\":\"y\",\"estimated_cost_cents\":100}" -H 'Idempotency-Key: fm-rescue-1')
expect_eq "a foreman's request is refused by the gateway" "403 web" \
    "$(echo "$out" | tail -1) $(echo "$out" | head -1 | jq -r .refused_by)"
expect_eq "only the page's rescue is there" 1 \
    "$(ctl --actor adv-wang call reception.rescue.list | jq '.reply.rescues | length')"
stop_web
finish
