#!/usr/bin/env bash
# labels: warranty fault
# timeout: 120
# QC passes that come before reception's opening of their RO wait in the
# warranty store (qc_waiting) and are applied with the opening. One of them
# damaged on disk is logged and dropped alone: the opening still applies the
# other, whose claim opens, and nothing waits any more.
. "$(dirname "$0")/lib.sh"
setup warranty_waiting

cat >>"$CONFIG" <<INI

[staff]
wc-sun = warranty_clerk

[warranty]
endpoint = ipc://$T/warranty.sock
follows = reception, workshop
heartbeat_ms = 200

[warranty.policy]
basic = 4y 100000km
INI
sed -i 's/^services = .*/services = warranty/' "$CONFIG"

REC=reception@test
WS=workshop@test
declare -A INC=([$REC]=01900000-0000-7000-8000-0000000000a1 [$WS]=01900000-0000-7000-8000-0000000000b2)
declare -A SEQ=([$REC]=0 [$WS]=0)
VIN=LSVAU2180N2183001
emit() { # emit SOURCE TYPE JSON: the source's next event on the bus
    local src=$1
    SEQ[$src]=$((SEQ[$src] + 1))
    "$FRAMES" event-json "ipc://$T/bus-in" "$src" "${INC[$src]}" "${SEQ[$src]}" "$2" "$3" >/dev/null
}
applied_is() {
    [ "$(ctl status warranty | json ".services[0].offsets[] | select(.source==\"$1\") | .applied_seq" 2>/dev/null)" = "$2" ]
}
wait_applied() { wait_for "warranty applied $1 up to ${SEQ[$1]}" applied_is "$1" "${SEQ[$1]}"; }
qc_passed() { # qc_passed JOB_NO: RO-A's QC pass of one warranty job
    emit $WS workshop.qc.passed "{\"ro_number\":\"RO-A\",\"vin\":\"$VIN\",\"mileage_km\":20000,
        \"inspector\":\"qc-zhao\",\"date\":\"2026-11-26\",\"jobs\":[{\"job_no\":$1,
        \"technician\":\"tech-07\",\"pay_type\":\"WARRANTY\",\"labour\":{\"code\":\"BR-$1\",
        \"sold_minutes\":60,\"rate_cents\":12000},\"sold_minutes\":60,\"actual_minutes\":60}]}"
}
claim_of() { AS_ACTOR=wc-sun ctl call warranty.claim.show claim_id="$1" | json '"\(.code // "ok") \(.reply.status // .error)"'; }
waiting() { mdb_dump -s qc_waiting "$T/data/warranty" | sed -n '/^HEADER=END/,/^DATA=END/p' | grep -c '^ '; }

start_bus bus
start_service warranty
emit $REC reception.vehicle.registered "{\"vin\":\"$VIN\",\"sale_date\":\"2026-01-10\"}"
wait_applied $REC
qc_passed 1
qc_passed 2
wait_applied $WS
stop warranty
expect_eq "two QC passes wait for the opening (key and value each)" 4 "$(waiting)"

# damage the first waiting pass: its value becomes one byte no message starts with
mdb_dump -s qc_waiting "$T/data/warranty" |
    awk '/^HEADER=END/ {data = 1; print; next} data && /^ / && ++n == 2 {print " ff"; next} {print}' |
    mdb_load -s qc_waiting "$T/data/warranty"

start_service warranty
emit $REC reception.ro.opened "{\"ro\":{\"ro_number\":\"RO-A\",\"vin\":\"$VIN\"},\"date\":\"2026-11-25\"}"
wait_applied $REC
expect_eq "the damaged pass opened no claim" "not-found claim 'RO-A-1' does not exist" "$(claim_of RO-A-1)"
expect_eq "the other pass opened its claim" "ok READY" "$(claim_of RO-A-2)"
grep -q "a waiting QC pass of RO 'RO-A' does not decode: dropped" "$T/warranty.log" ||
    fail "the dropped pass is not in the log"
stop warranty
expect_eq "nothing waits any more" 0 "$(waiting)"
finish
