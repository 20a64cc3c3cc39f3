#!/usr/bin/env bash
# The information clerk's lists on the desk (issue 15) in headless Chromium
# (web_clerk_lists.py): the Renewals tab lists the vehicles whose insurance
# ends soon with the owner's phone, the clerk records what the customer said
# (reception has it) and the month's renewal information rate on the page is
# kpi's; the Greetings tab lists today's birthdays (a customer named as markup
# shown as text, the opted-out one left out), a customer registered elsewhere
# appears without a reload, Send (clicked twice) emits one
# reception.greeting.due per customer; a holiday is put in the calendar; the
# Today tab shows kpi.day.summary with amounts in currency. A technician
# cannot send the greetings (the gateway answers 403).
# Screenshots: $AS_BUILD/artifacts/web/clerk15-*.png.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_clerk_lists
start_dealership
start_web
set_secret clerk-sun 'clerk-pass-1'
set_secret tech-01 '2468'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
DAY=$(date +%F)
MD=${DAY:5:5}
VIN=LSVAU2182N2000017
VIN2=LFV2A21K1N3000024
as clerk-sun reception.customer.register customer_id=C1 name='<img src=x onerror=alert(1)>' \
    phone=13900000001 language=en birthday=$MD
as clerk-sun reception.customer.register customer_id=C2 name=王小明 phone=13800000002 \
    birthday=1985-$MD
as clerk-sun reception.customer.register customer_id=C3 name=李四 phone=13700000003 \
    birthday=$MD no_messages=true
# C1's insurance ends in 20 days; C2's today (this month's cohort of the rate)
as clerk-sun reception.vehicle.register vin=$VIN plate=鲁A88888 customer_id=C1 model="Sagitar 1.4T" \
    insurance_end="$(date -d "$DAY + 20 days" +%F)" insurer=PICC
as clerk-sun reception.vehicle.register vin=$VIN2 plate=鲁B67890 customer_id=C2 model="Magotan" \
    insurance_end="$DAY" insurer="Ping An"
as adv-wang reception.ro.open ro_number=RO-L1 vin=$VIN2 mileage_km=21000 jobs='[{"concern":"oil",
    "pay_type":"CUSTOMER_PAY","labour":{"description":"oil service","sold_minutes":60,"rate_cents":36000}}]'

browse web_clerk_lists.py VIN=$VIN VIN2=$VIN2

log "--- one greeting per customer, however often Send was pressed"
events=$(ctl tap reception.greeting --wait 1500 --since 1h | jq -r 'select(.type=="reception.greeting.due") |
    "\(.payload.customer_id):\(.payload.occasion)"' | sort | tr '\n' ' ')
expect_eq "the greetings emitted" "C1:birthday C2:birthday C4:birthday " "$events"

log "--- a technician cannot send the greetings"
expect_eq "the technician signs in" 200 "$(signin tech tech-01 2468)"
out=$(api tech reception.greeting.send "{\"date\":\"$DAY\"}" -H 'Idempotency-Key: tech-greet-1')
expect_eq "refused by the gateway" 403 "$(tail -n1 <<<"$out")"
stop_web
finish
