#!/usr/bin/env bash
# labels: warranty
# timeout: 300
# The warranty daemon as the clerk uses it, with asoem as the OEM: vehicles
# registered and repair orders passing QC (published here with astest_frames
# as fake reception and workshop sources) open claims checked against the
# policy; a claim accepted first time and paid; claims rejected as out of
# coverage (time, mileage, component group); one rejected by the OEM, corrected
# and accepted on the second submission; one escalated, approved and paid;
# replaced parts tagged, boxed, shipped and confirmed; a recurring defect and a
# safety defect; bad input for every command, each a clear error with nothing
# written; one rejected by the OEM with no reason, kept as none.
. "$(dirname "$0")/lib.sh"
setup warranty

cat >>"$CONFIG" <<INI

[staff]
wc-sun = warranty_clerk
sm-zhou = service_manager
adv-wang = advisor limit=5000
tech-07 = technician

[warranty]
endpoint = ipc://$T/warranty.sock
follows = reception, workshop, oem
heartbeat_ms = 200
clerk_limit_cents = 50000
labour_tolerance_percent = 30
return_days = 30
recurring_count = 3
recurring_days = 30
rrr_warn_days = 10
rrr_warn_repeats = 3

[warranty.policy]
basic = 4y 100000km
powertrain = 6y 150000km

[warranty.groups]
EN = powertrain
TR = powertrain

[oem]
endpoint = ipc://$T/oem.sock
follows = warranty
heartbeat_ms = 200
reject_defect_codes = D-BAD, D-WORSE
unexplained_defect_codes = D-MUM

[kpi]
endpoint = ipc://$T/kpi.sock
follows = warranty
heartbeat_ms = 200
INI
sed -i 's/^services = .*/services = warranty, oem, kpi/' "$CONFIG"
ASOEM="$AS_BUILD/tools/asoem/asoem"

REC=reception@test
WS=workshop@test
declare -A INC=([$REC]=01900000-0000-7000-8000-0000000000a1 [$WS]=01900000-0000-7000-8000-0000000000b2)
declare -A SEQ=([$REC]=0 [$WS]=0)
DAY=2026-11-26

# emit SOURCE TYPE JSON: the source's next event on the bus
emit() {
    local src=$1
    SEQ[$src]=$((SEQ[$src] + 1))
    "$FRAMES" event-json "ipc://$T/bus-in" "$src" "${INC[$src]}" "${SEQ[$src]}" "$2" "$3" >/dev/null
}
applied_of() {
    ctl status warranty | json ".services[0].offsets[] | select(.source==\"$1\") | .applied_seq"
}
applied_is() { [ "$(applied_of "$1" 2>/dev/null)" = "$2" ]; }
wait_applied() { wait_for "warranty applied $1 up to ${SEQ[$1]}" applied_is "$1" "${SEQ[$1]}"; }

wc() { AS_ACTOR=wc-sun ctl call "$@"; }
sm() { AS_ACTOR=sm-zhou ctl call "$@"; }
claim() { wc warranty.claim.show claim_id="$1" | json ".reply.$2"; }
status_is() { [ "$(claim "$1" status 2>/dev/null)" = "$2" ]; }
wait_status() { wait_for "claim $1 is $2" status_is "$1" "$2"; }
events() { ctl tap --since warranty@test:1 --wait 1500 warranty.; }
event_count() { events | jq -s length; }

vehicle() { # vehicle VIN SALE_DATE
    emit $REC reception.vehicle.registered "{\"vin\":\"$1\",\"sale_date\":\"$2\",\"mileage_km\":1000}"
}
# job NO PAY LABOUR SOLD ACTUAL DEFECT PART [SAFETY]
job() {
    echo "{\"job_no\":$1,\"technician\":\"tech-07\",\"pay_type\":\"$2\",
      \"labour\":{\"code\":\"$3\",\"sold_minutes\":$4,\"rate_cents\":12000},
      \"sold_minutes\":$4,\"actual_minutes\":$5,\"defect_code\":\"$6\",\"causal_part\":\"$7\",
      \"safety_related\":${8:-false},\"concern\":\"noise\"}"
}
qc() { # qc RO VIN MILEAGE JOB_JSON...: reception opens the RO (as it always does
    # before workshop can work on it; an RO opened already stays as it was), QC passes
    local ro=$1 vin=$2 km=$3
    shift 3
    local jobs
    jobs=$(printf '%s,' "$@")
    emit $REC reception.ro.opened "{\"ro\":{\"ro_number\":\"$ro\",\"vin\":\"$vin\"},\"date\":\"$DAY\"}"
    emit $WS workshop.qc.passed "{\"ro_number\":\"$ro\",\"vin\":\"$vin\",\"mileage_km\":$km,
        \"first_time\":true,\"inspector\":\"qc-zhao\",\"date\":\"$DAY\",\"jobs\":[${jobs%,}]}"
}

start_bus bus
start_service warranty
start_service kpi
"$ASOEM" --config "$CONFIG" >>"$T/oem.log" 2>&1 &
PIDS[oem]=$!
wait_for "oem answers status" ctl_ok status oem

log "--- vehicles and repair orders through QC"
V1=LSVAA0000000000V1 V2=LSVAA0000000000V2 V3=LSVAA0000000000V3 V4=LSVAA0000000000V4
V5=LSVAA0000000000V5
vehicle $V1 2024-05-10
vehicle $V2 2019-03-02
vehicle $V3 2025-01-15
vehicle $V4 2025-06-01
vehicle $V5 2021-06-01
wait_applied $REC
qc RO-1 $V1 30000 "$(job 1 WARRANTY BR-101 60 70 D-01 PAD-01)" \
    "$(job 2 CUSTOMER_PAY MT-001 30 30 "" "")"
qc RO-2 $V2 80000 "$(job 1 WARRANTY BR-101 60 60 D-02 PAD-01)"
qc RO-3 $V3 20000 "$(job 1 WARRANTY BR-101 60 55 D-BAD PAD-01)"
qc RO-4 $V4 10000 "$(job 1 WARRANTY EN-200 300 500 D-07 ENG-MOUNT true)" \
    "$(job 2 WARRANTY BR-101 60 60 D-01 PAD-01)"
qc RO-5 $V5 120000 "$(job 1 WARRANTY EN-300 60 60 D-08 PISTON-1)" \
    "$(job 2 WARRANTY BR-200 60 60 D-09 DISC-1)"
qc RO-6 $V1 160000 "$(job 1 WARRANTY EN-400 60 60 D-10 VALVE-1)"
qc RO-7 LSVAA00000UNKNOWN 5000 "$(job 1 WARRANTY BR-101 60 60 D-01 PAD-01)"
wait_applied $WS

expect_eq "claims opened (warranty jobs only)" "RO-1-1 RO-2-1 RO-3-1 RO-4-1 RO-4-2 RO-5-1 RO-5-2 RO-6-1 RO-7-1" \
    "$(wc warranty.claim.list | json '[.reply.claims[].claim_id] | join(" ")')"
wc warranty.claim.show claim_id=RO-1-1 >"$T/c1.json"
expect_eq "RO-1-1 carries the job" \
    "READY $V1 30000 BR-101 PAD-01 D-01 60 70 12000 basic 2024-05-10 2026-11-26 tech-07" \
    "$(json '.reply | "\(.status) \(.vin) \(.mileage_km) \(.labour_code) \(.causal_part) \(.defect_code) \(.sold_minutes) \(.actual_minutes) \(.amount_cents) \(.group) \(.sale_date) \(.repair_date) \(.technician)"' <"$T/c1.json")"
expect_eq "RO-2-1 rejected: too old" "REJECTED|vehicle sold 2019-03-02 is past the 4-year basic warranty on 2026-11-26" \
    "$(wc warranty.claim.show claim_id=RO-2-1 | json '.reply | "\(.status)|\(.reason)"')"
expect_eq "RO-5-1 powertrain still covered at 5 years" "READY powertrain" \
    "$(wc warranty.claim.show claim_id=RO-5-1 | json '.reply | "\(.status) \(.group)"')"
expect_eq "RO-5-2 basic is not" "REJECTED|vehicle sold 2021-06-01 is past the 4-year basic warranty on 2026-11-26" \
    "$(wc warranty.claim.show claim_id=RO-5-2 | json '.reply | "\(.status)|\(.reason)"')"
expect_eq "RO-6-1 rejected: mileage" "REJECTED|mileage 160000 km is past the 150000 km powertrain warranty" \
    "$(wc warranty.claim.show claim_id=RO-6-1 | json '.reply | "\(.status)|\(.reason)"')"
expect_eq "RO-7-1 rejected: vehicle unknown" "REJECTED|vehicle LSVAA00000UNKNOWN has no sale date on record at reception" \
    "$(wc warranty.claim.show claim_id=RO-7-1 | json '.reply | "\(.status)|\(.reason)"')"
wc warranty.claim.show claim_id=RO-4-1 >"$T/c4.json"
expect_eq "RO-4-1 escalated (600.00 > 500.00)" "ESCALATED 60000" \
    "$(json '.reply | "\(.status) \(.amount_cents)"' <"$T/c4.json")"
expect_eq "RO-4-1 escalation reason" "amount 600.00 is above the clerk's limit 500.00: the service manager approves it first" \
    "$(json .reply.reason <"$T/c4.json")"
expect_eq "RO-4-1 labour flagged for the clerk" \
    "labour 500 min is far beyond the standard 300 min of operation EN-200 (tolerance 30%)" \
    "$(json '.reply.flags[0]' <"$T/c4.json")"
expect_eq "RO-1-1 within tolerance: no flag" "0" "$(json '.reply.flags | length' <"$T/c1.json")"
# the reasons and flags kept as a code and its arguments too, so a page words them
coded() { wc warranty.claim.show claim_id="$1" | jq -c '.reply | [.reason_code, .reason_args]'; }
expect_eq "RO-2-1's reason as a code" '["too_old",["2019-03-02","4","basic","2026-11-26"]]' "$(coded RO-2-1)"
expect_eq "RO-6-1's reason as a code" '["too_far",["160000","150000","powertrain"]]' "$(coded RO-6-1)"
expect_eq "RO-7-1's reason as a code" '["no_sale_date",["LSVAA00000UNKNOWN"]]' "$(coded RO-7-1)"
expect_eq "RO-4-1's reason as a code" '["above_clerk_limit",["600.00","500.00"]]' \
    "$(jq -c '.reply | [.reason_code, .reason_args]' <"$T/c4.json")"
expect_eq "RO-4-1's flag as a code" '[{"code":"labour_beyond_standard","args":["500","300","EN-200","30"]}]' \
    "$(jq -c '.reply.flag_wordings' <"$T/c4.json")"
expect_eq "RO-1-1 ready: no reason, no code" '[null,null,null]' \
    "$(jq -c '.reply | [.reason, .reason_code, .reason_args]' <"$T/c1.json")"
expect_eq "flagged claims" "RO-4-1" \
    "$(wc warranty.claim.list flagged=true | json '[.reply.claims[].claim_id] | join(" ")')"
expect_eq "rejected claims" "RO-2-1 RO-5-2 RO-6-1 RO-7-1" \
    "$(wc warranty.claim.list status=REJECTED | json '[.reply.claims[].claim_id] | join(" ")')"
wc warranty.claim.list status=LOST >"$T/lost.json" || true
expect_eq "an unknown status is refused before it is sent" "false" "$(json .ok <"$T/lost.json")"
json .error <"$T/lost.json" | grep -qF "field 'status' expects one of" ||
    fail "unknown status: error '$(json .error <"$T/lost.json")'"

log "--- the same QC again opens nothing new"
qc RO-1 $V1 30000 "$(job 1 WARRANTY BR-101 60 70 D-01 PAD-01)"
wait_applied $WS
expect_eq "still 9 claims" 9 "$(wc warranty.claim.list | json '.reply.claims | length')"

log "--- accepted first time and paid"
expect_eq "RO-1-1 submitted" "SUBMITTED 1 wc-sun" \
    "$(wc warranty.claim.submit claim_id=RO-1-1 | json '.reply | "\(.status) \(.submissions) \(.submitted_by)"')"
wait_status RO-1-1 PAID
expect_eq "RO-1-1 paid what the OEM accepted" "PAID 12000 12000" \
    "$(wc warranty.claim.show claim_id=RO-1-1 | json '.reply | "\(.status) \(.oem_amount_cents) \(.paid_cents)"')"

log "--- rejected by the OEM, corrected, resubmitted"
wc warranty.claim.submit claim_id=RO-3-1 >/dev/null
wait_status RO-3-1 REJECTED_BY_OEM
expect_eq "RO-3-1 debit reason" "defect code D-BAD not covered" "$(claim RO-3-1 debit_reason)"
refused wc-sun conflict "claim 'RO-3-1' was rejected by the oem (defect code D-BAD not covered): correct it first" \
    warranty.claim.submit claim_id=RO-3-1
worded wc-sun "claim '%s' was rejected by the oem (%s): correct it first" \
    '["RO-3-1","defect code D-BAD not covered"]' warranty.claim.submit claim_id=RO-3-1
wc warranty.claim.correct claim_id=RO-3-1 defect_code=D-03 >"$T/corr.json"
expect_eq "corrected claim ready again" "READY D-03 defect_code D-BAD -> D-03" \
    "$(json '.reply | "\(.status) \(.defect_code) \(.corrections[0])"' <"$T/corr.json")"
wc warranty.claim.submit claim_id=RO-3-1 >/dev/null
wait_status RO-3-1 PAID
expect_eq "RO-3-1 accepted on the second submission" "2 12000" \
    "$(wc warranty.claim.show claim_id=RO-3-1 | json '.reply | "\(.submissions) \(.paid_cents)"')"
expect_eq "the OEM saw two submissions" "2 true" \
    "$(wc oem.claim.list claim_id=RO-3-1 | json '.reply.claims[0] | "\(.submissions) \(.accepted)"')"

log "--- escalated: the service manager approves first"
refused wc-sun conflict "claim 'RO-4-1' is escalated and not approved: the service manager approves it first" \
    warranty.claim.submit claim_id=RO-4-1
refused wc-sun denied "" warranty.claim.approve claim_id=RO-4-1
expect_eq "RO-4-1 approved" "READY sm-zhou 60000" \
    "$(sm warranty.claim.approve claim_id=RO-4-1 | json '.reply | "\(.status) \(.approved_by) \(.approved_cents)"')"
wc warranty.claim.submit claim_id=RO-4-1 >/dev/null
wait_status RO-4-1 PAID

log "--- bad input for every claim command: a clear error, nothing written"
before=$(event_count)
refused wc-sun not-found "claim 'RO-9-1' does not exist" warranty.claim.show claim_id=RO-9-1
refused wc-sun invalid "claim_id is required" warranty.claim.show
refused adv-wang denied "" warranty.claim.show claim_id=RO-1-1
refused adv-wang denied "" warranty.claim.list
refused wc-sun not-found "claim 'RO-9-1' does not exist" warranty.claim.submit claim_id=RO-9-1
refused wc-sun invalid "claim_id 'RO 1' is not a valid id" warranty.claim.submit claim_id="RO 1"
refused sm-zhou denied "" warranty.claim.submit claim_id=RO-5-1
refused wc-sun conflict "claim 'RO-2-1' was rejected: vehicle sold 2019-03-02" \
    warranty.claim.submit claim_id=RO-2-1
worded wc-sun "claim '%s' was rejected: vehicle sold %s is past the %u-year %s warranty on %s" \
    '["RO-2-1","2019-03-02","4","basic","2026-11-26"]' warranty.claim.submit claim_id=RO-2-1
refused wc-sun conflict "claim 'RO-1-1' is PAID: it was submitted already" \
    warranty.claim.submit claim_id=RO-1-1
refused sm-zhou conflict "claim 'RO-5-1' is READY, not escalated" \
    warranty.claim.approve claim_id=RO-5-1
refused sm-zhou not-found "claim 'RO-9-1' does not exist" warranty.claim.approve claim_id=RO-9-1
refused wc-sun conflict "claim 'RO-5-1' is READY: only a rejected claim is corrected" \
    warranty.claim.correct claim_id=RO-5-1 defect_code=D-11
refused wc-sun invalid "nothing to correct" warranty.claim.correct claim_id=RO-2-1
refused wc-sun invalid "defect_code 'bad code' is not a valid code" \
    warranty.claim.correct claim_id=RO-2-1 defect_code="bad code"
refused wc-sun invalid "sold_minutes 0 is out of range" \
    warranty.claim.correct claim_id=RO-2-1 sold_minutes=0
refused wc-sun conflict "claim 'RO-2-1' is still out of coverage: vehicle sold 2019-03-02" \
    warranty.claim.correct claim_id=RO-2-1 defect_code=D-11
worded wc-sun "claim '%s' is still out of coverage: vehicle sold %s is past the %u-year %s warranty on %s" \
    '["RO-2-1","2019-03-02","4","basic","2026-11-26"]' warranty.claim.correct claim_id=RO-2-1 defect_code=D-11
refused sm-zhou denied "" warranty.claim.correct claim_id=RO-2-1 defect_code=D-11
refused wc-sun not-found "claim 'RO-9-1' does not exist" warranty.claim.correct claim_id=RO-9-1 defect_code=D-11
expect_eq "RO-2-1 unchanged" "REJECTED D-02 0" \
    "$(wc warranty.claim.show claim_id=RO-2-1 | json '.reply | "\(.status) \(.defect_code) \(.corrections | length)"')"
expect_eq "RO-5-1 unchanged" "READY 0" \
    "$(wc warranty.claim.show claim_id=RO-5-1 | json '.reply | "\(.status) \(.submissions)"')"
expect_eq "no event from refused commands" "$before" "$(event_count)"

log "--- replaced parts: tag, box, ship, confirm"
wc warranty.part.tag claim_id=RO-1-1 tag=T-001 >"$T/t1.json"
expect_eq "T-001 tagged apart from stock" "PAD-01 RO-1-1 TAGGED warranty store wc-sun" \
    "$(json '.reply | "\(.part_number) \(.claim_id) \(.custody) \(.location) \(.tagged_by)"' <"$T/t1.json")"
wc warranty.part.tag claim_id=RO-3-1 tag=T-002 location=shelf-W2 >/dev/null
wc warranty.part.tag claim_id=RO-4-1 tag=T-003 >/dev/null
wc warranty.part.owed as_of=2099-01-01 >"$T/owed0.json"
expect_eq "owed: tagged and untagged parts" "RO-1-1 TAGGED true|RO-3-1 TAGGED true|RO-4-1 TAGGED true|RO-4-2 UNTAGGED true|RO-5-1 UNTAGGED true" \
    "$(json '[.reply.parts[] | "\(.claim_id) \(.custody) \(.overdue)"] | join("|")' <"$T/owed0.json")"
expect_eq "none overdue today" 0 "$(wc warranty.part.owed | json .reply.overdue)"
before=$(event_count)
refused wc-sun not-found "claim 'RO-9-1' does not exist" warranty.part.tag claim_id=RO-9-1 tag=T-009
refused wc-sun conflict "claim 'RO-2-1' was rejected: no part is owed for it" \
    warranty.part.tag claim_id=RO-2-1 tag=T-009
refused wc-sun conflict "claim 'RO-1-1' has its part tagged already as 'T-001'" \
    warranty.part.tag claim_id=RO-1-1 tag=T-009
refused wc-sun conflict "tag 'T-001' is in use already (claim 'RO-1-1')" \
    warranty.part.tag claim_id=RO-5-1 tag=T-001
refused wc-sun invalid "tag is required" warranty.part.tag claim_id=RO-5-1
refused wc-sun invalid "tag 'T 9' is not a valid id" warranty.part.tag claim_id=RO-5-1 tag="T 9"
refused adv-wang denied "" warranty.part.tag claim_id=RO-5-1 tag=T-009
wc warranty.part.box box_id=B-1 tags=T-001 tags=T-002 >"$T/b1.json"
expect_eq "box B-1" "T-001 T-002" "$(json '.reply.tags | join(" ")' <"$T/b1.json")"
wc warranty.part.box box_id=B-2 tags=T-003 >/dev/null
refused wc-sun not-found "tag 'T-404' does not exist" warranty.part.box box_id=B-3 tags=T-404
refused wc-sun conflict "tag 'T-001' is BOXED already (box 'B-1')" \
    warranty.part.box box_id=B-3 tags=T-001
refused wc-sun invalid "no tags given" warranty.part.box box_id=B-3
refused wc-sun invalid "tag 'T-003' is given twice" warranty.part.box box_id=B-3 tags=T-003 tags=T-003
refused wc-sun invalid "box_id is required" warranty.part.box tags=T-003
refused sm-zhou denied "" warranty.part.box box_id=B-3 tags=T-003
refused wc-sun not-found "box 'B-3' does not exist" warranty.shipment.ship shipment_id=S-1 boxes=B-3
refused wc-sun not-found "box 'B-3' does not exist" warranty.shipment.ship shipment_id=S-1 \
    boxes=B-1 boxes=B-3
refused wc-sun invalid "no boxes given" warranty.shipment.ship shipment_id=S-1
worded wc-sun "no boxes given" '[]' warranty.shipment.ship shipment_id=S-1
refused adv-wang denied "" warranty.shipment.ship shipment_id=S-1 boxes=B-1
expect_eq "a refused shipment leaves B-1's parts boxed" "BOXED" \
    "$(wc warranty.part.owed | json '.reply.parts[] | select(.tag=="T-001") | .custody')"
expect_eq "the boxes of the boxed parts" "T-001 B-1|T-002 B-1|T-003 B-2" \
    "$(wc warranty.part.owed | json '[.reply.parts[] | select(.tag) | "\(.tag) \(.box_id)"] | join("|")')"
wc warranty.shipment.ship shipment_id=S-1 boxes=B-1 boxes=B-2 carrier=DHL >"$T/s1.json"
expect_eq "packing list" "B-1 T-001 PAD-01 RO-1-1|B-1 T-002 PAD-01 RO-3-1|B-2 T-003 ENG-MOUNT RO-4-1" \
    "$(json '[.reply.packing_list[] | "\(.box_id) \(.tag) \(.part_number) \(.claim_id)"] | join("|")' <"$T/s1.json")"
refused wc-sun conflict "shipment 'S-1' exists already" warranty.shipment.ship shipment_id=S-1 boxes=B-1
refused wc-sun conflict "box 'B-1' was shipped already (shipment 'S-1')" \
    warranty.shipment.ship shipment_id=S-2 boxes=B-1
refused wc-sun conflict "box 'B-1' was shipped already (shipment 'S-1')" \
    warranty.part.box box_id=B-1 tags=T-003
expect_eq "shipped parts are not overdue" "RO-1-1 SHIPPED false|RO-3-1 SHIPPED false|RO-4-1 SHIPPED false|RO-4-2 UNTAGGED true|RO-5-1 UNTAGGED true" \
    "$(wc warranty.part.owed as_of=2099-01-01 | json '[.reply.parts[] | "\(.claim_id) \(.custody) \(.overdue)"] | join("|")')"
refused wc-sun not-found "shipment 'S-9' does not exist" warranty.shipment.confirm shipment_id=S-9
refused adv-wang denied "" warranty.shipment.confirm shipment_id=S-1
refused wc-sun invalid "as_of '2026-13-01' is not a date" warranty.part.owed as_of=2026-13-01
refused adv-wang denied "" warranty.part.owed
expect_eq "the shipment listed (open, and by id) with its packing list" "S-1 DHL 3|S-1 false B-1 B-2" \
    "$(wc warranty.shipment.list open_only=true | json '[.reply.shipments[] | "\(.shipment_id) \(.carrier) \(.packing_list | length)"] | join(" ")')|$(wc warranty.shipment.list shipment_id=S-1 | json '.reply.shipments[0] | "\(.shipment_id) \(.confirmed) \(.boxes | join(" "))"')"
refused wc-sun not-found "shipment 'S-9' does not exist" warranty.shipment.list shipment_id=S-9
refused adv-wang denied "" warranty.shipment.list
expect_eq "only the shipment emitted an event" "$((before + 1))" "$(event_count)"
expect_eq "S-1 confirmed" "true wc-sun" \
    "$(wc warranty.shipment.confirm shipment_id=S-1 | json '.reply | "\(.confirmed) \(.confirmed_by)"')"
refused wc-sun conflict "shipment 'S-1' was confirmed already" warranty.shipment.confirm shipment_id=S-1
expect_eq "a confirmed shipment is not open" "0 1" \
    "$(wc warranty.shipment.list open_only=true | json '.reply.shipments // [] | length') $(wc warranty.shipment.list | json '.reply.shipments | length')"
expect_eq "owed after the confirmation: the untagged parts" "RO-4-2 RO-5-1" \
    "$(wc warranty.part.owed | json '[.reply.parts[].claim_id] | join(" ")')"

log "--- events"
events >"$T/events.json" || true
expect_eq "claim events" \
    "opened:RO-1-1 rejected:RO-2-1 opened:RO-3-1 escalated:RO-4-1 opened:RO-4-2 opened:RO-5-1 rejected:RO-5-2 rejected:RO-6-1 rejected:RO-7-1" \
    "$(jq -r 'select(.type|test("^warranty.claim.(opened|rejected|escalated)$")) | "\(.type|split(".")[2]):\(.subject)"' <"$T/events.json" | xargs)"
expect_eq "RO-3-1's life" "opened submitted rejected_by_oem corrected submitted accepted paid" \
    "$(jq -r 'select(.subject=="RO-3-1" and (.type|startswith("warranty.claim."))) | .type|split(".")[2]' <"$T/events.json" | xargs)"
expect_eq "the submitted claim carries what the OEM needs" "$V3 BR-101 PAD-01 D-03 12000 2" \
    "$(jq -r 'select(.type=="warranty.claim.submitted" and .subject=="RO-3-1") | .payload | "\(.vin) \(.labour_code) \(.causal_part) \(.defect_code) \(.amount_cents) \(.submissions)"' <"$T/events.json" | tail -1)"
expect_eq "one recurring defect: BR-101 on 3 vehicles" "labour BR-101 3 $V1,$V2,$V3 2026-10-28 2026-11-26" \
    "$(jq -r 'select(.type=="warranty.defect.recurring" and .payload.kind=="labour") | .payload | "\(.kind) \(.code) \(.count) \(.vins|join(",")) \(.from_date) \(.to_date)"' <"$T/events.json")"
expect_eq "safety defect at once" "RO-4 1 $V4 EN-200 ENG-MOUNT D-07 2026-11-26" \
    "$(jq -r 'select(.type=="warranty.defect.safety") | .payload | "\(.ro_number) \(.job_no) \(.vin) \(.labour_code) \(.causal_part) \(.defect_code) \(.date)"' <"$T/events.json")"
expect_eq "shipment events" "warranty.shipment.shipped:S-1 warranty.shipment.confirmed:S-1" \
    "$(jq -r 'select(.type|startswith("warranty.shipment.")) | "\(.type):\(.subject)"' <"$T/events.json" | xargs)"
ctl tap --since oem@test:1 --wait 1500 oem. >"$T/oem.json" || true
expect_eq "the OEM's decisions" "RO-1-1:true RO-3-1:false RO-3-1:true RO-4-1:true" \
    "$(jq -r 'select(.type=="oem.claim.decided") | "\(.subject):\(.payload.accepted)"' <"$T/oem.json" | xargs)"

log "--- recurring: once per code and window, again in a later window"
# PAD-01 is the causal part on V1, V2, V3 (and V4, V1 again): raised once, with BR-101
expect_eq "PAD-01 raised once as a part" 1 \
    "$(jq -r 'select(.type=="warranty.defect.recurring" and .payload.kind=="part" and .payload.code=="PAD-01")' <"$T/events.json" | jq -s length)"
DAY=2027-01-10
qc RO-8 $V3 25000 "$(job 1 WARRANTY BR-101 60 60 D-01 PAD-02)"
qc RO-9 $V4 15000 "$(job 1 WARRANTY BR-101 60 60 D-01 PAD-03)"
qc RO-10 $V1 40000 "$(job 1 WARRANTY BR-101 60 60 D-01 PAD-04)"
qc RO-11 $V5 90000 "$(job 1 WARRANTY BR-101 60 60 D-01 PAD-05)"
wait_applied $WS
expect_eq "BR-101 raised again in the new window, once" "2026-11-26 2027-01-10" \
    "$(events | jq -r 'select(.type=="warranty.defect.recurring" and .payload.code=="BR-101") | .payload.to_date' | xargs)"

log "--- recall campaigns"
expect_eq "RC-1 opened" "RC-1 RC-BRK-01 2" "$(wc warranty.recall.open campaign_id=RC-1 \
    title="brake hose chafing" labour_code=RC-BRK-01 vins=$V1 vins=$V3 |
    json '.reply | "\(.campaign_id) \(.labour_code) \(.vins | length)"')"
before=$(event_count)
refused wc-sun conflict "campaign 'RC-1' is open already" warranty.recall.open campaign_id=RC-1 \
    title=again labour_code=RC-BRK-01 vins=$V4
refused wc-sun invalid "a campaign lists 1..10000 vins, not 0" warranty.recall.open \
    campaign_id=RC-2 title=none labour_code=RC-BRK-02
refused wc-sun invalid "vin '$V4' is listed twice" warranty.recall.open campaign_id=RC-2 \
    title=twice labour_code=RC-BRK-02 vins=$V4 vins=$V4
refused wc-sun invalid "labour_code '' is not a valid code" warranty.recall.open \
    campaign_id=RC-2 title=nolabour vins=$V4
refused wc-sun invalid "title is required" warranty.recall.open campaign_id=RC-2 \
    labour_code=RC-BRK-02 vins=$V4
refused adv-wang denied "" warranty.recall.open campaign_id=RC-2 title=x labour_code=RC-BRK-02 vins=$V4
refused adv-wang invalid "vin 'no vin' is not valid" warranty.recall.query vin="no vin"
expect_eq "no event from refused recalls" "$before" "$(event_count)"
expect_eq "the advisor sees V1's open recall" "RC-1" \
    "$(AS_ACTOR=adv-wang ctl call warranty.recall.query vin=$V1 | json '[.reply.campaigns[].campaign_id] | join(" ")')"
expect_eq "no recall for V4" "" \
    "$(AS_ACTOR=adv-wang ctl call warranty.recall.query vin=$V4 | json '[.reply.campaigns[]?.campaign_id] | join(" ")')"
DAY=2027-01-11
qc RO-12 $V1 41000 "$(job 1 WARRANTY RC-BRK-01 30 30 D-RC HOSE-1)"
wait_applied $WS
expect_eq "V1's recall done" "" \
    "$(wc warranty.recall.query vin=$V1 | json '[.reply.campaigns[]?.campaign_id] | join(" ")')"
expect_eq "V3's still open" "RC-1" \
    "$(wc warranty.recall.query vin=$V3 | json '[.reply.campaigns[].campaign_id] | join(" ")')"
expect_eq "warranty.recall.completed" "RC-1 $V1 RO-12 1 2" \
    "$(events | jq -r 'select(.type=="warranty.recall.completed") | .payload | "\(.campaign_id) \(.vin) \(.ro_number) \(.completed) \(.vehicles)"')"

log "--- a recall's title is counted in characters: 160 Chinese ones (480 bytes) and one more"
TITLE=$(printf '刹%.0s' $(seq 160))
expect_eq "the Chinese title's bytes" 480 "$(printf %s "$TITLE" | command wc -c)" # wc is the clerk here
before=$(event_count)
expect_eq "a title of 161 characters is refused" \
    "asctl: warranty.recall.open refused (invalid): title is required (at most 160 characters)" \
    "$("$ASCTL" --config "$CONFIG" --actor wc-sun call warranty.recall.open campaign_id=RC-ZH \
        title="${TITLE}刹" labour_code=RC-BRK-02 vins=$V5 2>&1 || true)"
expect_eq "no event from the refusal" "$before" "$(event_count)"
expect_eq "and no recall for V5" "" \
    "$(wc warranty.recall.query vin=$V5 | json '[.reply.campaigns[]?.campaign_id] | join(" ")')"
wc warranty.recall.open campaign_id=RC-ZH title="$TITLE" labour_code=RC-BRK-02 vins=$V5 >/dev/null
expect_eq "a title of 160 characters opens the campaign" "RC-ZH $TITLE" \
    "$(wc warranty.recall.query vin=$V5 | json '.reply.campaigns[] | "\(.campaign_id) \(.title)"')"

log "--- repair/replace/return early warning"
# V4 (sold 2025-06-01): RO-4 and RO-9 one day each, RO-13 in the workshop 12 days;
# defect D-01 repaired three times
emit $REC reception.ro.opened "{\"ro\":{\"ro_number\":\"RO-13\",\"vin\":\"$V4\"},\"date\":\"2027-01-01\"}"
wait_applied $REC
DAY=2027-01-12
qc RO-13 $V4 16000 "$(job 1 WARRANTY BR-300 60 60 D-01 PAD-09)"
wait_applied $WS
wc warranty.vehicle.warnings >"$T/warn.json"
expect_eq "only V4 is near the limits" "$V4 14" \
    "$(json '[.reply.vehicles[] | "\(.vin) \(.repair_days)"] | join("|")' <"$T/warn.json")"
expect_eq "V4's warnings" \
    "repair days within the period: 14 (above 35 the customer has a right to a replacement or refund)|repairs of defect D-01: 3 (above 5 the customer has a right to a replacement or refund)" \
    "$(json '.reply.vehicles[0].warnings | join("|")' <"$T/warn.json")"
expect_eq "V4's warnings as codes and their arguments (a page words them)" \
    '[{"code":"repair_days","args":["14","35"]},{"code":"defect_repeats","args":["D-01","3","5"]}]' \
    "$(jq -c '.reply.vehicles[0].warning_wordings' <"$T/warn.json")"
expect_eq "V3 asked for: counted, no warning" "2 0" \
    "$(wc warranty.vehicle.warnings vin=$V3 | json '.reply.vehicles[0] | "\(.repair_days) \(.warnings | length)"')"
refused wc-sun not-found "vehicle '$V2' has no warranty repairs within the repair/replace/return period" \
    warranty.vehicle.warnings vin=$V2
# the advisor sees a vehicle's warnings at the counter; a technician does not
expect_eq "the advisor reads V4's warnings" 2 \
    "$(ctl --actor adv-wang call warranty.vehicle.warnings vin=$V4 | json '.reply.vehicles[0].warnings | length')"
refused tech-07 denied "" warranty.vehicle.warnings

log "--- a config the daemon cannot use"
sed -e 's/^basic = 4y 100000km/basic = four years/' -e "s|^data_dir = .*|data_dir = $T/bad-data|" \
    -e "s|warranty.sock|warranty-bad.sock|" "$CONFIG" >"$T/bad.ini"
rc=0
"$AS_BUILD/services/warranty/as-warranty" --config "$T/bad.ini" >"$T/bad.log" 2>&1 || rc=$?
expect_eq "a bad policy line stops the start" 78 "$rc"
grep -qF "[warranty.policy] basic = 'four years'" "$T/bad.log" || fail "the log does not name the bad line"

log "--- a claim submitted while the OEM is down reaches it when it is back"
stop oem
wc warranty.claim.submit claim_id=RO-5-1 >/dev/null
stop warranty
start_service warranty
expect_eq "RO-5-1 waits for the OEM" SUBMITTED "$(claim RO-5-1 status)"
"$ASOEM" --config "$CONFIG" >>"$T/oem.log" 2>&1 &
PIDS[oem]=$!
wait_for "oem answers status" ctl_ok status oem
wait_status RO-5-1 PAID
expect_eq "paid claims after the restarts" "RO-1-1 RO-3-1 RO-4-1 RO-5-1" \
    "$(wc warranty.claim.list status=PAID | json '[.reply.claims[].claim_id] | join(" ")')"

log "--- the kpi service's warranty figures"
# first submitted: RO-1-1, RO-3-1, RO-4-1, RO-5-1; accepted at the first: all but RO-3-1.
# tagged: T-001..T-003, all shipped on S-1 within the return days and confirmed.
wty_seq=$(ctl status warranty | json '.services[0].last_seq')
kpi_applied_is() {
    [ "$(ctl status kpi | json '.services[0].offsets[] | select(.source=="warranty@test") | .applied_seq' 2>/dev/null)" = "$1" ]
}
wait_for "kpi applied warranty's $wty_seq events" kpi_applied_is "$wty_seq"
expect_eq "first pass 3/4, parts returned 3/3" "3/4 3/3" \
    "$(AS_ACTOR=sm-zhou "$ASCTL" --config "$CONFIG" --json kpi report --month "$(date +%Y-%m)" | json '.rows[0].counters |
        "\(.warranty_claims_first_pass)/\(.warranty_claims_submitted) \(.warranty_parts_returned)/\(.warranty_parts_required)"')"

log "--- rejected by the OEM with no reason: the claim keeps none, the refusal says so"
V20=LSVAA000000000V20
vehicle $V20 2025-03-01
qc RO-20 $V20 15000 "$(job 1 WARRANTY BR-101 60 60 D-MUM PAD-01)"
wait_applied $WS
wc warranty.claim.submit claim_id=RO-20-1 >/dev/null
wait_status RO-20-1 REJECTED_BY_OEM
expect_eq "RO-20-1 keeps no debit reason (the OEM gave none)" null \
    "$(wc warranty.claim.show claim_id=RO-20-1 | jq -c .reply.debit_reason)"
worded wc-sun "claim '%s' was rejected by the oem, which gave no reason: correct it first" \
    '["RO-20-1"]' warranty.claim.submit claim_id=RO-20-1

finish
