#!/usr/bin/env bash
# labels: reception workshop
# timeout: 180
# Config and input that cannot silently go wrong: a daemon refuses to start
# on a key nobody declared (exit 78, file:line and the nearest name), and
# --check-config says so without starting; a 100 KB customer name and a
# 100 KB skill are refused naming the field, with nothing written; a
# 4294967295 km reading is refused; a wrong (in-range) reading is corrected
# by the service manager with a reason, not by an advisor, and the vehicle
# then takes a normal reading.
. "$(dirname "$0")/lib.sh"
setup input_bounds

sed -i 's/^services = .*/services = reception, workshop, crm/' "$CONFIG"
cat >>"$CONFIG" <<INI

[reception]
endpoint = ipc://$T/reception.sock
heartbeat_ms = 200

[workshop]
endpoint = ipc://$T/workshop.sock
heartbeat_ms = 200

[crm]
endpoint = ipc://$T/crm.sock
heartbeat_ms = 200

[warranty]
endpoint = ipc://$T/warranty.sock
clerk_limit_cents = 300000

[warranty.policy]
basic = 4y 100000km

[staff]
adv-wang = advisor limit=1000
clerk-zhou = info_clerk
sm-zhou = service_manager
fm-li = foreman
tech-07 = technician
crm = system
INI

# started_with CONFIG DAEMON: runs DAEMON on CONFIG; prints its exit code and
# what it logged (a daemon that starts is stopped after a while: code 124)
started_with() {
    local config=$1 daemon=$2
    timeout 5 "$AS_BUILD/services/$daemon/as-$daemon" --config "$config" >"$T/start.log" 2>&1 &&
        echo 0 || echo $?
}
expect_log() { # expect_log WHAT TEXT
    if grep -qF -- "$2" "$T/start.log"; then
        log "ok: $1"
    else
        fail "$1: the log does not say \"$2\": $(tail -n 3 "$T/start.log")"
    fi
}

log "--- unknown keys stop the daemon that owns them"
BAD=$T/typo.ini
cp "$CONFIG" "$BAD"
line=$(grep -n '^endpoint = ipc://.*/reception.sock' "$BAD" | cut -d: -f1)
sed -i "${line}a folows = workshop" "$BAD"
expect_eq "reception with 'folows' exits" 78 "$(started_with "$BAD" reception)"
expect_log "folows named with its line" \
    "$BAD:$((line + 1)): unknown key 'folows' in [reception]; did you mean 'follows'?"
cp "$CONFIG" "$T/limit.ini"
sed -i 's/^clerk_limit_cents = 300000$/clerk_limit_cent = 300000/' "$T/limit.ini"
line=$(grep -n '^clerk_limit_cent =' "$T/limit.ini" | cut -d: -f1)
expect_eq "warranty with 'clerk_limit_cent' exits" 78 "$(started_with "$T/limit.ini" warranty)"
expect_log "clerk_limit_cent named with its line" \
    "$T/limit.ini:$line: unknown key 'clerk_limit_cent' in [warranty]; did you mean 'clerk_limit_cents'?"

log "--- --check-config"
out=$("$AS_BUILD/services/reception/as-reception" --config "$CONFIG" --check-config 2>&1) &&
    rc=0 || rc=$?
expect_eq "--check-config on a good file" "0 config ok" "$rc $out"
"$AS_BUILD/services/workshop/as-workshop" --config "$T/limit.ini" --check-config \
    >"$T/start.log" 2>&1 && rc=0 || rc=$?
expect_eq "--check-config on another service's typo" 78 "$rc"
expect_log "--check-config names it" "unknown key 'clerk_limit_cent' in [warranty]"

start_bus bus
start_service reception
start_service workshop
"$AS_BUILD/services/ingest/as-ingest" --name crm --config "$CONFIG" >>"$T/crm.log" 2>&1 &
PIDS[crm]=$!
wait_for "crm answers status" ctl_ok status crm

as() { # as WHO COMMAND ARGS...: prints the JSON answer
    local who=$1
    shift
    ctl --actor "$who" call "$@" || true
}
refused() { # refused WHAT CODE TEXT WHO COMMAND ARGS...
    local what=$1 code=$2 text=$3
    shift 3
    local out error
    out=$(as "$@")
    expect_eq "$what: refused" "$code" "$(echo "$out" | json '.code // 0')"
    error=$(echo "$out" | json .error)
    case "$error" in
    *"$text"*) log "ok: $what: \"$error\"" ;;
    *) fail "$what: error \"$error\" does not say \"$text\"" ;;
    esac
}

log "--- every text field has one bound"
BIG=$(head -c 100000 /dev/zero | tr '\0' x)
refused "100 KB customer name" invalid "field 'name' is 100000 bytes; at most 500" \
    clerk-zhou reception.customer.register customer_id=c-big name="$BIG" phone=13800000001
expect_eq "nothing written for it" not-found \
    "$(as clerk-zhou reception.customer.show customer_id=c-big | json '.code // 0')"
# worded in a format of its own, its path, length and bound as arguments (a
# Chinese page shows refusals.json's template of it)
worded clerk-zhou "field '%s' is %zu bytes; at most %d" '["name","100000","500"]' \
    reception.customer.register customer_id=c-big name="$BIG" phone=13800000001
refused "100 KB skill" invalid "field 'skills[1]' is 100000 bytes; at most 500" \
    fm-li workshop.technician.register tech_id=tech-07 name="Li Wei" level=3 \
    hourly_cost_cents=5000 skills=engine skills="$BIG"
expect_eq "no technician written for it" 0 \
    "$(as fm-li workshop.board | json '.reply.technicians // [] | length')"
expect_eq "the same with a short skill" 0 "$(as fm-li workshop.technician.register \
    tech_id=tech-07 name="Li Wei" level=3 hourly_cost_cents=5000 skills=engine skills=body |
    json '.code // 0')"
expect_eq "the board has it" "tech-07 engine,body" \
    "$(as fm-li workshop.board | json '.reply.technicians[0] | "\(.tech_id) \(.skills | join(","))"')"
expect_eq "500 bytes are fine" 0 "$(as clerk-zhou reception.customer.register customer_id=c-1 \
    name="$(head -c 500 /dev/zero | tr '\0' y)" phone=13800000001 | json '.code // 0')"

LONG=$(head -c 600 /dev/zero | tr '\0' z)
refused "a CRM event with a 600-byte name" invalid \
    "crm.appointment.requested payload: field 'customer_name' is 600 bytes; at most 500" \
    crm crm.ingest type=crm.appointment.requested subject=R-1 \
    payload_json="{\"crm_ref\":\"R-1\",\"customer_name\":\"$LONG\"}"
expect_eq "nothing on the bus for it" 0 "$(ctl status crm | json '.services[0].last_seq')"

log "--- mileage"
VIN=JN1AZ4EH7DM430111
expect_eq "vehicle registered" 0 "$(as clerk-zhou reception.vehicle.register vin=$VIN plate=A1 \
    customer_id=c-1 mileage_km=120000 | json '.code // 0')"
refused "4294967295 km" invalid "mileage 4294967295 km is above 2000000 km" \
    adv-wang reception.vehicle.mileage vin=$VIN mileage_km=4294967295
refused "4294967295 km at registration" invalid "is above 2000000 km" \
    clerk-zhou reception.vehicle.register vin=JN1AZ4EH9DM430112 plate=A2 customer_id=c-1 \
    mileage_km=4294967295
expect_eq "an extra digit typed" 0 \
    "$(as adv-wang reception.vehicle.mileage vin=$VIN mileage_km=1250000 | json '.code // 0')"
refused "the true reading after it" invalid "below the last reading 1250000 km" \
    adv-wang reception.vehicle.mileage vin=$VIN mileage_km=125500
refused "a correction by an advisor" denied "'adv-wang' is not a" \
    adv-wang reception.vehicle.mileage_correct vin=$VIN mileage_km=125000 reason="extra digit"
refused "a correction without a reason" invalid "needs a reason" \
    sm-zhou reception.vehicle.mileage_correct vin=$VIN mileage_km=125000
out=$(as sm-zhou reception.vehicle.mileage_correct vin=$VIN mileage_km=125000 reason="extra digit")
expect_eq "corrected by the service manager" "0 125000" \
    "$(echo "$out" | json '"\(.code // 0) \(.reply.mileage_km)"')"
expect_eq "the history keeps who and why" "sm-zhou extra digit" \
    "$(echo "$out" | json '.reply.history[-1] | "\(.corrected_by) \(.reason)"')"
expect_eq "then a normal reading" 0 \
    "$(as adv-wang reception.vehicle.mileage vin=$VIN mileage_km=125500 | json '.code // 0')"
expect_eq "the correction is an event with the old and new reading, why and who" \
    "1250000 125000 extra digit sm-zhou" \
    "$(ctl tap --since reception@test:1 --count 1 --wait 3000 reception.vehicle.mileage_corrected |
        json '.payload | "\(.old_km) \(.new_km) \(.reason) \(.corrected_by)"')"
expect_eq "the vehicle reads it" 125500 "$(as adv-wang reception.vehicle.show vin=$VIN |
    json .reply.mileage_km)"
finish
