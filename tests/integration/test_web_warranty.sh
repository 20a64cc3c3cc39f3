#!/usr/bin/env bash
# The warranty clerk's screen in headless Chromium (web_warranty.py): repair
# orders with warranty jobs go through the real workshop and QC (asctl) and
# open claims; the clerk sees them by state, submits one, the OEM (asoem, which
# rejects defect code D-NOT-COVERED) rejects it and the page follows without
# a reload; the clerk corrects and resubmits it, and it is paid; a claim
# submitted elsewhere is decided live; the replaced part is tagged, boxed and
# shipped and the packing list page shows it (printable); a shipment
# confirmed; a recall opened and looked up; a concern that is markup shown as
# text; an advisor cannot submit a claim (403); the policy's reasons (a claim
# too old, one above the clerk's limit) in Chinese on the Chinese page; a claim
# the OEM rejects giving no reason (asoem's unexplained_defect_codes) says so
# in the page's language (厂家未说明原因), its refusal of a resubmission too;
# the advisor's counter shows a car's repair/replace/return warnings in
# Chinese on the Chinese page, in English on the English one.
# Screenshots: $AS_BUILD/artifacts/web/warranty-*.png, packing-*.png.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_warranty
# the dealership (start_dealership), its OEM rejecting D-NO-REASON giving no reason
export AS_RUN_DIR=$T
cp "$(dirname "$0")/../../deploy/local.ini" "$CONFIG"
sed -i 's/^reject_defect_codes = .*/&\nunexplained_defect_codes = D-NO-REASON/' "$CONFIG"
grep -q '^unexplained_defect_codes = D-NO-REASON$' "$CONFIG" || fail "the config has no [oem] reject_defect_codes"
# and its warranty warning the counter of every warranty repair (repair/replace/return)
sed -i 's/^\[warranty\]$/&\nrrr_warn_days = 1\nrrr_warn_repeats = 1/' "$CONFIG"
grep -q '^rrr_warn_repeats = 1$' "$CONFIG" || fail "the config has no [warranty]"
start_bus bus
start_site_daemons
start_web
set_secret wty-he 'warranty-pass-1'
set_secret adv-wang 'advisor-pass-1'
set_secret svc-mgr 'manager-pass-1'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
V1=LSVWA2E47PW000001 V2=LSVWA2E49PW000002 V3=LSVWA2E40PW000003 V4=LSVWA2E42PW000004
V5=LSVWA2E44PW000005
as foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang A" skills=brakes \
    level=2 hourly_cost_cents=10000
as foreman-liu workshop.bay.register bay_id=B1 kind=lift
as adv-wang reception.customer.register customer_id=C1 name='<img src=x onerror=alert(1)>' phone=13900000001
as adv-wang reception.vehicle.register vin=$V1 plate=LU-W00001 customer_id=C1 sale_date=2025-06-01 mileage_km=20000
as adv-wang reception.vehicle.register vin=$V2 plate=LU-W00002 customer_id=C1 sale_date=2025-07-01 mileage_km=10000
as adv-wang reception.vehicle.register vin=$V3 plate=LU-W00003 customer_id=C1 sale_date=2025-08-01 mileage_km=5000
as adv-wang reception.vehicle.register vin=$V4 plate=LU-W00004 customer_id=C1 sale_date=2019-01-15 mileage_km=20000
as adv-wang reception.vehicle.register vin=$V5 plate=LU-W00005 customer_id=C1 sale_date=2025-09-01 mileage_km=3000
job() { # job DEFECT PART [SOLD_MINUTES]
    echo "[{\"concern\":\"<img src=x onerror=alert(1)>\",\"pay_type\":\"WARRANTY\",\"defect_code\":\"$1\",
      \"causal_part\":\"$2\",\"labour\":{\"code\":\"BR-101\",\"sold_minutes\":${3:-60},\"rate_cents\":60000,
      \"skill\":\"brakes\",\"min_level\":1}}]"
}
through_qc() { # through_qc RO VIN DEFECT PART [SOLD_MINUTES]: opened, worked and passed QC
    as adv-wang reception.ro.open ro_number="$1" vin="$2" mileage_km=21000 jobs="$(job "$3" "$4" "${5:-60}")"
    as adv-wang reception.ro.consent ro_number="$1" consent=signature
    wait_for "the workshop has $1's job" bash -c "'$ASCTL' --json --config '$CONFIG' --actor \
        foreman-liu call workshop.board | jq -e '.reply.jobs[] | select(.ro_number==\"$1\")' >/dev/null"
    as foreman-liu workshop.job.dispatch ro_number="$1" job_no=1 tech_id=tech-01 bay_id=B1
    as tech-01 workshop.clock.on ro_number="$1" job_no=1
    as tech-01 workshop.clock.off ro_number="$1" job_no=1 finished=true
    as qc-ma workshop.qc.inspect ro_number="$1" kind=FINAL passed=true
}
claim_is() { [ "$(ctl --actor wty-he call warranty.claim.show claim_id="$1" 2>/dev/null | jq -r .reply.status)" = "$2" ]; }
through_qc RO-W1 $V1 D-NOT-COVERED PAD-01
through_qc RO-W2 $V2 D-01 DISC-01
through_qc RO-W3 $V3 D-02 CALIPER-01 400 # 4,000.00 CNY: above the clerk's limit (local.ini)
through_qc RO-W4 $V4 D-01 PAD-01 # sold 2019: past the 4-year basic warranty, rejected at once
through_qc RO-W5 $V5 D-NO-REASON PAD-01 # the OEM rejects it giving no reason
wait_for "RO-W1's claim is ready" claim_is RO-W1-1 READY
wait_for "RO-W2's claim is ready" claim_is RO-W2-1 READY
wait_for "RO-W3's claim waits for the service manager" claim_is RO-W3-1 ESCALATED
wait_for "RO-W4's claim is rejected by the policy" claim_is RO-W4-1 REJECTED
wait_for "RO-W5's claim is ready" claim_is RO-W5-1 READY
as wty-he warranty.claim.submit claim_id=RO-W5-1
wait_for "the OEM rejected RO-W5's claim" claim_is RO-W5-1 REJECTED_BY_OEM

# an advisor's session cannot submit a claim: the gateway refuses
expect_eq "the advisor signs in" 200 "$(signin adv adv-wang advisor-pass-1)"
out=$(api adv warranty.claim.submit '{"claim_id":"RO-W1-1"}' -H 'Idempotency-Key: adv-submit-0001')
expect_eq "an advisor's warranty.claim.submit is refused by the gateway" "403 web" \
    "$(echo "$out" | tail -1) $(echo "$out" | head -1 | jq -r .refused_by)"

browse web_warranty.py V1=$V1 V2=$V2
expect_eq "the claim was submitted twice, by the clerk" "2 wty-he PAID" \
    "$(ctl --actor wty-he call warranty.claim.show claim_id=RO-W1-1 | jq -r '.reply | "\(.submissions) \(.submitted_by) \(.status)"')"
stop_web
finish
