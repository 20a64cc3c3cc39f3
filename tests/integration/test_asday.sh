#!/usr/bin/env bash
# labels: dealership
# timeout: 300
# The README's day: asday plays 40 repair orders through the real daemons on
# the default staff list; the KPI report shows them all handed over, a labour
# utilisation a workshop manager would believe and the clerk's reminder calls
# against the day's plan. Playing the same day again is answered from the
# stored replies and changes nothing.
. "$(dirname "$0")/lib.sh"
setup asday
evening_clock
start_dealership

DAY=$(date +%F) # the evening of today: the day is over (see evening_clock)
out=$("$AS_BUILD/tools/asday/asday" --config "$CONFIG" --date "$DAY" --seed 7)
echo "$out" | tail -3 >&2
expect_eq "repair orders delivered by asday" 40 "$(echo "$out" | grep -c ' delivered ')"
# the CRM's requests: one booked, two waiting flagged, one withdrawn
requests() {
    ctl --actor clerk-sun call reception.appointment.queue requested=true |
        jq -r '[.reply.appointments[]?.appointment_id | select(startswith("crm-"))] | length'
}
expect_eq "the crm's requests waiting for the clerk" 2 "$(requests)"
crm_seq() { ctl status crm | jq -r '.services[0].last_seq'; }
expect_eq "crm events on the bus" 5 "$(crm_seq)"

# the played day is today (its evening): every step is dated on it. Reading
# today's month keeps this test right on the 1st of a month.
TODAY=$(date +%F)
report() { "$ASCTL" --config "$CONFIG" --actor svc-mgr kpi report --month "${TODAY:0:7}" --json; }
handed_over() {
    report | jq -r '.rows[] | select(.key=="department") | .figures[] |
        select(.name=="vehicles handed over") | .value'
}
all_counted() { [ "$(handed_over)" = 40 ]; }
wait_for "kpi counted 40 vehicles handed over" all_counted
before=$(report)
# a believable workshop: the played day's clocked hours against the attended
# hours of its technicians, as the workshop manager sees it in the day's report
day_report() { "$ASCTL" --config "$CONFIG" --actor svc-mgr kpi report --month "${1:0:7}" --day "$1" --json; }
utilisation=$(day_report "$DAY" | jq -r '.rows[] | select(.key=="department") | .figures[] |
    select(.name=="labour utilisation") | "\(.value) \(.formula)"')
log "labour utilisation of $DAY: $utilisation"
case $(echo "$utilisation" | awk '{print ($1 >= 60 && $1 <= 100) ? "in" : "out"}') in
in) log "ok: labour utilisation between 60% and 100%" ;;
*) fail "labour utilisation of the played day is not between 60% and 100%: $utilisation" ;;
esac
# the clerk's reminder calls: the plan is the day's reminders due; the calls
# count on the day they were recorded (today)
read -r planned made < <(echo "$out" | sed -n 's/^asday: \([0-9]*\) reminder calls planned, \([0-9]*\) made$/\1 \2/p')
if [ "${planned:-0}" -gt 0 ] && [ "${made:-0}" -gt 0 ] && [ "$made" -lt "$planned" ]; then
    log "ok: $made of $planned planned reminder calls made"
else
    fail "asday planned ${planned:-no} reminder calls and made ${made:-none}"
fi
due_counted() { [ "$(day_report "$DAY" | jq -r '.rows[0].counters.reminders_due')" = "$planned" ]; }
wait_for "kpi counted the $planned reminders due on $DAY" due_counted
expect_eq "kpi counted the calls made today" "$made" \
    "$(day_report "$TODAY" | jq -r '.rows[0].counters.reminders_made')"
expect_eq "comebacks counted" 2 "$(echo "$before" | jq -r '.rows[0].counters.comebacks')"
# the advisors' counter sales: every 5th RO of the day is offered an a/c
# cleaning of 280.00 (8 x 280.00 = 2 240.00), every 10th takes it (4 x 280.00 = 1 120.00)
expect_eq "products recommended on the played day" 224000 \
    "$(day_report "$DAY" | jq -r '.rows[0].counters.products_recommended_cents')"
expect_eq "products sold on the played day" 112000 \
    "$(day_report "$DAY" | jq -r '.rows[0].counters.products_sold_cents')"
# the 12th car came in by the road rescue: requested, approved, dispatched, closed on its RO
expect_eq "the day's road rescue closed on the 12th RO" "RESCUE_CLOSED 26000" \
    "$(ctl --actor fdm-li call reception.rescue.list state=RESCUE_CLOSED |
        jq -r '.reply.rescues[0] | "\(.state) \(.actual_cost_cents)"')"
expect_eq "QC failures counted" 4 "$(echo "$before" | jq -r '.rows[0].counters.qc_failures')"
# the demo's parts are in real part groups (none left in "general"): the
# stock figures by group (kpi report --by group) have a row for each
expect_eq "the catalogue's part groups" "body,brakes,electrical,engine,filters" \
    "$(ctl --actor wh-zhou call parts.stock.query | jq -r '[.reply.parts[].group] | unique | join(",")')"
expect_eq "kpi's stock value by group" "body,brakes,electrical,engine,filters" \
    "$("$ASCTL" --config "$CONFIG" --actor parts-mgr --json kpi report --month "${TODAY:0:7}" --by group |
        jq -r '[.rows[].key] | sort | join(",")')"
# the warranty jobs became claims; the ready ones went to the OEM and were paid
claims() { ctl --actor wty-he call warranty.claim.list | jq -r '.reply.claims'; }
all_decided() { [ "$(claims | jq '[.[] | select(.status == "SUBMITTED")] | length')" = 0 ]; }
wait_for "the OEM decided every submitted claim" all_decided
expect_eq "every claim was checked (none left waiting)" 0 \
    "$(claims | jq '[.[] | select(.status == "READY")] | length')"
paid=$(claims | jq '[.[] | select(.status == "PAID")] | length')
if [ "$paid" -ge 1 ]; then log "ok: $paid claim(s) paid by the OEM"; else fail "no claim was paid"; fi
# every tool loan of the day was signed, returned and counted
expect_eq "no tool still out" 0 "$(ctl --actor tool-xu call tools.loan.list | jq '.reply.loans | length')"
accuracy=$(ctl --actor tool-xu call tools.kpi month="${TODAY:0:7}" |
    jq -r '.reply.figures[] | select(.name == "loan_registration_accuracy") | "\(.numerator)/\(.denominator)"')
case $accuracy in
0/0 | "" | null/null) fail "no tool loan was recorded: $accuracy" ;;
*) n=${accuracy%/*}; [ "$n" = "${accuracy#*/}" ] && log "ok: loans complete $accuracy" || fail "loans incomplete: $accuracy" ;;
esac

# the same day again: every command answered from its stored reply
"$AS_BUILD/tools/asday/asday" --config "$CONFIG" --date "$DAY" --seed 7 --again >/dev/null
sleep 1
expect_eq "the report is unchanged by playing the day twice" "$(echo "$before" | md5sum)" \
    "$(report | md5sum)"
expect_eq "no crm event twice" 5 "$(crm_seq)"
expect_eq "still 2 requests waiting" 2 "$(requests)"

# another day on the same stores (as run-local on another day): the same
# technicians, tools and vehicles are there already, and each vehicle comes
# back with the mileage it left with (an earlier day: a day played must be
# over, so its clock entries are in the past)
NEXT=$(date -d '2 days ago' +%F)
rc=0
out=$("$AS_BUILD/tools/asday/asday" --config "$CONFIG" --date "$NEXT" --seed 7 2>&1) || rc=$?
echo "$out" | grep -v " delivered " | tail -3 >&2
expect_eq "a second day on the same stores is played" 0 "$rc"
expect_eq "its repair orders delivered" 40 "$(echo "$out" | grep -c ' delivered ')"
# that day was keyed in with every step dated on it: kpi counts it there, not today
day_handed_over() {
    day_report "$1" | jq -r '[.rows[]? | select(.key=="department") | .figures[] |
        select(.name=="vehicles handed over") | .value] | add // 0'
}
next_counted() { [ "$(day_handed_over "$NEXT")" = 40 ]; }
wait_for "kpi counted $NEXT's 40 hand-overs on $NEXT" next_counted
expect_eq "today's hand-overs are still the first day's" 40 "$(day_handed_over "$TODAY")"
finish
