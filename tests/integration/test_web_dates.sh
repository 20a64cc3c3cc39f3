#!/usr/bin/env bash
# Dates and times in the page's language, not the browser's (web_dates.py):
# the clerk books an appointment on an English page in a Chinese browser and
# on a Chinese page in an English one, typing the date and time as each
# page's placeholder says (and in the other ways people write them: 2026/12/9,
# 2026年12月10日, 9:30, 14点30); reception has the slot in ISO (asctl reads it
# back), the page shows it in ISO, and a date or time that is not one
# (30 February, 25:00) is refused beside the field in the page's language
# with nothing booked.
# Screenshots: $AS_BUILD/artifacts/web/.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_dates
start_dealership
start_web
set_secret clerk-sun 'clerk-pass-1'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
VIN=LSVAU2182N2000017 # a real check digit
as adv-wang reception.customer.register customer_id=C1 name=李雷 phone=13900000001
as adv-wang reception.vehicle.register vin=$VIN plate=鲁A88888 customer_id=C1 model="Sagitar 1.4T" \
    sale_date=2024-05-01 mileage_km=20000

browse web_dates.py VIN="$VIN"
stop_web
finish
