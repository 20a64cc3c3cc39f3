#!/usr/bin/env bash
# labels: reception
# timeout: 120
# A known VIN is not silently re-registered (issue 16): registering it again
# with the same plate and owner is a repeat (the vehicle as it is, no event);
# another owner or plate is refused naming what is registered, and a plate on
# another vehicle too, writing nothing. reception.vehicle.transfer changes the
# plate and/or the owner with a reason, dated like the other dated commands
# (--at): the vehicle keeps its mileage, ROs and insurance, shows the change,
# search finds it under the new plate and the new owner, not the old ones,
# and reception.vehicle.transferred carries old and new. Each bad transfer is
# refused with its text and writes nothing. (warranty keeps only a VIN's sale
# date and workshop only its model, neither of which a transfer changes: no
# other daemon is started.)
. "$(dirname "$0")/lib.sh"
setup vehicle_transfer

sed -i 's/^services = .*/services = reception/' "$CONFIG"
cat >>"$CONFIG" <<INI

[reception]
endpoint = ipc://$T/reception.sock
heartbeat_ms = 200

[staff]
adv-wang = advisor limit=1000000
clerk-zhou = info_clerk
fdm-li = front_desk_manager
tech-07 = technician
INI

start_bus bus
start_service reception

VIN=JN1AZ4EH7DM430111
VIN2=1M8GDM9AXKP042788
DAY=$(date +%F)
YESTERDAY=$(date -d "$DAY - 1 day" +%F)

as() { ctl --actor "$1" call "${@:2}" || true; }
ask() { # must succeed
    local out
    out=$(ctl --actor "$1" call "${@:2}") || fail "$1 ${*:2}: $(echo "$out" | json .error)"
    echo "$out"
}
last_seq() { ctl status reception | json '.services[0].last_seq'; }
shown() { as clerk-zhou reception.vehicle.show vin="$1" | jq -c .reply; }
vehicle() { as clerk-zhou reception.vehicle.show vin="$1" | json ".reply | $2"; }
found() { # the VINs reception.search finds for TEXT (with_vehicles: by owner too)
    as clerk-zhou reception.search "$@" | json '[.reply.vehicles[]?.vin] | join(" ")'
}
# nothing_written WHAT SEQ SHOWN: the outbox and the vehicle are as they were
nothing_written() {
    expect_eq "$1: no event" "$2" "$(last_seq)"
    expect_eq "$1: the vehicle unchanged" "$3" "$(shown $VIN)"
}

log "--- two customers, a vehicle with mileage, insurance and an RO"
ask clerk-zhou reception.customer.register customer_id=C1 name="Wang Wei" phone=13800000001 >/dev/null
ask clerk-zhou reception.customer.register customer_id=C2 name="Li Na" phone=13900000002 >/dev/null
ask clerk-zhou reception.vehicle.register vin=$VIN plate="鲁A12345" customer_id=C1 \
    sale_date=2024-03-15 mileage_km=15000 model=Q50 insurer=PICC insurance_end=2027-03-14 >/dev/null
ask adv-wang reception.vehicle.mileage vin=$VIN mileage_km=16000 >/dev/null
ask adv-wang reception.ro.open --payload "{\"vin\":\"$VIN\",\"mileage_km\":16500,\"jobs\":[
    {\"concern\":\"oil change\",\"pay_type\":\"CUSTOMER_PAY\",\"labour\":{\"code\":\"EN010\",
     \"sold_minutes\":30,\"rate_cents\":60000}}]}" >/dev/null
ask clerk-zhou reception.vehicle.register vin=$VIN2 plate="京B66666" customer_id=C2 >/dev/null
seq=$(last_seq)
before=$(shown $VIN)

log "--- the same registration again: a repeat"
out=$(ask adv-wang reception.vehicle.register vin=$VIN plate="鲁A12345" customer_id=C1)
expect_eq "a repeat answers the vehicle as it is" "鲁A12345 C1 16500" \
    "$(echo "$out" | json '"\(.reply.plate) \(.reply.customer_id) \(.reply.mileage_km)"')"
out=$(ask adv-wang reception.vehicle.register vin=$VIN plate="鲁a 12345" customer_id=C1 model=Q50)
expect_eq "the plate as typed (case, space) and a detail it has: a repeat too" "鲁A12345" \
    "$(echo "$out" | json .reply.plate)"
nothing_written "two repeats" "$seq" "$before"

log "--- another owner or plate for a known VIN: refused, naming what is registered"
refused adv-wang exists \
    "VIN $VIN is already registered: plate 鲁A12345, owner C1 Wang Wei; to change the plate or the owner use reception.vehicle.transfer" \
    reception.vehicle.register vin=$VIN plate="鲁A12345" customer_id=C2
refused clerk-zhou exists "VIN $VIN is already registered: plate 鲁A12345, owner C1 Wang Wei" \
    reception.vehicle.register vin=$VIN plate="鲁A99999" customer_id=C1
refused clerk-zhou exists \
    "plate '京B 66666' is already on vehicle $VIN2 (owner C2 Li Na): one plate is on one vehicle" \
    reception.vehicle.register vin=1HGCM82633A004352 plate="京B 66666" customer_id=C1
refused clerk-zhou not-found "vehicle '1HGCM82633A004352' is not registered" \
    reception.vehicle.show vin=1HGCM82633A004352
nothing_written "three refused registrations" "$seq" "$before"

log "--- refused transfers write nothing"
refused clerk-zhou not-found "vehicle '1HGCM82633A004352' is not registered" \
    reception.vehicle.transfer vin=1HGCM82633A004352 customer_id=C2 reason="sold to Li Na"
refused clerk-zhou not-found "customer 'C9' does not exist" \
    reception.vehicle.transfer vin=$VIN customer_id=C9 reason="sold"
refused clerk-zhou invalid "vin '$VIN': a transfer needs a reason" \
    reception.vehicle.transfer vin=$VIN customer_id=C2
refused clerk-zhou invalid \
    "vin '$VIN': nothing to transfer: give a new plate and/or a new customer_id (it is plate 鲁A12345, owner C1)" \
    reception.vehicle.transfer vin=$VIN plate="鲁A-12345" customer_id=C1 reason="sold"
refused clerk-zhou exists "plate '京B66666' is already on vehicle $VIN2 (owner C2 Li Na)" \
    reception.vehicle.transfer vin=$VIN plate="京B66666" reason="new plate"
refused clerk-zhou invalid "plate '123456789012345678901' is blank or longer than 20 characters" \
    reception.vehicle.transfer vin=$VIN plate=123456789012345678901 reason="new plate"
refused tech-07 denied "is not a" \
    reception.vehicle.transfer vin=$VIN customer_id=C2 reason="sold"
nothing_written "seven refused transfers" "$seq" "$before"

log "--- sold to Li Na with a new plate, keyed in the next morning (--at yesterday)"
out=$(ctl --actor clerk-zhou call reception.vehicle.transfer vin=$VIN plate="鲁B 54321" \
    customer_id=C2 reason="sold to Li Na" --at "$YESTERDAY 16:30") ||
    fail "transfer: $(echo "$out" | json .error)"
tseq=$((seq + 1))
expect_eq "one event: the transfer" $tseq "$(last_seq)"
expect_eq "the vehicle's new plate and owner" "鲁B 54321 C2" "$(vehicle $VIN '"\(.plate) \(.customer_id)"')"
expect_eq "the change kept: old and new plate and owner, why, who, the business date" \
    "鲁A12345>鲁B 54321 C1 Wang Wei>C2 Li Na; sold to Li Na; clerk-zhou $YESTERDAY" \
    "$(vehicle $VIN '.transfers[] | "\(.old_plate)>\(.new_plate) \(.old_customer_id) \(.old_customer_name)>\(.new_customer_id) \(.new_customer_name); \(.reason); \(.transferred_by) \(.date)"')"
# the history kept: 15000 at registration, 16000 read, 16500 at the RO
expect_eq "the mileage history kept" "15000 16000 16500" "$(vehicle $VIN '[.history[].km] | join(" ")')"
expect_eq "the insurance, model and sale date kept" "PICC 2027-03-14 Q50 2024-03-15" \
    "$(vehicle $VIN '"\(.insurer) \(.insurance_end) \(.model) \(.sale_date)"')"
expect_eq "the RO kept" 1 "$(as clerk-zhou reception.vehicle.history vin=$VIN | json '.reply.ros | length')"

log "--- asctl's human output shows the change"
COLUMNS=200 "$ASCTL" --config "$CONFIG" --actor clerk-zhou call reception.vehicle.show vin=$VIN >"$T/human.txt" ||
    fail "vehicle.show for people"
expect_eq "a table of transfers under the vehicle" "transfers: 1" "$(grep '^transfers:' "$T/human.txt")"
expect_eq "its row: old and new, why, who, when (the time keyed with --at)" \
    "鲁A12345 鲁B 54321 C1 Wang Wei C2 Li Na sold to Li Na clerk-zhou $YESTERDAY 16:30 $YESTERDAY" \
    "$(grep -A2 '^transfers:' "$T/human.txt" | tail -n1 | tr -s ' ' | sed 's/^ //')"
log "--- search: the new plate and owner find it, the old ones do not"
expect_eq "the new plate" $VIN "$(found text=鲁B54321)"
expect_eq "the old plate finds nothing" "" "$(found text=鲁A12345)"
expect_eq "the new owner's vehicles (sorted)" "$VIN2 $VIN" \
    "$(found text=li with_vehicles=true | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "not the old owner's" "" "$(found text=wang with_vehicles=true)"

log "--- registering it now: the new plate and owner are a repeat, the old ones refused"
seq=$(last_seq)
ask adv-wang reception.vehicle.register vin=$VIN plate="鲁B54321" customer_id=C2 >/dev/null
refused adv-wang exists "plate 鲁B 54321, owner C2 Li Na" \
    reception.vehicle.register vin=$VIN plate="鲁A12345" customer_id=C1
expect_eq "no event" "$seq" "$(last_seq)"
log "--- a second transfer (a new plate only): both changes shown, oldest first"
ask fdm-li reception.vehicle.transfer vin=$VIN plate="鲁A12345" reason="new plate" >/dev/null
expect_eq "two transfers" "鲁A12345>鲁B 54321 C2;鲁B 54321>鲁A12345 C2" \
    "$(vehicle $VIN '[.transfers[] | "\(.old_plate)>\(.new_plate) \(.new_customer_id)"] | join(";")')"
expect_eq "the old plate is free again for the vehicle" $VIN "$(found text=鲁A12345)"

log "--- the same plate and owner with a new detail: applied, as registration always did"
seq=$(last_seq)
ask clerk-zhou reception.vehicle.register vin=$VIN plate="鲁A12345" customer_id=C2 model="Q50 Hybrid" >/dev/null
expect_eq "the new model, the same plate and owner" "Q50 Hybrid 鲁A12345 C2" \
    "$(vehicle $VIN '"\(.model) \(.plate) \(.customer_id)"')"
expect_eq "one reception.vehicle.registered" $((seq + 1)) "$(last_seq)"

log "--- reception.vehicle.transferred carries old and new"
ctl tap --since "reception@test:$tseq" --wait 500 reception.vehicle. >"$T/events.jsonl" || true
expect_eq "the events of the transfers" "鲁A12345>鲁B 54321 C1>C2 sold to Li Na $YESTERDAY|鲁B 54321>鲁A12345 C2>C2 new plate $DAY" \
    "$(jq -rs '[.[] | select(.type=="reception.vehicle.transferred") | .payload |
        "\(.old_plate)>\(.new_plate) \(.old_customer_id)>\(.new_customer_id) \(.reason) \(.date)"] | join("|")' "$T/events.jsonl")"
finish
