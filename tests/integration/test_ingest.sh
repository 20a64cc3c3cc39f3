#!/usr/bin/env bash
# labels: ingest reception fault
# timeout: 300
# The ingest gateway: `as-ingest --name crm` takes the CRM's events as the
# command crm.ingest and acknowledges each only after it is committed; the
# reception daemon follows crm and puts appointment requests in the
# information clerk's queue. Checks: a request lands in the queue; the ack
# names crm@test and the seq; a retried request id gets the same ack and the
# bus carries the event once; every bad input gets its own error and emits
# nothing; the same crm_ref twice is one request; a wrong VIN check digit is
# kept and flagged; a withdrawn request leaves the queue; reception down while
# 3 requests come gets exactly those 3 after it restarts; an event acked just
# before the gateway is killed with SIGKILL is still delivered.
. "$(dirname "$0")/lib.sh"
setup ingest

sed -i 's/^services = .*/services = crm, reception/' "$CONFIG"
cat >>"$CONFIG" <<INI

[crm]
endpoint = ipc://$T/crm.sock
heartbeat_ms = 200

[reception]
endpoint = ipc://$T/reception.sock
follows = crm
heartbeat_ms = 200

[staff]
crm = system
it-guo = it_admin
clerk-zhou = info_clerk
adv-wang = advisor limit=1000
INI

start_ingest() {
    "$AS_BUILD/services/ingest/as-ingest" --name crm --config "$CONFIG" >>"$T/crm.log" 2>&1 &
    PIDS[crm]=$!
    wait_for "crm answers status" ctl_ok status crm
}

VIN=JN1AZ4EH7DM430111
BAD_VIN=JN1AZ4EH8DM430111
DAY=$(date -d tomorrow +%F)

# ingest WHO REQUEST_ID ARGS...: crm.ingest as WHO; prints the JSON answer
ingest() {
    local who=$1 id=$2
    shift 2
    ctl --actor "$who" call --request-id "$id" crm.ingest "$@" || true
}
# request REQUEST_ID CRM_REF VIN [TIME]: an appointment request as JSON
request() {
    ingest crm "$1" type=crm.appointment.requested subject="$2" payload_json="{\"crm_ref\":\"$2\",
        \"customer_name\":\"Li Wei\",\"phone\":\"13800000001\",\"vin\":\"$3\",\"plate\":\"A12345\",
        \"preferred_date\":\"$DAY\",\"preferred_slot\":\"${4:-09:30}\",\"concern\":\"brake noise\"}"
}
crm_last_seq() { ctl status crm | json '.services[0].last_seq'; }
applied_of_crm() {
    ctl status reception | json '.services[0].offsets[] | select(.source=="crm@test") | .applied_seq'
}
reception_caught_up() { [ "$(applied_of_crm)" = "$(crm_last_seq)" ]; }
requests() { ctl --actor clerk-zhou call reception.appointment.queue requested=true | json "$1"; }
appointment() { # ID FIELD: from the day's queue, or the open requests of no date
    { ctl --actor clerk-zhou call reception.appointment.queue date="$DAY" &&
        ctl --actor clerk-zhou call reception.appointment.queue requested=true; } |
        jq -rs "[.[].reply.appointments[]? | select(.appointment_id==\"$1\")][0] | $2"
}
in_queue() { [ "$(requests "[.reply.appointments[]? | select(.appointment_id==\"$1\")] | length")" = 1 ]; }
# events on the bus of crm@test from seq $1 on (matching the prefix $2)
bus_events() { ctl tap --since "crm@test:$1" --wait 1500 "${2:-crm.}" | grep -c '"type"' || true; }

# refused WHAT CODE TEXT ARGS...: crm.ingest answers CODE and an error with TEXT
refused() {
    local what=$1 code=$2 text=$3
    shift 3
    local out error
    out=$("$@")
    expect_eq "$what: refused" "$code" "$(echo "$out" | json .code)"
    error=$(echo "$out" | json .error)
    case "$error" in
    *"$text"*) log "ok: $what: \"$error\"" ;;
    *) fail "$what: error \"$error\" does not say \"$text\"" ;;
    esac
}

start_bus bus
start_ingest
start_service reception
ctl --actor clerk-zhou call reception.customer.register customer_id=c-1 name="Li Wei" \
    phone=13800000001 >/dev/null
ctl --actor clerk-zhou call reception.vehicle.register vin=$VIN plate=A12345 customer_id=c-1 \
    >/dev/null

log "--- a request lands in the clerk's queue; the ack says where it is"
ack=$(request req-1 R-1 $VIN)
expect_eq "ack source" crm@test "$(echo "$ack" | json .reply.source)"
expect_eq "ack seq" 1 "$(echo "$ack" | json .reply.seq)"
event_id=$(echo "$ack" | json .reply.event_id)
expect_eq "ack event id is a uuid" 36 "${#event_id}"
wait_for "the request is in the clerk's queue" in_queue crm-R-1
expect_eq "requested" REQUESTED "$(appointment crm-R-1 .status)"
expect_eq "channel" crm "$(appointment crm-R-1 .channel)"
expect_eq "customer from the registered vehicle" c-1 "$(appointment crm-R-1 .customer_id)"
expect_eq "slot from the preferred date and time" "${DAY}T09:30" "$(appointment crm-R-1 .slot)"
expect_eq "no flags" 0 "$(appointment crm-R-1 '.flags | length')"

log "--- a retry with the same request id: the same ack, the event once"
again=$(request req-1 R-1 $VIN)
expect_eq "retry: replayed" true "$(echo "$again" | json .replayed)"
expect_eq "retry: same seq" 1 "$(echo "$again" | json .reply.seq)"
expect_eq "retry: same event id" "$event_id" "$(echo "$again" | json .reply.event_id)"
expect_eq "crm's last seq" 1 "$(crm_last_seq)"
expect_eq "the bus carries the event once" 1 "$(bus_events 1)"

log "--- bad input: each its own error, nothing emitted"
refused "wrong prefix" invalid "type 'reception.appointment.booked' does not start with 'crm.'" \
    ingest crm bad-1 type=reception.appointment.booked subject=R-9 payload_json='{}'
refused "two words" invalid "is not '<domain>.<entity>.<verb>'" \
    ingest crm bad-2 type=crm.appointment subject=R-9 payload_json='{}'
refused "unknown type" unknown "event type 'crm.appointment.moved' is not in the catalog" \
    ingest crm bad-3 type=crm.appointment.moved subject=R-9 payload_json='{}'
refused "payload that does not decode" bad-frame \
    "payload does not decode as CrmAppointmentRequested" \
    ingest crm bad-4 type=crm.appointment.requested subject=R-9 payload=/////w==
refused "json with an unknown field" invalid "unknown field 'colour' in CrmAppointmentRequested" \
    ingest crm bad-5 type=crm.appointment.requested subject=R-9 \
    payload_json='{"crm_ref":"R-9","colour":"red"}'
refused "json that is not json" invalid "payload_json is not JSON: it ends too early (line 1, column" \
    ingest crm bad-6 type=crm.appointment.requested subject=R-9 payload_json='{"crm_ref":'
refused "json with a key twice" invalid "payload_json is not JSON we take: a key given twice (line 1," \
    ingest crm bad-6b type=crm.appointment.requested subject=R-9 \
    payload_json='{"crm_ref":"R-9","crm_ref":"R-9"}'
refused "missing type" invalid "type is required" \
    ingest crm bad-7 subject=R-9 payload_json='{"crm_ref":"R-9"}'
refused "missing subject" invalid "subject is required" \
    ingest crm bad-8 type=crm.appointment.requested payload_json='{"crm_ref":"R-9"}'
refused "missing payload" invalid "needs payload (a packed CrmAppointmentRequested) or payload_json" \
    ingest crm bad-9 type=crm.appointment.requested subject=R-9
refused "payload and json" invalid "give payload or payload_json, not both" \
    ingest crm bad-10 type=crm.appointment.requested subject=R-9 payload=CgFY \
    payload_json='{"crm_ref":"R-9"}'
big="{\"concern\":\"$(head -c 70000 /dev/zero | tr '\0' x)\"}"
refused "payload too big" too-big "payload_json of ${#big} bytes exceeds the 65536-byte limit" \
    ingest crm bad-11 type=crm.appointment.requested subject=R-9 payload_json="$big"
refused "a person without the role" denied "crm.ingest: 'clerk-zhou' is not a system or it_admin" \
    ingest clerk-zhou bad-12 type=crm.appointment.requested subject=R-9 \
    payload_json='{"crm_ref":"R-9"}'
refused "someone not on the staff list" denied "'nobody' is not on the staff list" \
    ingest nobody bad-13 type=crm.appointment.requested subject=R-9 payload_json='{"crm_ref":"R-9"}'
expect_eq "nothing emitted by bad input" 1 "$(crm_last_seq)"
expect_eq "the bus still carries one event" 1 "$(bus_events 1)"

log "--- the same crm_ref twice is one request; a wrong check digit is kept and flagged"
# the CRM sends R-1 again under a new request id: a second event, one request
expect_eq "R-1 again: seq" 2 "$(request req-1b R-1 $VIN 10:00 | json .reply.seq)"
# an it_admin may feed an event by hand, here as a packed CrmAppointmentRequested
# (1 crm_ref "R-2", 2 customer_name "Zhang Wei", 4 vin), base64 as pbjson takes bytes
packed=$(printf '\x0a\x03R-2\x12\x09Zhang Wei\x22\x11%s' $VIN | base64 -w0)
out=$(ingest it-guo req-2 type=crm.appointment.requested subject=R-2 payload="$packed")
expect_eq "packed payload by an it_admin: seq" 3 "$(echo "$out" | json .reply.seq)"
request req-3 R-3 $BAD_VIN >/dev/null
wait_for "reception applied the requests" reception_caught_up
expect_eq "R-1 kept its first slot" "${DAY}T09:30" "$(appointment crm-R-1 .slot)"
expect_eq "one reception.appointment.requested for R-1" 1 \
    "$(ctl tap --since reception@test:1 --wait 1500 reception.appointment.requested |
        grep -c '"subject":"crm-R-1"' || true)"
expect_eq "R-3 kept" REQUESTED "$(appointment crm-R-3 .status)"
flag=$(appointment crm-R-3 '.flags[0]')
case $flag in
*"vin '$BAD_VIN' has a wrong check digit: '8', expected '7'"*) log "ok: R-3 flagged: $flag" ;;
*) fail "R-3 not flagged for its check digit: '$flag'" ;;
esac
expect_eq "R-3's flag kept as its format and arguments too (a page words it)" \
    '{"format":"vin '"'%s'"' has a wrong check digit: '"'%c'"', expected '"'%c'"': check it with the customer","args":["'"$BAD_VIN"'","8","7"]}' \
    "$(appointment crm-R-3 '.flag_texts[0]' | jq -c .)"
expect_eq "as many kept formats as flags" "$(appointment crm-R-3 '.flags | length')" \
    "$(appointment crm-R-3 '.flag_texts | length')"
expect_eq "R-3 has no customer yet" "" "$(appointment crm-R-3 '.customer_id // ""')"
expect_eq "R-2 (packed payload) is in the queue" "Zhang Wei" "$(appointment crm-R-2 .customer_name)"
expect_eq "R-2 is flagged for its missing date" "no preferred date: agree a slot with the customer" \
    "$(appointment crm-R-2 '.flags[0]')"
expect_eq "R-2's flags as formats" '["no preferred date: agree a slot with the customer","no concern given: ask what the visit is for","no phone number to call back"]' \
    "$(appointment crm-R-2 '[.flag_texts[].format]' | jq -c .)"
clerk() { ctl --actor clerk-zhou call "$@" || true; }
refused "booking R-3 as sent" invalid "has a wrong check digit" \
    clerk reception.appointment.confirm appointment_id=crm-R-3
out=$(clerk reception.appointment.confirm appointment_id=crm-R-3 vin=$VIN slot="${DAY}T11:00")
expect_eq "R-3 booked with the corrected vin" CONFIRMED "$(echo "$out" | json .reply.status)"
expect_eq "R-3's customer from the vehicle" c-1 "$(echo "$out" | json .reply.customer_id)"
expect_eq "R-3 booked by the clerk" clerk-zhou "$(echo "$out" | json .reply.booked_by)"

log "--- a withdrawn request leaves the queue"
expect_eq "R-1 in the queue before" 1 \
    "$(requests '[.reply.appointments[] | select(.appointment_id=="crm-R-1")] | length')"
ingest crm req-4 type=crm.appointment.withdrawn subject=R-1 \
    payload_json='{"crm_ref":"R-1","reason":"fixed it myself"}' >/dev/null
gone() { ! in_queue crm-R-1; }
wait_for "R-1 left the queue" gone
expect_eq "R-1 cancelled" CANCELLED "$(appointment crm-R-1 .status)"
expect_eq "R-1's reason" "withdrawn in the crm: fixed it myself" \
    "$(appointment crm-R-1 .cancel_reason)"

log "--- reception down while 3 requests come: all 3 after it restarts"
before=$(requests '.reply.appointments | length')
stop reception
for i in 1 2 3; do request "down-$i" "D-$i" $VIN "1$i:00" >/dev/null; done
start_service reception
wait_for "reception caught up with crm" reception_caught_up
expect_eq "exactly the 3 new requests" $((before + 3)) "$(requests '.reply.appointments | length')"
expect_eq "the 3 are D-1..D-3" "crm-D-1 crm-D-2 crm-D-3" \
    "$(requests '[.reply.appointments[].appointment_id | select(startswith("crm-D-"))] | join(" ")')"

log "--- the gateway killed with SIGKILL right after acking: the event is still delivered"
stop reception
ack=$(request kill-1 K-1 $VIN 15:00)
kill9 crm
seq=$(echo "$ack" | json .reply.seq)
expect_eq "acked before the kill" crm@test "$(echo "$ack" | json .reply.source)"
start_ingest
expect_eq "the acked event is in crm's store" "$seq" "$(crm_last_seq)"
start_service reception
wait_for "reception caught up after the kill" reception_caught_up
wait_for "K-1 is in the clerk's queue" in_queue crm-K-1
expect_eq "the acked event id is on the bus" "$(echo "$ack" | json .reply.event_id)" \
    "$(ctl tap --since "crm@test:$seq" --count 1 crm. | json .id)"
finish
