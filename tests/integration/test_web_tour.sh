#!/usr/bin/env bash
# A tour of every screen on a played day (web_tour.py): asday plays today
# through the real daemons (evening_clock: the day is over), then the next
# things of the evening are keyed in as staff would (an RO waiting for the
# board and one job on tech-01's tablet, in progress); one member of every
# role signs in and sees their screens at tablet size (1280x800), at desktop
# size (1600x1000) and once in Chinese, each a screenshot
# $AS_BUILD/artifacts/web/tour-<screen>-{tablet,desktop,zh}.png. On every
# screen: no label key shown raw, no NaN/undefined/null/[object Object], no
# raw microseconds, amounts in the site's currency, the main list not empty,
# the header's links to the member's other screens; an error from a service
# shown with the page's own lead-in in Chinese.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_tour
evening_clock # the played day is today, and over (as test_web_dashboard.sh)
start_dealership
start_web
for member in svc-mgr:manager-pass-1 it-guo:it-pass-123 fdm-li:front-desk-pass adv-wang:advisor-pass-1 \
    foreman-liu:board-pass-1 qc-ma:qc-pass-123 tech-01:2468 parts-mgr:parts-pass-2 wh-zhou:parts-pass-1 \
    wty-he:warranty-pass-1 tool-xu:tool-room-1; do
    set_secret "${member%%:*}" "${member#*:}"
done

DAY=$(date +%F)
out=$("$AS_BUILD/tools/asday/asday" --config "$CONFIG" --date "$DAY" --seed 7) || fail "asday"
delivered=$(echo "$out" | awk '$3 == "delivered" {print $2}' | sort -u)
[ "$(echo "$delivered" | wc -l)" = 40 ] || fail "asday's deliveries: $delivered"
# the OEM has decided every claim asday submitted, and every consumer has
# applied every event its sources committed: the screens show the whole day
claims() { ctl --actor wty-he call warranty.claim.list | jq -c '.reply.claims // []'; }
none_with_the_oem() { [ "$(claims | jq '[.[] | select(.status == "SUBMITTED")] | length')" = 0 ]; }
settled() {
    ctl status | jq -e '([.services[] | {key: .source, value: .last_seq}] | from_entries) as $last
        | all(.services[].offsets[]?; .applied_seq == $last[.source])' >/dev/null
}
wait_for "the OEM decided every submitted claim" none_with_the_oem
wait_for "every consumer caught up" settled

# the evening: a customer of the day is back with a concern that is markup;
# the advisor opens an RO of two jobs from the menu, the customer consents,
# the foreman dispatches the first to tech-01, who clocks on
as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
INVOICE_RO=$(echo "$delivered" | head -1)
VIN=$(ctl --actor adv-wang call reception.ro.show ro_number="$INVOICE_RO" | jq -r .reply.vin)
KM=$(($(ctl --actor adv-wang call reception.vehicle.show vin="$VIN" | jq -r '.reply.mileage_km // 50000') + 500))
ops=$(ctl --actor adv-wang call reception.labour_op.list |
    jq -c '[.reply.operations[] | select(.operation.skill != null and .retired != true) | .operation.code][0:2]')
[ "$(echo "$ops" | jq length)" = 2 ] || fail "two labour operations: $ops"
jobs=$(echo "$ops" | jq -c --arg xss '<img src=x onerror=alert(1)>' '[.[] | {concern: $xss,
    pay_type: "CUSTOMER_PAY", operation_code: .}]')
as adv-wang reception.ro.open ro_number=RO-TOUR1 vin="$VIN" mileage_km=$KM jobs="$jobs"
as adv-wang reception.ro.consent ro_number=RO-TOUR1 consent=signature
has_jobs() { ctl --actor foreman-liu call workshop.ro.show ro_number=RO-TOUR1 | jq -e '.reply.jobs | length == 2' >/dev/null; }
wait_for "the workshop has RO-TOUR1's jobs" has_jobs
as foreman-liu workshop.job.dispatch ro_number=RO-TOUR1 job_no=1 tech_id=tech-01 bay_id=B01
as tech-01 workshop.clock.on ro_number=RO-TOUR1 job_no=1
# the tool room lends tech-01 a tool for it (on the tablet, waiting for the signature)
TOOL=$(ctl --actor tool-xu call tools.item.list | jq -r '[.reply.items[] | select((.loan_id // "") == ""
    and (.out_of_service | not) and (.calibration_interval_days // 0) == 0)][0].tool_id')
[ "$TOOL" != null ] || fail "a tool in the tool room"
as tool-xu tools.loan.checkout loan_id=L-TOUR tool_id="$TOOL" technician=tech-01 ro_number=RO-TOUR1 job_no=1 \
    condition=good due_date="$(date -d tomorrow +%F)" due_time=12:00
wait_for "every consumer caught up" settled

SHIPMENT=$(ctl --actor wty-he call warranty.shipment.list | jq -r '.reply.shipments[0].shipment_id // ""')
browse web_tour.py DAY="$DAY" RO=RO-TOUR1 VIN="$VIN" INVOICE_RO="$INVOICE_RO" SHIPMENT="$SHIPMENT"
stop_web
finish
