#!/usr/bin/env bash
# The parts counter in headless Chromium (web_parts.py): the warehouse keeper
# searches a part by name, sees stock by bin, issues to an RO job (read back
# with asctl), backorders what is short, records a receipt with a damaged
# line and sees the discrepancy, the backorder and the quarantine; a part
# description that is markup shown as text; stock follows an issue and a reservation made
# elsewhere without a reload; the parts manager and an advisor cannot issue (403).
# Screenshots: $AS_BUILD/artifacts/web/parts-*.png.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_parts
start_dealership
start_web
set_secret wh-zhou 'parts-pass-1'
set_secret parts-mgr 'parts-pass-2'
set_secret adv-wang 'advisor-pass-1'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
as wh-zhou parts.part.define part_number=BRK-PAD-01 description="front brake pads" \
    cost_cents=20000 price_cents=35000 bin=B-01
as wh-zhou parts.part.define part_number=FLT-OIL-01 description="oil filter" \
    cost_cents=2000 price_cents=5000 bin=A-01
as wh-zhou parts.part.define part_number=XSS-01 description='<img src=x onerror=alert(1)>' \
    cost_cents=100 price_cents=200 bin=B-01
as wh-zhou parts.receipt.record receipt_id=R-1 supplier=OEM lines='[
    {"part_number":"BRK-PAD-01","expected":10,"received":10},
    {"part_number":"FLT-OIL-01","expected":5,"received":5},
    {"part_number":"XSS-01","expected":2,"received":2}]'
as wh-zhou parts.reserve ro_number=RO-P1 job_no=1 part_number=BRK-PAD-01 quantity=2

# an advisor's session cannot issue: the gateway refuses before the service
expect_eq "the advisor signs in" 200 "$(signin adv adv-wang advisor-pass-1)"
out=$(api adv parts.issue '{"issue_id":"I-ADV","ro_number":"RO-P1","job_no":1,"part_number":"BRK-PAD-01","quantity":1,"technician":"tech-01"}' \
    -H 'Idempotency-Key: adv-issue-0001')
expect_eq "an advisor's parts.issue is refused by the gateway" "403 web" \
    "$(echo "$out" | tail -1) $(echo "$out" | head -1 | jq -r .refused_by)"

browse web_parts.py
expect_eq "nothing was issued for the advisor or the parts manager" "" \
    "$(ctl --actor wh-zhou call parts.ro.show ro_number=RO-P1 | jq -r '.reply.issues[] | select(.issued_by != "wh-zhou") | .issue_id')"
stop_web
finish
