#!/usr/bin/env bash
# labels: reception upgrade
# timeout: 180
# A dealership upgrading: reception's store written with the '/' keys of
# before the one record encoding (common/record.c) opens with today's daemon,
# which moves those keys once at start, and everything it showed before it
# shows the same after: the repair order, the maintenance reminders due (found
# through the vehicle's ROs and the calls made), the open recalls flagged at a
# booking; and a recall completed after the upgrade is no longer flagged.
# The old store is written by AS_PREV_BUILD's as-reception when given (a build
# of the previous format, e.g. main before this change); otherwise today's
# daemon writes it and mdb_dump/mdb_load turn its keys back into the old form.
. "$(dirname "$0")/lib.sh"
setup record_upgrade

sed -i 's/^services = .*/services = reception/' "$CONFIG"
cat >>"$CONFIG" <<INI

[reception]
endpoint = ipc://$T/reception.sock
follows = warranty
heartbeat_ms = 200

[staff]
adv-wang = advisor limit=1000000
clerk-zhou = info_clerk
tester = info_clerk
INI

V1=JN1AZ4EH7DM430111
V2=1M8GDM9AXKP042788
TODAY=$(date +%F)
LATER=$(date -d "+200 days" +%F)
WTY=0190a0b0-0000-7000-8000-00000000000c
as() {
    local who=$1
    shift
    ctl --actor "$who" call "$@" || true
}
warranty_applied() {
    [ "$(ctl status reception | jq -r '.services[0].offsets[] | select(.source=="warranty@test") | .applied_seq')" = "$1" ]
}
start_reception() { # BUILD
    "$1/services/reception/as-reception" --config "$CONFIG" >>"$T/reception.log" 2>&1 &
    PIDS[reception]=$!
    wait_for "reception answers status" ctl_ok status reception
}
due() { as clerk-zhou reception.reminder.due date="$LATER" | json '[.reply.reminders[] | "\(.vin) \(.due_date) \(.due_km)"] | join(";")'; }
flags() { # APPOINTMENT_ID VIN: the recalls flagged at a booking
    as clerk-zhou reception.appointment.book appointment_id="$1" customer_id=c-1 vin="$2" \
        slot="${TODAY}T09:30" reason=service channel=phone | json '.reply.open_recalls // [] | join(",")'
}
ro_view() { as adv-wang reception.ro.show ro_number="$1" | jq -c .reply; }

log "--- the day before the upgrade"
start_bus bus
start_reception "${AS_PREV_BUILD:-$AS_BUILD}"
as clerk-zhou reception.customer.register customer_id=c-1 name="Li Wei" phone=13800000001 >/dev/null
as adv-wang reception.vehicle.register vin=$V1 plate=A1 customer_id=c-1 sale_date=2024-03-15 \
    mileage_km=15000 >/dev/null
as adv-wang reception.vehicle.register vin=$V2 plate=A2 customer_id=c-1 sale_date=2024-01-10 \
    mileage_km=25000 >/dev/null
JOB='[{"concern":"service","pay_type":"CUSTOMER_PAY","labour":{"code":"SV01","sold_minutes":60,"rate_cents":6000}}]'
as adv-wang reception.ro.open ro_number=RO-1 vin=$V1 mileage_km=16000 jobs="$JOB" >/dev/null
as adv-wang reception.ro.open ro_number=RO-2 vin=$V2 mileage_km=26000 jobs="$JOB" >/dev/null
as clerk-zhou reception.reminder.record vin=$V2 kind=maintenance due_date="$LATER" outcome=booked >/dev/null
"$FRAMES" event-json "ipc://$T/bus-in" warranty@test "$WTY" 1 warranty.recall.opened \
    "{\"campaign_id\":\"RC-7\",\"title\":\"airbag inflator\",\"labour_code\":\"RC7\",\"vins\":[\"$V1\",\"$V2\"]}"
wait_for "reception learned the campaign" warranty_applied 1
DUE_BEFORE=$(due)
FLAGS_BEFORE=$(flags A-1 $V1)
RO_BEFORE=$(ro_view RO-1)
expect_eq "before: only V1 is due, 180 days after its RO" "$V1 $(date -d "+180 days" +%F) null" "$DUE_BEFORE"
expect_eq "before: the recall is flagged" "RC-7: airbag inflator" "$FLAGS_BEFORE"
stop reception

if [ -z "${AS_PREV_BUILD:-}" ]; then
    log "--- turning the store's keys back into the old form ('/' between parts)"
    keys_back_to "$T/data/reception" / ros_by_vin recalls reminders
    KEY=$(printf '%s/RO-1' $V1)
    mdb_dump -p -s ros_by_vin "$T/data/reception" | grep -qxF " $KEY" || fail "the old form has the key $KEY"
fi

log "--- today's daemon on the old store"
start_reception "$AS_BUILD"
expect_eq "the keys were moved at start" 1 "$(grep -c 'keys moved to the one encoding' "$T/reception.log")"
grep -q "reception knows no technician's skills" "$T/reception.log" ||
    fail "an old store with repair orders and no technicians: no warning about the skills"
expect_eq "after: the same reminders are due" "$DUE_BEFORE" "$(due)"
expect_eq "after: the same recall is flagged" "$FLAGS_BEFORE" "$(flags A-2 $V1)"
expect_eq "after: the same repair order" "$RO_BEFORE" "$(ro_view RO-1)"
"$FRAMES" event-json "ipc://$T/bus-in" warranty@test "$WTY" 2 warranty.recall.completed \
    "{\"campaign_id\":\"RC-7\",\"vin\":\"$V1\",\"ro_number\":\"RO-1\"}"
wait_for "reception learned the recall was done" warranty_applied 2
expect_eq "a recall done after the upgrade is no longer flagged" "" "$(flags A-3 $V1)"
expect_eq "the other vehicle's recall stays" "RC-7: airbag inflator" "$(flags A-4 $V2)"

log "--- a restart moves nothing again"
stop reception
start_reception "$AS_BUILD"
expect_eq "moved once only" 1 "$(grep -c 'keys moved to the one encoding' "$T/reception.log")"
expect_eq "still the same reminders" "$DUE_BEFORE" "$(due)"
finish
