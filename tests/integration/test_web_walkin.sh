#!/usr/bin/env bash
# A walk-in at the advisor's counter in headless Chromium (web_walkin.py): a
# search for a plate nobody knows offers to register the customer; the
# advisor registers them (a Chinese name; reception numbers them) and their
# vehicle on the page and the vehicle's card opens, ready for an RO; the same
# VIN again is refused at the form, and so is a VIN with a wrong check digit
# (reception's refusal); a known customer without the car gets "Add a
# vehicle"; a plate another vehicle carries is refused by reception and the
# form shows its text; a vehicle transferred (reception.vehicle.transfer) shows
# its change of plate and owner on its card. A technician's session cannot
# register a customer (403).
# Screenshots: $AS_BUILD/artifacts/web/walkin-*.png.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_walkin
start_dealership
start_web
set_secret adv-wang 'counter-pass-1'
set_secret tech-01 '2468'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
VIN=LSVAU2182N2000017 # real check digits
VIN2=LFV3A23C1N3000051
as foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang A" skills=engine \
    level=2 hourly_cost_cents=10000
as adv-wang reception.customer.register customer_id=C7 name='<img src=x onerror=alert(1)>' \
    phone=13900000007

browse web_walkin.py VIN=$VIN VIN2=$VIN2

log "--- a technician cannot register a customer"
expect_eq "the technician signs in" 200 "$(signin tech tech-01 2468)"
out=$(api tech reception.customer.register '{"name":"Li Si","phone":"13700000000"}' \
    -H 'Idempotency-Key: tech-register-1')
expect_eq "refused by the gateway" 403 "$(tail -n1 <<<"$out")"
expect_eq "it says who refused" web "$(head -n -1 <<<"$out" | jq -r .refused_by)"
stop_web
finish
