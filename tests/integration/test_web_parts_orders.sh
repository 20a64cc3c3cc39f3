#!/usr/bin/env bash
# The parts counter's orders, stock value, slow-moving parts and scrap list in
# headless Chromium (web_parts_orders.py), asoem playing the supplier "OEM":
# the keeper orders a backorder urgently in one click, asoem confirms and the
# promised date appears live (on the parts manager's open page too, and on the
# advisor's counter as "Parts promised <date>"); a receipt against the order
# line (an over-delivery refused at the form); a stock order to a local
# supplier confirmed by phone; stock value by group and the slow-moving list;
# the scrap list proposed, edited and submitted by the keeper and approved by
# the parts manager in a second session, the stock value dropping by the
# list's value; a slow part described by markup shown as text; the keeper
# cannot approve (403). Screenshots: $AS_BUILD/artifacts/web/parts2-*.png.
# labels: web browser parts
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_parts_orders
# the dealership (start_dealership), its old stock keyed in as it was: work
# keyed in up to 450 days later (the old part's receipt of 14 months ago)
export AS_RUN_DIR=$T
cp "$(dirname "$0")/../../deploy/local.ini" "$CONFIG"
sed -i 's/^backdate_days = 31$/backdate_days = 450/' "$CONFIG"
grep -q '^backdate_days = 450$' "$CONFIG" || fail "the config has no backdate_days = 31"
start_bus bus
start_site_daemons
start_web
set_secret wh-zhou 'parts-pass-1'
set_secret parts-mgr 'parts-pass-2'
set_secret adv-wang 'advisor-pass-1'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
# the catalogue: cost in cents, a group each, the mats an accessory
as wh-zhou parts.part.define part_number=P-PLUG description="spark plug" group=engine \
    cost_cents=1500 price_cents=3000 bin=A-01
as wh-zhou parts.part.define part_number=P-BELT description="drive belt" group=engine \
    cost_cents=3000 price_cents=6000 bin=A-02
as wh-zhou parts.part.define part_number=P-MAT description="floor mats" group=accessories \
    cost_cents=8000 price_cents=20000 bin=C-01 accessory=true
as wh-zhou parts.part.define part_number=OLD-01 description='<img src=x onerror=alert(1)>' \
    group=body cost_cents=5000 price_cents=9000 bin=D-09
# the old part came in 14 months ago and never moved since: slow-moving
OLD_DAY=$(date -d '14 months ago' +%F)
ctl --actor wh-zhou call parts.receipt.record receipt_id=R-OLD supplier=OEM \
    lines='[{"part_number":"OLD-01","expected":3,"received":3}]' --at "$OLD_DAY 09:00" >/dev/null ||
    fail "the old receipt"
# today: 4 mats, and 2 of 3 belts good (1 damaged: quarantine)
as wh-zhou parts.receipt.record receipt_id=R-DMG supplier=OEM lines='[
    {"part_number":"P-MAT","expected":4,"received":4},
    {"part_number":"P-BELT","expected":3,"received":2,"discrepancy":"DAMAGED","note":"crushed box"}]'

# an order to a local supplier 6 days ago, promised by phone for 4 days ago,
# still not delivered: overdue
SIX=$(date -d '6 days ago' +%F)
FOUR=$(date -d '4 days ago' +%F)
ctl --actor wh-zhou call parts.order.create order_id=SO-LATE supplier=Local-Parts \
    lines='[{"part_number":"P-BELT","quantity":5}]' --at "$SIX 10:00" >/dev/null || fail "SO-LATE"
ctl --actor wh-zhou call parts.order.confirm order_id=SO-LATE \
    lines='[{"line_no":1,"promised_date":"'"$FOUR"'"}]' --at "$SIX 11:00" >/dev/null || fail "SO-LATE's confirmation"

# an RO in the workshop whose 2 plugs are not on the shelf: a backorder
VIN=JNKCV61E29M300011
as foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang A" skills=chassis \
    level=2 hourly_cost_cents=10000
as adv-wang reception.customer.register customer_id=C1 name="Li Lei" phone=13900000077
as adv-wang reception.vehicle.register vin=$VIN plate=鲁B77777 customer_id=C1 \
    sale_date=2024-05-01 mileage_km=20000
knows_chassis() { ctl --actor adv-wang call reception.skill.list | grep -q chassis; }
wait_for "reception knows the technician's skill" knows_chassis
as adv-wang reception.ro.open ro_number=RO-1 vin=$VIN mileage_km=21000 \
    jobs='[{"concern":"misfire","pay_type":"CUSTOMER_PAY","labour":{"code":"EN100","sold_minutes":60,"rate_cents":60000,"skill":"chassis","min_level":1}}]'
as adv-wang reception.ro.consent ro_number=RO-1 consent=signature
jobs_are() { [ "$(ctl --actor foreman-liu call workshop.ro.show ro_number=RO-1 | json '.reply.jobs | length')" = 1 ]; }
wait_for "workshop has RO-1's job" jobs_are
as wh-zhou parts.issue issue_id=I-PLUG ro_number=RO-1 job_no=1 part_number=P-PLUG quantity=2 \
    technician=tech-01 backorder=true

# the keeper cannot approve a scrap list: the gateway refuses before the service
expect_eq "the keeper signs in" 200 "$(signin keeper wh-zhou parts-pass-1)"
out=$(api keeper parts.scrap.approve '{"list_id":"SCRAP-X"}' -H 'Idempotency-Key: keeper-approve-0001')
expect_eq "a keeper's parts.scrap.approve is refused by the gateway" "403 web" \
    "$(echo "$out" | tail -1) $(echo "$out" | head -1 | jq -r .refused_by)"

browse web_parts_orders.py OLD_DAY="$OLD_DAY" LATE_DAY="$FOUR"
stop_web
finish
