#!/usr/bin/env bash
# The foreman's board in headless Chromium (web_browser.py): sign-in refused
# and accepted, the board from the real workshop daemon, a concern that is
# markup shown as text, the session cookie out of script's reach, the board
# following a dispatch made elsewhere without a reload, both languages.
# Screenshots: $AS_BUILD/artifacts/web/.
# labels: web browser
# timeout: 240
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_browser
start_dealership
start_web
set_secret foreman-liu 'board-pass-1'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
VIN=JNKCV61EX9M300001
as foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang A" skills=engine \
    level=2 hourly_cost_cents=10000
as foreman-liu workshop.bay.register bay_id=B1 kind=lift
as adv-wang reception.customer.register customer_id=C1 name='<b>Wang</b>' phone=13900000001
as adv-wang reception.vehicle.register vin=$VIN plate=LU-B00001 customer_id=C1 \
    sale_date=2024-05-01 mileage_km=20000
as adv-wang reception.ro.open ro_number=RO-W1 vin=$VIN mileage_km=21000 jobs='[{"concern":
    "<img src=x onerror=alert(1)>","pay_type":"CUSTOMER_PAY","labour":{"code":"EN-01",
    "sold_minutes":60,"rate_cents":60000,"skill":"engine","min_level":1}}]'
as adv-wang reception.ro.consent ro_number=RO-W1 consent=signature
wait_for "the workshop has RO-W1's job" bash -c "'$ASCTL' --json --config '$CONFIG' --actor \
    foreman-liu call workshop.board | jq -e '.reply.jobs[] | select(.ro_number==\"RO-W1\")' >/dev/null"

browse web_browser.py RO=RO-W1
stop_web
finish
