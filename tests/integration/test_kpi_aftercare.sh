#!/usr/bin/env bash
# labels: kpi
# timeout: 300
# The warranty and tool-room KPIs of the kpi daemon, from events published
# by fake warranty and tools sources over two months of 2025, checked against
# figures worked out by hand: the claim first-pass rate and the replaced-part
# return rate (each counted on the day the claim was first submitted / the
# part tagged), tool preservation (a level at the period's end), loan
# registration accuracy (per technician too) and calibration on time
# (including one overdue and never done, and a lost tool's that no longer
# counts). A payload kpi cannot use is skipped, and a restart keeps it all.
. "$(dirname "$0")/lib.sh"
setup kpi

cat >>"$CONFIG" <<INI

[staff]
sm-zhang = service_manager
tech-07 = technician

[kpi]
endpoint = ipc://$T/kpi.sock
follows = warranty, tools
heartbeat_ms = 200
INI
sed -i 's/^services = .*/services = kpi/' "$CONFIG"

start_bus bus
start_service kpi

WTY=warranty@test
TOOLS=tools@test
declare -A INC=([$WTY]=01900000-0000-7000-8000-0000000000d1 [$TOOLS]=01900000-0000-7000-8000-0000000000e1)
declare -A SEQ=([$WTY]=0 [$TOOLS]=0)

emit() { # emit SOURCE TYPE JSON: the source's next event on the bus
    local src=$1
    SEQ[$src]=$((SEQ[$src] + 1))
    "$FRAMES" event-json "ipc://$T/bus-in" "$src" "${INC[$src]}" "${SEQ[$src]}" "$2" "$3" >/dev/null
}
applied_of() { ctl status kpi | json ".services[0].offsets[] | select(.source==\"$1\") | .applied_seq"; }
applied_is() { [ "$(applied_of "$1" 2>/dev/null)" = "$2" ]; }
wait_applied() { wait_for "kpi applied $1 up to ${SEQ[$1]}" applied_is "$1" "${SEQ[$1]}"; }
report() { REPORT=$(AS_ACTOR=sm-zhang "$ASCTL" --config "$CONFIG" --json kpi report "$@"); }
# fig ROW NAME [FIELD]: a figure's value rounded to 2 decimals (or FIELD raw)
fig() {
    echo "$REPORT" | jq -r --arg k "$1" --arg n "$2" --arg f "${3:-}" \
        '.rows[] | select(.key==$k) | .figures[] | select(.name==$n) |
         if $f == "" then (if .defined then ((.value * 100 | round) / 100) else "undefined" end) else .[$f] end'
}
D=department

# --- warranty claims ---------------------------------------------------------
# C1 first submitted 2025-09-28, accepted at once (in October): September 1/1.
# C2 first submitted 2025-10-02, rejected, resubmitted, accepted: not first pass.
# C3 first submitted 2025-10-05, accepted at once. C4 submitted 2025-10-20, no
# answer yet. October: 1 first pass of 3 submitted.
claim() { # claim ID SUBMISSIONS FIRST_SUBMITTED_DATE
    echo "{\"claim_id\":\"$1\",\"submissions\":$2,\"first_submitted_date\":\"$3\",\"submitted_date\":\"$3\"}"
}
emit $WTY warranty.claim.submitted "$(claim C1 1 2025-09-28)"
emit $WTY warranty.claim.submitted "$(claim C2 1 2025-10-02)"
emit $WTY warranty.claim.submitted "$(claim C3 1 2025-10-05)"
emit $WTY warranty.claim.accepted "$(claim C1 1 2025-09-28)"
emit $WTY warranty.claim.rejected_by_oem "$(claim C2 1 2025-10-02)"
emit $WTY warranty.claim.submitted "$(claim C2 2 2025-10-02)"
emit $WTY warranty.claim.accepted "$(claim C2 2 2025-10-02)"
emit $WTY warranty.claim.accepted "$(claim C3 1 2025-10-05)"
emit $WTY warranty.claim.submitted "$(claim C4 1 2025-10-20)"

# --- replaced parts ----------------------------------------------------------
# T1..T3 tagged in October, T4 in November, each due back 30 days later. S1
# ships T1 and T2 on 2025-10-30 (on time); S2 ships T3 late (due 11-09, shipped
# 11-15) and T4 on time; S3 carries a tag kpi never saw. October 2/3, November 1/1.
tag() { # tag TAG TAGGED DUE
    echo "{\"tag\":\"$1\",\"tagged_date\":\"$2\",\"due_date\":\"$3\"}"
}
emit $WTY warranty.part.tagged "$(tag T1 2025-10-03 2025-11-02)"
emit $WTY warranty.part.tagged "$(tag T2 2025-10-04 2025-11-03)"
emit $WTY warranty.part.tagged "$(tag T3 2025-10-10 2025-11-09)"
emit $WTY warranty.part.tagged "$(tag T4 2025-11-01 2025-12-01)"
shipment() { # shipment ID SHIPPED TAG...
    local id=$1 shipped=$2 lines="" t
    shift 2
    for t in "$@"; do lines="$lines{\"box_id\":\"B-$id\",\"tag\":\"$t\"},"; done
    echo "{\"shipment_id\":\"$id\",\"shipped_date\":\"$shipped\",\"confirmed\":true,\"packing_list\":[${lines%,}]}"
}
emit $WTY warranty.shipment.shipped "$(shipment S1 2025-10-30 T1 T2)"
emit $WTY warranty.shipment.confirmed "$(shipment S1 2025-10-30 T1 T2)"
emit $WTY warranty.shipment.confirmed "$(shipment S2 2025-11-15 T3 T4)"
emit $WTY warranty.shipment.confirmed "$(shipment S3 2025-10-31 T-NEVER-SEEN)"
wait_applied $WTY

# --- the tool room -----------------------------------------------------------
# Registered: TA good (next calibration 2025-10-15), TB worn (no calibration),
# TC good (due 2025-10-20) in September; TE good (due 2025-10-12, never done)
# and TD good (due 2025-11-10) in October.
item() { # item ID CONDITION NEXT_CALIBRATION DATE
    echo "{\"item\":{\"tool_id\":\"$1\",\"kind\":\"special_tool\",\"condition\":\"$2\",\"next_calibration\":\"$3\"},\"date\":\"$4\"}"
}
emit $TOOLS tools.item.registered "$(item TA good 2025-10-15 2025-09-01)"
emit $TOOLS tools.item.registered "$(item TB worn '' 2025-09-01)"
emit $TOOLS tools.item.registered "$(item TC good 2025-10-20 2025-09-02)"
emit $TOOLS tools.item.registered "$(item TE good 2025-10-12 2025-10-01)"
emit $TOOLS tools.item.registered "$(item TD good 2025-11-10 2025-10-05)"
# Loans (all checked out in October): L1 TA to tech-07, signed, back damaged;
# L2 TC to tech-08, never signed, back good; L3 TD to tech-07, signed, lost on
# 11-02; L4 TB to tech-07 (checked good at check-out), signed, back worn on 11-03.
loan() { # loan ID TOOL TECH SIGNED OUT_DATE CONDITION_OUT [IN_DATE CONDITION_IN]
    local in=""
    [ -n "${7:-}" ] && in=",\"in_date\":\"$7\",\"condition_in\":\"$8\""
    echo "{\"loan\":{\"loan_id\":\"$1\",\"tool_id\":\"$2\",\"technician\":\"$3\",\"signature\":$4,
        \"out_date\":\"$5\",\"condition_out\":\"$6\"$in},\"date\":\"${7:-$5}\"}"
}
emit $TOOLS tools.loan.checked_out "$(loan L1 TA tech-07 false 2025-10-06 good)"
emit $TOOLS tools.loan.signed "$(loan L1 TA tech-07 true 2025-10-06 good)"
emit $TOOLS tools.loan.checked_in "$(loan L1 TA tech-07 true 2025-10-06 good 2025-10-07 damaged)"
emit $TOOLS tools.loan.checked_out "$(loan L2 TC tech-08 false 2025-10-08 good)"
emit $TOOLS tools.loan.checked_in "$(loan L2 TC tech-08 false 2025-10-08 good 2025-10-09 good)"
emit $TOOLS tools.loan.checked_out "$(loan L3 TD tech-07 true 2025-10-30 good)"
emit $TOOLS tools.loan.lost "$(loan L3 TD tech-07 true 2025-10-30 good 2025-11-02 '')"
emit $TOOLS tools.loan.checked_out "$(loan L4 TB tech-07 true 2025-10-31 good)"
emit $TOOLS tools.loan.checked_in "$(loan L4 TB tech-07 true 2025-10-31 good 2025-11-03 worn)"
# Calibrations: TA on 10-14, due 10-15 (on time); TC on 10-25, due 10-20 (late).
calibration() { # calibration TOOL DATE DUE ON_TIME NEXT
    echo "{\"tool_id\":\"$1\",\"calibration\":{\"date\":\"$2\",\"result\":\"pass\",\"due_date\":\"$3\",\"on_time\":$4},
        \"out_of_service\":false,\"next_calibration\":\"$5\"}"
}
emit $TOOLS tools.calibration.recorded "$(calibration TA 2025-10-14 2025-10-15 true 2026-10-14)"
emit $TOOLS tools.calibration.recorded "$(calibration TC 2025-10-25 2025-10-20 false 2026-10-25)"
# A check-out that names no tool cannot be counted: skipped, not counted.
emit $TOOLS tools.loan.checked_out '{"loan":{"loan_id":"L9","technician":"tech-07","out_date":"2025-10-09"},"date":"2025-10-09"}'
wait_applied $TOOLS

check_months() {
    report --month 2025-09
    expect_eq "September first pass: C1" 100 "$(fig $D 'warranty first-pass rate')"
    expect_eq "September tools: TA, TC good of TA, TB, TC" \
        "66.67|tools in good condition (not lost) / tools registered, at the period's end = 2 / 3" \
        "$(fig $D 'tool preservation rate')|$(fig $D 'tool preservation rate' formula)"
    expect_eq "September: no part tagged, no loan, no calibration due" "undefined undefined undefined" \
        "$(fig $D 'replaced-part return rate') $(fig $D 'tool loan registration accuracy') $(fig $D 'calibration on-time rate')"

    report --month 2025-10
    expect_eq "October first pass: C3 of C2, C3, C4" \
        "33.33|claims accepted at their first submission / claims submitted = 1 / 3" \
        "$(fig $D 'warranty first-pass rate')|$(fig $D 'warranty first-pass rate' formula)"
    expect_eq "October parts: T1, T2 back on time of T1..T3" \
        "66.67|parts shipped by their due date and confirmed by the oem / parts tagged to return = 2 / 3" \
        "$(fig $D 'replaced-part return rate')|$(fig $D 'replaced-part return rate' formula)"
    expect_eq "October's end: TB, TC, TD, TE good of 5" 80 "$(fig $D 'tool preservation rate')"
    expect_eq "October loans: L1, L4 complete of 4 (L9 not counted)" \
        "50|loans signed by the technician and checked in / loans checked out = 2 / 4" \
        "$(fig $D 'tool loan registration accuracy')|$(fig $D 'tool loan registration accuracy' formula)"
    expect_eq "October calibrations: TA on time; TC late; TE overdue, not done" \
        "33.33|calibrations done by their due date / calibrations due (done + overdue, not done) = 1 / (2 + 1)" \
        "$(fig $D 'calibration on-time rate')|$(fig $D 'calibration on-time rate' formula)"
    expect_eq "October counters" "3 1 3 2 4 2 2 1 1" \
        "$(echo "$REPORT" | jq -r '.rows[0].counters | "\(.warranty_claims_submitted) \(.warranty_claims_first_pass) \(.warranty_parts_required) \(.warranty_parts_returned) \(.tool_loans) \(.tool_loans_complete) \(.calibrations_due) \(.calibrations_on_time) \(.calibrations_overdue)"')"

    report --month 2025-11
    expect_eq "November parts: T4 on time (T3 late counts for October)" 100 "$(fig $D 'replaced-part return rate')"
    expect_eq "November's end: TC, TE good of 5 (TD lost, TB worn)" 40 "$(fig $D 'tool preservation rate')"
    expect_eq "November: TD's calibration falls due but TD is lost" undefined "$(fig $D 'calibration on-time rate')"
    expect_eq "November: nothing submitted" undefined "$(fig $D 'warranty first-pass rate')"

    report --month 2025-11 --day 2025-11-02
    expect_eq "the end of 2025-11-02: TD lost that day, TB still good" 60 "$(fig $D 'tool preservation rate')"

    report --month 2025-10 --by technician
    expect_eq "tech-07: L1, L4 of L1, L3, L4" 66.67 "$(fig tech-07 'tool loan registration accuracy')"
    expect_eq "tech-08: L2 never signed" 0 "$(fig tech-08 'tool loan registration accuracy')"
    expect_eq "the tool room's level is the department's only" undefined "$(fig tech-07 'tool preservation rate')"
}
check_months

log "--- the people's table names the new figures"
table=$(AS_ACTOR=sm-zhang "$ASCTL" --config "$CONFIG" kpi report --month 2025-10)
for name in "warranty first-pass rate" "replaced-part return rate" "tool preservation rate" \
    "tool loan registration accuracy" "calibration on-time rate"; do
    echo "$table" | grep -qF "$name" || fail "the table has no '$name'"
done

log "--- targets for the new figures"
expect_eq "a first-pass target" "true 95" \
    "$(ctl --actor sm-zhang call kpi.target.set month=2025-10 "metric=warranty first-pass rate" value=95 | json '"\(.ok) \(.reply.value)"')"
report --month 2025-10
expect_eq "achievement against the target" "95 0.35" \
    "$(fig $D 'warranty first-pass rate' target) $(fig $D 'warranty first-pass rate' achievement | cut -c1-4)"

log "--- a restart keeps every count"
stop kpi
start_service kpi
check_months
finish
