#!/usr/bin/env bash
# labels: kpi
# timeout: 300
# The kpi daemon counts a little day published by fake reception, workshop
# and parts sources, and `asctl kpi report` shows every figure: checked here
# against numbers worked out by hand. Targets, CSV, table, day reports and bad
# input (nothing written) too.
. "$(dirname "$0")/lib.sh"
setup kpi

cat >>"$CONFIG" <<INI

[staff]
tester = info_clerk
sm-zhang = service_manager
pm-chen = parts_manager
adv-wang = advisor
adv-zhou = advisor
clerk-li = info_clerk
tech-07 = technician
tech-08 = technician

[kpi]
endpoint = ipc://$T/kpi.sock
follows = reception, workshop, parts, warranty, tools
heartbeat_ms = 200
INI
sed -i 's/^services = .*/services = kpi/' "$CONFIG"

start_bus bus
start_service kpi

REC=reception@test
WS=workshop@test
PARTS=parts@test
declare -A INC=([$REC]=01900000-0000-7000-8000-00000000000a [$WS]=01900000-0000-7000-8000-00000000000b
    [$PARTS]=01900000-0000-7000-8000-00000000000c)
declare -A SEQ=([$REC]=0 [$WS]=0 [$PARTS]=0)
DAY=2026-11-27
MONTH=2026-11

# emit SOURCE TYPE JSON: the source's next event on the bus
emit() {
    local src=$1
    SEQ[$src]=$((SEQ[$src] + 1))
    "$FRAMES" event-json "ipc://$T/bus-in" "$src" "${INC[$src]}" "${SEQ[$src]}" "$2" "$3"
}
applied_of() { ctl status kpi | json ".services[0].offsets[] | select(.source==\"$1\") | .applied_seq"; }
applied_is() { [ "$(applied_of "$1" 2>/dev/null)" = "$2" ]; }
wait_applied() { wait_for "kpi applied $1 up to ${SEQ[$1]}" applied_is "$1" "${SEQ[$1]}"; }

# --- the day ---------------------------------------------------------------
# reception: 4 appointments (A1, A2 for adv-wang; A3, A4 booked by clerk-li,
# no advisor yet), A1 and A2 arrive; RO-1 (from A1, customer pay) and RO-2
# (from A2, warranty) for adv-wang, RO-3 (walk-in, customer pay) for adv-zhou.
for a in A1 A2; do
    emit $REC reception.appointment.booked \
        "{\"appointment\":{\"appointment_id\":\"$a\",\"advisor\":\"adv-wang\",\"booked_by\":\"clerk-li\"},\"date\":\"$DAY\"}"
done
for a in A3 A4; do
    emit $REC reception.appointment.booked \
        "{\"appointment\":{\"appointment_id\":\"$a\",\"booked_by\":\"clerk-li\"},\"date\":\"$DAY\"}"
done
for a in A1 A2; do
    emit $REC reception.appointment.arrived \
        "{\"appointment\":{\"appointment_id\":\"$a\",\"advisor\":\"adv-wang\"},\"date\":\"$DAY\"}"
done
ro() { # ro NUMBER ADVISOR APPOINTMENT PAY_TYPE [INVOICE_JSON]
    local inv=${5:+,\"invoice\":$5}
    echo "{\"ro\":{\"ro_number\":\"$1\",\"advisor\":\"$2\",\"appointment_id\":\"$3\",\"jobs\":[{\"job_no\":1,\"pay_type\":\"$4\"}]$inv},\"date\":\"$DAY\"}"
}
emit $REC reception.ro.opened "$(ro RO-1 adv-wang A1 CUSTOMER_PAY)"
emit $REC reception.ro.opened "$(ro RO-2 adv-wang A2 WARRANTY)"
emit $REC reception.ro.opened "$(ro RO-3 adv-zhou "" CUSTOMER_PAY)"
wait_applied $REC

# workshop: tech-07 costs 60.00/h, tech-08 48.00/h; 2 bays; 8 h shifts each.
# Clocked: RO-1 tech-07 120 min (bay-1), RO-2 tech-08 90 min (bay-2), RO-3
# tech-07 60 min (bay-1), final QC of RO-3 fails, rework 30 min; QC passes:
# RO-1 first time (sold 180 min), RO-2 first time (sold 60), RO-3 after the
# failure (sold 90).
emit $WS workshop.technician.registered '{"technician":{"tech_id":"tech-07","hourly_cost_cents":6000}}'
emit $WS workshop.technician.registered '{"technician":{"tech_id":"tech-08","hourly_cost_cents":4800}}'
emit $WS workshop.bay.registered '{"bay":{"bay_id":"bay-1","kind":"lift"}}'
emit $WS workshop.bay.registered '{"bay":{"bay_id":"bay-2","kind":"general"}}'
emit $WS workshop.shift.recorded "{\"attendance\":{\"tech_id\":\"tech-07\",\"date\":\"$DAY\",\"minutes\":480}}"
emit $WS workshop.shift.recorded "{\"attendance\":{\"tech_id\":\"tech-08\",\"date\":\"$DAY\",\"minutes\":480}}"
# the foreman records tech-08's shift again: it still counts once
emit $WS workshop.shift.recorded "{\"attendance\":{\"tech_id\":\"tech-08\",\"date\":\"$DAY\",\"minutes\":480}}"
clock() { # clock RO TECH BAY MINUTES
    echo "{\"ro_number\":\"$1\",\"job_no\":1,\"tech_id\":\"$2\",\"bay_id\":\"$3\",\"minutes\":$4,\"date\":\"$DAY\"}"
}
emit $WS workshop.clock.stopped "$(clock RO-1 tech-07 bay-1 120)"
emit $WS workshop.clock.stopped "$(clock RO-2 tech-08 bay-2 90)"
emit $WS workshop.clock.stopped "$(clock RO-3 tech-07 bay-1 60)"
emit $WS workshop.qc.failed "{\"ro_number\":\"RO-3\",\"kind\":\"FINAL\",\"failed_jobs\":[1],\"technicians\":[\"tech-07\"],\"date\":\"$DAY\"}"
emit $WS workshop.clock.stopped "$(clock RO-3 tech-07 bay-1 30)"
qc() { # qc RO FIRST_TIME ADVISOR TECH SOLD
    echo "{\"ro_number\":\"$1\",\"first_time\":$2,\"advisor\":\"$3\",\"jobs\":[{\"job_no\":1,\"technician\":\"$4\",\"sold_minutes\":$5}],\"date\":\"$DAY\"}"
}
emit $WS workshop.qc.passed "$(qc RO-1 true adv-wang tech-07 180)"
emit $WS workshop.qc.passed "$(qc RO-2 true adv-wang tech-08 60)"
emit $WS workshop.qc.passed "$(qc RO-3 false adv-zhou tech-07 90)"

# parts: 4 lines issued, the one for RO-3 not from stock at the first
# request; consumption at cost RO-1 200.00, RO-3 50.00, RO-2 100.00.
issue() { echo "{\"issue\":{\"issue_id\":\"$1\",\"ro_number\":\"$2\",\"first_pick\":$3},\"date\":\"$DAY\"}"; }
emit $PARTS parts.issue.recorded "$(issue I1 RO-1 true)"
emit $PARTS parts.issue.recorded "$(issue I2 RO-1 true)"
emit $PARTS parts.issue.recorded "$(issue I3 RO-3 false)"
emit $PARTS parts.issue.recorded "$(issue I4 RO-2 true)"
use() { echo "{\"consumption\":{\"ro_number\":\"$1\",\"cost_cents\":$2,\"price_cents\":$3},\"date\":\"$DAY\"}"; }
emit $PARTS parts.consumption.recorded "$(use RO-1 20000 30000)"
emit $PARTS parts.consumption.recorded "$(use RO-3 5000 8000)"
emit $PARTS parts.consumption.recorded "$(use RO-2 10000 15000)"
wait_applied $WS
wait_applied $PARTS

# reception: deliveries with invoices (labour + parts + accessories),
# follow-ups RO-1 10 and RO-3 7, RO-4 comes back for RO-1's concern
# (tech-07's work), a reminder call by clerk-li.
emit $REC reception.ro.delivered "$(ro RO-1 adv-wang A1 CUSTOMER_PAY '{"labour_cents":30000,"parts_cents":30000,"accessories_cents":5000}')"
emit $REC reception.ro.delivered "$(ro RO-2 adv-wang A2 WARRANTY '{"labour_cents":12000,"parts_cents":15000}')"
emit $REC reception.ro.delivered "$(ro RO-3 adv-zhou "" CUSTOMER_PAY '{"labour_cents":18000,"parts_cents":8000}')"
emit $REC reception.followup.recorded "{\"ro_number\":\"RO-1\",\"advisor\":\"adv-wang\",\"csi_score\":10,\"date\":\"$DAY\"}"
emit $REC reception.followup.recorded "{\"ro_number\":\"RO-3\",\"advisor\":\"adv-zhou\",\"csi_score\":7,\"date\":\"$DAY\"}"
emit $REC reception.comeback.detected "{\"ro_number\":\"RO-4\",\"earlier_ro\":\"RO-1\",\"advisor\":\"adv-wang\",\"technicians\":[\"tech-07\"],\"date\":\"$DAY\"}"
emit $REC reception.reminder.made "{\"reminder\":{\"vin\":\"JN1AZ4EH7DM430111\",\"kind\":\"maintenance\",\"made_by\":\"clerk-li\"},\"date\":\"$DAY\"}"
# the clerk's reminder plans: $DAY planned with 3 calls, then planned again
# with 2 (replaces the first: 2 due that day), and $DAY2 with 2 calls
reminder() { echo "{\"vin\":\"$1\",\"kind\":\"maintenance\",\"due_date\":\"2026-05-01\"}"; }
planned() { # planned DATE VIN...
    local date=$1 list="" n=0
    shift
    for v in "$@"; do list="$list${list:+,}$(reminder "$v")"; n=$((n + 1)); done
    echo "{\"date\":\"$date\",\"planned_by\":\"clerk-li\",\"reminders\":[$list],\"count\":$n}"
}
DAY2=2026-11-28
emit $REC reception.reminder.planned "$(planned $DAY JN1AZ4EH7DM430111 JN1AZ4EH7DM430222 JN1AZ4EH7DM430333)"
emit $REC reception.reminder.planned "$(planned $DAY JN1AZ4EH7DM430111 JN1AZ4EH7DM430222)"
emit $REC reception.reminder.planned "$(planned $DAY2 JN1AZ4EH7DM430444 JN1AZ4EH7DM430555)"
wait_applied $REC

# --- targets ---------------------------------------------------------------
out=$(ctl --actor sm-zhang call kpi.target.set month=$MONTH "metric=labour efficiency" value=100)
expect_eq "target set" "true 100 sm-zhang" "$(echo "$out" | jq -r '"\(.ok) \(.reply.value) \(.reply.set_by)"')"
ctl --actor pm-chen call kpi.target.set month=$MONTH "metric=service sales" value=100000 >/dev/null
expect_eq "kpi emitted kpi.target.changed twice" 2 "$(ctl status kpi | json '.services[0].last_seq')"

# --- the department's month --------------------------------------------------
REPORT=$("$ASCTL" --config "$CONFIG" kpi report --month $MONTH --json)
# fig ROW NAME [FIELD]: a figure's value rounded to 2 decimals (or FIELD raw)
fig() {
    echo "$REPORT" | jq -r --arg k "$1" --arg n "$2" --arg f "${3:-}" \
        '.rows[] | select(.key==$k) | .figures[] | select(.name==$n) |
         if $f == "" then (if .defined then ((.value * 100 | round) / 100) else "undefined" end) else .[$f] end'
}
expect_eq "report period" "$MONTH department" "$(echo "$REPORT" | jq -r '"\(.period) \(.by)"')"
D=department
# sold 180+60+90 = 330 min = 5.50 h; actual 120+90+60+30 = 300 min = 5.00 h
expect_eq "labour efficiency 5.50 h / 5.00 h" 110 "$(fig $D 'labour efficiency')"
expect_eq "labour efficiency formula" "sold / actual = 5.50 h / 5.00 h" "$(fig $D 'labour efficiency' formula)"
expect_eq "labour efficiency target" 100 "$(fig $D 'labour efficiency' target)"
expect_eq "labour efficiency achievement 110/100" 1.1 "$(fig $D 'labour efficiency' achievement)"
# available 480+480 = 960 min = 16 h: 5/16 = 31.25 %, 5.5/16 = 34.375 %
expect_eq "labour utilisation" 31.25 "$(fig $D 'labour utilisation')"
expect_eq "overall productivity" 34.38 "$(fig $D 'overall productivity')"
# 5 h / (2 bays x 9 h x 1 day worked: only $DAY has shifts) = 27.78 %
expect_eq "bay utilisation" 27.78 "$(fig $D 'bay utilisation')"
expect_eq "bay utilisation formula" \
    "actual / (bays x hours a day x days worked) = 5.00 h / (2 x 9 h x 1 d)" \
    "$(fig $D 'bay utilisation' formula)"
# RO-1, RO-2 first time of 3 inspected
expect_eq "first-time-fix rate 2/3" 66.67 "$(fig $D 'first-time-fix rate')"
expect_eq "comeback rate 1/3" 33.33 "$(fig $D 'comeback rate')"
expect_eq "appointment rate 2/3" 66.67 "$(fig $D 'appointment rate')"
expect_eq "appointment kept rate 2/4" 50 "$(fig $D 'appointment kept rate')"
expect_eq "parts fill rate 3/4" 75 "$(fig $D 'parts fill rate')"
expect_eq "vehicles handed over" 3 "$(fig $D 'vehicles handed over')"
# labour 300.00+120.00+180.00 = 600.00, parts 300.00+150.00+80.00 = 530.00
expect_eq "service sales" 113000 "$(fig $D 'service sales')"
expect_eq "service sales achievement 113000/100000" 1.13 "$(fig $D 'service sales' achievement)"
# labour cost: tech-07 210 min x 60.00/h = 210.00, tech-08 90 min x 48.00/h = 72.00
# parts cost 200.00 + 50.00 + 100.00 = 350.00; 1130.00 - 350.00 - 282.00 = 498.00
expect_eq "gross profit" 49800 "$(fig $D 'gross profit')"
expect_eq "gross profit formula" \
    "labour sales + parts sales - parts cost - labour cost = 60000 + 53000 - 35000 - 28200 cents" \
    "$(fig $D 'gross profit' formula)"
expect_eq "labour gross profit 600.00 - 282.00" 31800 "$(fig $D 'labour gross profit')"
expect_eq "csi (10 + 7) / 2" 8.5 "$(fig $D 'csi')"
expect_eq "csi top share 1/2" 50 "$(fig $D 'csi top share')"
expect_eq "customer-pay ros RO-1, RO-3" 2 "$(fig $D 'customer-pay ros')"
# the hours and amounts behind the ratios are rows of their own (value, unit)
row_of() { echo "$(fig $D "$1") $(fig $D "$1" unit)"; }
expect_eq "sold hours 330 min" "5.5 h" "$(row_of 'sold hours')"
expect_eq "actual hours 300 min" "5 h" "$(row_of 'actual hours')"
expect_eq "available hours 960 min" "16 h" "$(row_of 'available hours')"
expect_eq "labour sales 300.00 + 120.00 + 180.00" "60000 cents" "$(row_of 'labour sales')"
expect_eq "parts sales 300.00 + 150.00 + 80.00" "53000 cents" "$(row_of 'parts sales')"
expect_eq "parts cost 200.00 + 50.00 + 100.00" "35000 cents" "$(row_of 'parts cost')"
expect_eq "sold hours formula" "sold minutes / 60 = 330 / 60" "$(fig $D 'sold hours' formula)"
expect_eq "no target: no achievement" null "$(fig $D 'csi' achievement)"
# reminders due: $DAY's plan counts once (2, not 3 + 2), $DAY2's 2: 1 made / 4 due
expect_eq "reminder execution rate 1/4" 25 "$(fig $D 'reminder execution rate')"
expect_eq "reminder execution rate formula" "reminders made / reminders due = 1 / 4" \
    "$(fig $D 'reminder execution rate' formula)"
expect_eq "counters: qc failures, reminders, accessories" "1 1 5000" \
    "$(echo "$REPORT" | jq -r '.rows[0].counters | "\(.qc_failures) \(.reminders_made) \(.accessories_sales_cents)"')"

# --- by technician -----------------------------------------------------------
REPORT=$("$ASCTL" --config "$CONFIG" --json kpi report --month $MONTH --by technician)
expect_eq "technician rows" "tech-07 tech-08" "$(echo "$REPORT" | jq -r '[.rows[].key] | join(" ")')"
# tech-07: sold 180+90 = 270 min = 4.50 h, actual 210 min = 3.50 h, shift 8 h
expect_eq "tech-07 efficiency 4.50/3.50" 128.57 "$(fig tech-07 'labour efficiency')"
expect_eq "tech-07 achievement vs 100" 1.2857 "$(fig tech-07 'labour efficiency' achievement | cut -c1-6)"
expect_eq "tech-07 utilisation 3.5/8" 43.75 "$(fig tech-07 'labour utilisation')"
expect_eq "tech-07 first-time-fix 1/2 (RO-3 failed)" 50 "$(fig tech-07 'first-time-fix rate')"
expect_eq "tech-07 comeback rate 1 of his 2 delivered" 50 "$(fig tech-07 'comeback rate')"
expect_eq "tech-07 labour cost" 21000 "$(echo "$REPORT" | jq -r '.rows[0].counters.labour_cost_cents')"
expect_eq "amount targets are the department's only" null "$(fig tech-07 'service sales' target)"
# tech-08: sold 60 min, actual 90 min, shift 480 min
expect_eq "tech-08 efficiency 1.00/1.50" 66.67 "$(fig tech-08 'labour efficiency')"
expect_eq "tech-08 utilisation 1.5/8" 18.75 "$(fig tech-08 'labour utilisation')"
expect_eq "tech-08 first-time-fix" 100 "$(fig tech-08 'first-time-fix rate')"
expect_eq "tech-08 comeback rate 0/1" 0 "$(fig tech-08 'comeback rate')"
expect_eq "tech-08 qc failures" 0 "$(echo "$REPORT" | jq -r '.rows[1].counters.qc_failures')"
expect_eq "tech-07 sold, actual, available hours" "4.5 3.5 8" \
    "$(fig tech-07 'sold hours') $(fig tech-07 'actual hours') $(fig tech-07 'available hours')"

# --- by advisor ----------------------------------------------------------------
REPORT=$("$ASCTL" --config "$CONFIG" --json kpi report --month $MONTH --by advisor)
expect_eq "advisor rows" "adv-wang adv-zhou clerk-li" "$(echo "$REPORT" | jq -r '[.rows[].key] | join(" ")')"
expect_eq "adv-wang appointment rate 2/2" 100 "$(fig adv-wang 'appointment rate')"
expect_eq "adv-wang kept 2/2" 100 "$(fig adv-wang 'appointment kept rate')"
# sales 420.00 + 450.00; parts cost 200.00 + 100.00; labour cost 120 min x 60 + 90 min x 48
expect_eq "adv-wang gross profit 87000-30000-19200" 37800 "$(fig adv-wang 'gross profit')"
expect_eq "adv-wang csi" 10 "$(fig adv-wang 'csi')"
expect_eq "adv-wang comeback rate 1/2" 50 "$(fig adv-wang 'comeback rate')"
expect_eq "adv-zhou walk-in only" 0 "$(fig adv-zhou 'appointment rate')"
expect_eq "adv-zhou gross profit 26000-5000-9000" 12000 "$(fig adv-zhou 'gross profit')"
expect_eq "adv-zhou csi top share 0/1" 0 "$(fig adv-zhou 'csi top share')"
expect_eq "clerk-li kept 0/2" 0 "$(fig clerk-li 'appointment kept rate')"
expect_eq "clerk-li made the reminder call" 1 "$(echo "$REPORT" | jq -r '.rows[2].counters.reminders_made')"
expect_eq "clerk-li planned 2 + 2 calls" 4 "$(echo "$REPORT" | jq -r '.rows[2].counters.reminders_due')"
expect_eq "clerk-li reminder execution rate 1/4" 25 "$(fig clerk-li 'reminder execution rate')"
expect_eq "adv-wang planned no calls" undefined "$(fig adv-wang 'reminder execution rate')"
expect_eq "clerk-li appointment rate undefined" undefined "$(fig clerk-li 'appointment rate')"

# --- by bay, and one day ----------------------------------------------------------
REPORT=$("$ASCTL" --config "$CONFIG" --json kpi report --month $MONTH --by bay)
expect_eq "bay-1 3.50 h / (1 x 9 h x 1 d)" 38.89 "$(fig bay-1 'bay utilisation')"
expect_eq "bay-2 1.50 h / 9 h" 16.67 "$(fig bay-2 'bay utilisation')"
REPORT=$("$ASCTL" --config "$CONFIG" --json kpi report --month $MONTH --day $DAY)
expect_eq "day period" $DAY "$(echo "$REPORT" | jq -r .period)"
expect_eq "day bay utilisation 5 h / (2 x 9 h x 1 d)" 27.78 "$(fig $D 'bay utilisation')"
expect_eq "day: ratio target applies" 1.1 "$(fig $D 'labour efficiency' achievement)"
expect_eq "day: the month's sales target does not" null "$(fig $D 'service sales' target)"
expect_eq "day: the re-planned day's calls, 1 made / 2 due" "50 reminders made / reminders due = 1 / 2" \
    "$(fig $D 'reminder execution rate') $(fig $D 'reminder execution rate' formula)"
REPORT=$("$ASCTL" --config "$CONFIG" --json kpi report --month $MONTH --day $DAY2)
expect_eq "day 2: 2 due, none made" "0 2" \
    "$(fig $D 'reminder execution rate') $(echo "$REPORT" | jq -r '.rows[0].counters.reminders_due')"
REPORT=$("$ASCTL" --config "$CONFIG" --json kpi report --day 2026-11-26)
expect_eq "an empty day" "0 undefined" "$(fig $D 'vehicles handed over') $(fig $D 'labour efficiency')"

# --- the repair orders behind a figure (kpi.figure.ros) --------------------------
ros_of() { # ros_of PERIOD FIGURE JQ-of-an-RO: the listed ROs, one word each
    ctl call kpi.figure.ros "$1" "figure=$2" | jq -r "[.reply.ros[]? | $3] | join(\" \")"
}
expect_eq "first-time fix of the day: inspected, passed first" "RO-1:1:1 RO-2:1:1 RO-3:1:0" \
    "$(ros_of day=$DAY 'first-time-fix rate' '"\(.ro_number):\(.counters.ros_inspected // 0):\(.counters.ros_first_pass // 0)"')"
expect_eq "comeback rate of the month: the comeback RO and the delivered ones" \
    "RO-1:0:1 RO-2:0:1 RO-3:0:1 RO-4:1:0" \
    "$(ros_of month=$MONTH 'comeback rate' '"\(.ro_number):\(.counters.comebacks // 0):\(.counters.ros_delivered // 0)"')"
expect_eq "service sales: each RO's labour + parts" "RO-1:60000 RO-2:27000 RO-3:26000" \
    "$(ros_of day=$DAY 'service sales' '"\(.ro_number):\((.counters.labour_sales_cents // 0 | tonumber) + (.counters.parts_sales_cents // 0 | tonumber))"')"
expect_eq "the counters of actual hours" '["actual_minutes"]' \
    "$(ctl call kpi.figure.ros month=$MONTH 'figure=actual hours' | jq -c .reply.counters)"
expect_eq "actual hours: each RO's clocked minutes" "RO-1:120 RO-2:90 RO-3:90" \
    "$(ros_of month=$MONTH 'actual hours' '"\(.ro_number):\(.counters.actual_minutes)"')"
expect_eq "available hours are not counted per RO" "0 0" \
    "$(ctl call kpi.figure.ros month=$MONTH 'figure=available hours' | jq -r '"\(.reply.counters // [] | length) \(.reply.ros // [] | length)"')"
expect_eq "an empty day lists no RO" "" "$(ros_of day=2026-11-26 'vehicles handed over' .ro_number)"
ctl call kpi.figure.ros month=$MONTH 'figure=happiness' >"$T/out" 2>&1 && fail "an unknown figure was answered"
grep -q "not a figure of kpi.report" "$T/out" || fail "unknown figure: $(cat "$T/out")"

# --- the repair orders behind a person's figure (kpi.figure.ros by, key) ---------
pros_of() { # pros_of PERIOD BY KEY FIGURE JQ-of-an-RO
    ctl call kpi.figure.ros "$1" "by=$2" "key=$3" "figure=$4" | jq -r "[.reply.ros[]? | $5] | join(\" \")"
}
# tech-07's sold hours 4.50 h = RO-1 180 min + RO-3 90 min (RO-2 was tech-08's)
expect_eq "tech-07 sold hours: RO-1 180 + RO-3 90 = 270 min" "RO-1:180 RO-3:90" \
    "$(pros_of month=$MONTH technician tech-07 'sold hours' '"\(.ro_number):\(.counters.sold_minutes)"')"
# tech-07's actual hours 3.50 h = RO-1 120 + RO-3 60 + 30 (the rework) = 210 min
expect_eq "tech-07 actual hours: RO-1 120 + RO-3 (60 + 30)" "RO-1:120 RO-3:90" \
    "$(pros_of day=$DAY technician tech-07 'actual hours' '"\(.ro_number):\(.counters.actual_minutes)"')"
# tech-07's first-time fix 1/2: RO-1 passed first, RO-3 after its failure
expect_eq "tech-07 first-time fix: RO-1 1/1, RO-3 1/0" "RO-1:1:1 RO-3:1:0" \
    "$(pros_of month=$MONTH technician tech-07 'first-time-fix rate' '"\(.ro_number):\(.counters.ros_inspected // 0):\(.counters.ros_first_pass // 0)"')"
# tech-07's comeback rate 1/2: RO-4 came back; RO-1 and RO-3 delivered
expect_eq "tech-07 comeback rate: RO-4's comeback over RO-1, RO-3 delivered" "RO-1:0:1 RO-3:0:1 RO-4:1:0" \
    "$(pros_of month=$MONTH technician tech-07 'comeback rate' '"\(.ro_number):\(.counters.comebacks // 0):\(.counters.ros_delivered // 0)"')"
# adv-wang's gross profit 378.00, per RO: labour + parts sales - parts cost - labour cost
#   RO-1: 300.00 + 300.00 - 200.00 - 120 min x 60.00/h (120.00) = 280.00
#   RO-2: 120.00 + 150.00 - 100.00 -  90 min x 48.00/h  (72.00) =  98.00
expect_eq "adv-wang gross profit: RO-1 28000 + RO-2 9800 = 37800" "RO-1:28000 RO-2:9800" \
    "$(pros_of month=$MONTH advisor adv-wang 'gross profit' '"\(.ro_number):\((.counters.labour_sales_cents // 0 | tonumber) + (.counters.parts_sales_cents // 0 | tonumber) - (.counters.parts_cost_cents // 0 | tonumber) - (.counters.labour_cost_cents // 0 | tonumber))"')"
expect_eq "adv-zhou csi: RO-3's 7" "RO-3:7:1" \
    "$(pros_of day=$DAY advisor adv-zhou csi '"\(.ro_number):\(.counters.csi_sum):\(.counters.csi_count)"')"
expect_eq "the reply names whose figure" "technician tech-08 RO-2" \
    "$(ctl call kpi.figure.ros month=$MONTH by=technician key=tech-08 'figure=sold hours' | jq -r '"\(.reply.by) \(.reply.key) \(.reply.ros[0].ro_number)"')"
# every figure of every person: the listed ROs' shares of each counter add up
# to the person's counters in kpi report (month and day)
# (queued, then asked in one asctl batch and checked in one jq: sums_check)
SUMS=()
sums_match() { # sums_match PERIOD_ARGS(report) PERIOD(call) BY KEY FIGURE
    SUMS+=("$(jq -nc --arg rep "$1" --arg call "$2" --arg by "$3" --arg key "$4" --arg figure "$5" \
        '{$rep, $call, $by, $key, $figure}')")
}
# sums_check: for each queued figure whose reply names counters, the sums of
# the listed ROs' shares (got) against the row of kpi report (want)
sums_check() {
    local cases reports what want got checked=0 answers
    cases=$(printf '%s\n' "${SUMS[@]}" | jq -sc .)
    reports=$(jq -c '[.[] | {rep, by}] | unique' <<<"$cases")
    answers=$({
        jq -r '.[] | "kpi report \(.rep) --by \(.by)"' <<<"$reports"
        jq -r '.[] | [.call, "by=\(.by)", "key=\(.key)", "figure=\(.figure)"] | map(@sh) |
            "call kpi.figure.ros " + join(" ")' <<<"$cases"
    } | { ctl batch || true; })
    expect_eq "an answer to each report and figure asked" \
        $(($(jq length <<<"$reports") + $(jq length <<<"$cases"))) "$(wc -l <<<"$answers")"
    while IFS=$'\t' read -r what want got; do
        expect_eq "$what" "$want" "$got"
        checked=$((checked + 1))
    done < <(jq -s -r --argjson cases "$cases" --argjson reps "$reports" '. as $all |
        ($reps | length) as $nr |
        ([range(0; $nr) | {key: "\($reps[.].rep)|\($reps[.].by)", value: $all[.]}] | from_entries) as $report |
        range(0; $cases | length) as $i | $cases[$i] as $c | $all[$nr + $i] as $got |
        ($got.reply.counters // []) as $cs | select($cs != []) |
        [$cs[] as $x | [$got.reply.ros[]? | .counters[$x] // 0 | tonumber] | add // 0] as $g |
        [$report["\($c.rep)|\($c.by)"].rows[]? | select(.key == $c.key) | .counters as $r |
         [$cs[] as $x | $r[$x] // 0 | tonumber] | tojson] as $w |
        "\($c.by) \($c.key) \($c.figure) (\($c.call)): the ROs\u0027 shares add up to the row\t\($w | join(" "))\t\($g | tojson)"' \
        <<<"$answers")
    [ "$checked" -gt 0 ] || fail "no figure's ROs were checked against its row"
    log "$checked figures' ROs checked against their rows"
}
for figure in "labour efficiency" "sold hours" "actual hours" "first-time-fix rate" "comeback rate" \
    "appointment rate" "vehicles handed over" "service sales" "labour sales" "parts sales" \
    "parts cost" "gross profit" "labour gross profit" "csi" "csi top share" "customer-pay ros"; do
    for who in technician:tech-07 technician:tech-08 advisor:adv-wang advisor:adv-zhou; do
        sums_match "--month $MONTH" month=$MONTH "${who%%:*}" "${who#*:}" "$figure"
    done
    sums_match "--month $MONTH --day $DAY" day=$DAY technician tech-07 "$figure"
done
sums_check
expect_eq "bay-1 actual hours: RO-1 120 + RO-3 90" "RO-1:120 RO-3:90" \
    "$(pros_of month=$MONTH bay bay-1 'actual hours' '"\(.ro_number):\(.counters.actual_minutes)"')"
expect_eq "someone with no ROs lists none" "" "$(pros_of month=$MONTH advisor clerk-li 'csi' .ro_number)"
expect_eq "by without key" "key is required with by=technician (the technician's id)" \
    "$(ctl call kpi.figure.ros month=$MONTH by=technician 'figure=sold hours' | json .error)"
expect_eq "unknown by" "by 'colour' is not department, technician, advisor or bay" \
    "$(ctl call kpi.figure.ros month=$MONTH by=colour key=x 'figure=sold hours' | json .error)"
expect_eq "key without by" "key 'tech-07' needs by (technician, advisor or bay); the department has none" \
    "$(ctl call kpi.figure.ros month=$MONTH key=tech-07 'figure=sold hours' | json .error)"

# --- CSV and table --------------------------------------------------------------
csv=$("$ASCTL" --config "$CONFIG" kpi report --month $MONTH --by technician --csv)
expect_eq "csv lines (header + 2)" 3 "$(echo "$csv" | wc -l)"
expect_eq "csv header" "technician,labour efficiency,labour utilisation" "$(echo "$csv" | head -1 | cut -d, -f1-3)"
expect_eq "csv tech-07 row" "tech-07,128.5714,43.7500" "$(echo "$csv" | sed -n 2p | cut -d, -f1-3)"
expect_eq "csv achievement column" "labour efficiency achievement" "$(echo "$csv" | head -1 | awk -F, '{print $NF}')"
table=$("$ASCTL" --config "$CONFIG" kpi report --month $MONTH -o wide)
echo "$table" >&2
expect_eq "table has the department row with efficiency and achievement" 1 \
    "$(echo "$table" | grep -c '^department .*110\.0% (110%)')"
expect_eq "table lists the formulas" 1 "$(echo "$table" | grep -c 'sold / actual = 5.50 h / 5.00 h -> 110.0% (target 100)')"
expect_eq "table shows the hours and amounts" "1 1" \
    "$(echo "$table" | grep -c '  sold hours .* sold minutes / 60 = 330 / 60 -> 5.50 h$') $(echo "$table" | grep -c '  parts cost .* parts cost = 35000 cents -> 350.00$')"
table=$("$ASCTL" --config "$CONFIG" kpi report --month $MONTH --by advisor -o wide)
expect_eq "advisor table rows" 3 "$(echo "$table" | grep -cE '^(adv-wang|adv-zhou|clerk-li) ')"
rc=0; "$ASCTL" --config "$CONFIG" kpi report --help >/dev/null || rc=$?
expect_eq "kpi report --help" 0 "$rc"

# --- bad input: clear errors, nothing written ------------------------------------
rc=0; out=$("$ASCTL" --config "$CONFIG" kpi report --month 2026-13 2>&1) || rc=$?
expect_eq "bad month refused (exit 1)" 1 "$rc"
expect_eq "bad month error" 1 "$(echo "$out" | grep -c "month '2026-13' is not a month (YYYY-MM)")"
rc=0; "$ASCTL" --config "$CONFIG" kpi report >/dev/null 2>&1 || rc=$?
expect_eq "no month: usage" 64 "$rc"
expect_eq "unknown --by" invalid "$(ctl call kpi.report month=$MONTH by=colour | json .code)"
expect_eq "day outside the month" "day '2026-12-01' is not in month '2026-11'" \
    "$(ctl call kpi.report month=$MONTH day=2026-12-01 | json .error)"
expect_eq "report for someone not on the staff list" denied \
    "$(ctl --actor stranger call kpi.report month=$MONTH | json .code)"
out=$(ctl --actor sm-zhang call kpi.target.set month=$MONTH metric=speed value=5 || true)
expect_eq "unknown metric refused" invalid "$(echo "$out" | json .code)"
expect_eq "unknown metric error names it" 1 "$(echo "$out" | json .error | grep -c "^metric 'speed' is unknown (metrics: labour efficiency, ")"
out=$(ctl --actor adv-wang call kpi.target.set month=$MONTH "metric=labour utilisation" value=90 || true)
expect_eq "advisor may not set targets" denied "$(echo "$out" | json .code)"
expect_eq "wrong role error" "kpi.target.set: 'adv-wang' is not a service_manager or parts_manager" \
    "$(echo "$out" | json .error)"
expect_eq "bad target month" "month '2026-1' is not a month (YYYY-MM)" \
    "$(ctl --actor sm-zhang call kpi.target.set month=2026-1 "metric=csi" value=9 | json .error)"
expect_eq "target value 0" invalid \
    "$(ctl --actor sm-zhang call kpi.target.set month=$MONTH "metric=csi" value=0 | json .code)"
expect_eq "no event emitted by the refused commands" 2 "$(ctl status kpi | json '.services[0].last_seq')"
REPORT=$("$ASCTL" --config "$CONFIG" --json kpi report --month $MONTH)
expect_eq "no target written by the refused commands" "null null" \
    "$(fig $D 'labour utilisation' target) $(fig $D 'csi' target)"

# --- a peer event that does not decode is skipped, not counted -----------------
emit $REC reception.followup.recorded "{\"ro_number\":\"RO-2\",\"csi_score\":0,\"date\":\"$DAY\"}"
wait_applied $REC
REPORT=$("$ASCTL" --config "$CONFIG" --json kpi report --month $MONTH)
expect_eq "a score of 0 is not counted" 8.5 "$(fig $D 'csi')"

# --- restart: the counters are in the store ------------------------------------
stop kpi
start_service kpi
REPORT=$("$ASCTL" --config "$CONFIG" --json kpi report --month $MONTH)
expect_eq "after a restart" "110 49800" "$(fig $D 'labour efficiency') $(fig $D 'gross profit')"
# the plan kpi counted for $DAY is in the store: planning it again after the
# restart still replaces it (2 -> 1 call: 1 made / 3 due)
emit $REC reception.reminder.planned "$(planned $DAY JN1AZ4EH7DM430111)"
wait_applied $REC
REPORT=$("$ASCTL" --config "$CONFIG" --json kpi report --month $MONTH)
expect_eq "re-planned after a restart: 1 made / 3 due" 33.33 "$(fig $D 'reminder execution rate')"
# --- appointments count on their slot's day ------------------------------------
# Booked on 2026-12-28 (the event's day) by clerk-li, no advisor yet: B1 for
# 2027-01-04 arrives (handed to adv-zhou after booking), B2 for 2027-01-04 does
# not come (a no-show: booked, not arrived), B3 for 2026-12-30 arrives.
booked() { # booked ID SLOT
    emit $REC reception.appointment.booked \
        "{\"appointment\":{\"appointment_id\":\"$1\",\"slot\":\"$2\",\"booked_by\":\"clerk-li\"},\"date\":\"2026-12-28\"}"
}
arrived() { # arrived ID SLOT DATE
    emit $REC reception.appointment.arrived \
        "{\"appointment\":{\"appointment_id\":\"$1\",\"slot\":\"$2\",\"booked_by\":\"clerk-li\",\"advisor\":\"adv-zhou\"},\"date\":\"$3\"}"
}
booked B1 2027-01-04T09:00
booked B2 2027-01-04T10:00
booked B3 2026-12-30T09:00
arrived B3 2026-12-30T09:00 2026-12-30
arrived B1 2027-01-04T09:00 2027-01-04
wait_applied $REC
kept() { # kept PERIOD_ARGS...: "rate booked arrived" of the department
    REPORT=$("$ASCTL" --config "$CONFIG" --json kpi report "$@")
    echo "$(fig $D 'appointment kept rate') $(echo "$REPORT" | jq -r '.rows[0].counters | "\(.appointments_booked) \(.appointments_arrived)"')"
}
expect_eq "december: only B3's slot is in it, 1 arrived of 1" "100 1 1" "$(kept --month 2026-12)"
expect_eq "january: B1 arrived, B2 did not: 1 of 2" "50 2 1" "$(kept --month 2027-01)"
expect_eq "the slot's day: 1 of 2" "50 2 1" "$(kept --day 2027-01-04)"
expect_eq "the booking's day counts none" "undefined 0 0" "$(kept --day 2026-12-28)"
REPORT=$("$ASCTL" --config "$CONFIG" --json kpi report --month 2027-01 --by advisor)
expect_eq "the arrival counts for whom the booking counted: clerk-li 1 of 2" \
    "clerk-li 50" "$(echo "$REPORT" | jq -r '[.rows[].key] | join(" ")') $(fig clerk-li 'appointment kept rate')"

# --- bay utilisation over the days worked ------------------------------------------
# 2026-12: shifts on the 1st, 2nd and 3rd only (tech-07 and tech-08, 8 h each):
# 3 days worked of 31. Clocked: tech-07 480 min a day on bay-1, tech-08 330 min
# a day on bay-2: 2430 min = 40.50 h. Bays: 2 x 9 h x 3 d = 54 h: 75 %
# (not 40.50 / (2 x 9 x 31) = 7.26 %); available 6 x 8 h = 48 h: labour
# utilisation 84.38 %.
for d in 2026-12-01 2026-12-02 2026-12-03; do
    for t in tech-07 tech-08; do
        emit $WS workshop.shift.recorded "{\"attendance\":{\"tech_id\":\"$t\",\"date\":\"$d\",\"minutes\":480}}"
    done
    emit $WS workshop.clock.stopped "{\"ro_number\":\"RO-D$d\",\"job_no\":1,\"tech_id\":\"tech-07\",\"bay_id\":\"bay-1\",\"minutes\":480,\"date\":\"$d\"}"
    emit $WS workshop.clock.stopped "{\"ro_number\":\"RO-D$d\",\"job_no\":1,\"tech_id\":\"tech-08\",\"bay_id\":\"bay-2\",\"minutes\":330,\"date\":\"$d\"}"
done
wait_applied $WS
REPORT=$("$ASCTL" --config "$CONFIG" --json kpi report --month 2026-12)
expect_eq "december bay utilisation 40.50 h / (2 x 9 h x 3 d)" \
    "75 actual / (bays x hours a day x days worked) = 40.50 h / (2 x 9 h x 3 d)" \
    "$(fig $D 'bay utilisation') $(fig $D 'bay utilisation' formula)"
expect_eq "december labour utilisation 40.50 / 48" 84.38 "$(fig $D 'labour utilisation')"
REPORT=$("$ASCTL" --config "$CONFIG" --json kpi report --month 2026-12 --by bay)
expect_eq "bay-1 24 h / 27 h, bay-2 16.50 h / 27 h" "88.89 61.11" \
    "$(fig bay-1 'bay utilisation') $(fig bay-2 'bay utilisation')"
REPORT=$("$ASCTL" --config "$CONFIG" --json kpi report --day 2026-12-02)
expect_eq "one day worked: 13.50 h / (2 x 9 h)" 75 "$(fig $D 'bay utilisation')"
REPORT=$("$ASCTL" --config "$CONFIG" --json kpi report --day 2026-12-05)
expect_eq "a day without shifts: no bay hours" undefined "$(fig $D 'bay utilisation')"

# --- a year (issue 16): its 12 months added up --------------------------------------
# 2026 holds November's days (above) and December's three: the year's clocked
# minutes are November's + December's 2430 (3 x (480 + 330)), tech-07's
# November's + 3 x 480 = 1440
year() { "$ASCTL" --config "$CONFIG" --json kpi report --year 2026 "$@"; }
cnt() { jq -r --arg k "$1" --arg c "$2" '.rows[] | select(.key == $k) | .counters[$c]'; }
nov_actual=$("$ASCTL" --config "$CONFIG" --json kpi report --month 2026-11 | cnt $D actual_minutes)
expect_eq "2026's actual minutes: november's $nov_actual + december's 2430" $((nov_actual + 2430)) \
    "$(year | cnt $D actual_minutes)"
nov_tech=$("$ASCTL" --config "$CONFIG" --json kpi report --month 2026-11 --by technician | cnt tech-07 actual_minutes)
expect_eq "2026's tech-07: november's $nov_tech + december's 1440" $((nov_tech + 1440)) \
    "$(year --by technician | cnt tech-07 actual_minutes)"
# every counter of every row (department, technician, advisor, bay) but the
# levels is the sum of the 12 months' (levels: at the year's end)
for by in department technician advisor bay; do
    months=$(for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
        printf -- '--actor sm-zhang kpi report --month 2026-%s --by %s --json\n' $m $by
    done | "$ASCTL" --config "$CONFIG" batch | jq -s -c '[.[].rows[]? | {key, c: .counters}] |
        group_by(.key) | map({key: .[0].key, c: (map(.c | to_entries[]) | group_by(.key) |
        map({key: .[0].key, value: (map(.value | tonumber) | add)}) | from_entries)})')
    flows='[.[] | {key, c: (.c | del(.tools_registered, .tools_good, .stock_value_cents, .stock_issue_cost_cents, .stock_value_sum_cents, .stock_value_days, .units_in_operation, .vehicles_waiting, .bays, .calibrations_overdue, .product_sales_target_cents, .reports_due, .reports_on_time, .reports_submitted, .reports_corrected) | map_values(tonumber))}] | sort_by(.key)'
    want=$(echo "$months" | jq -S -c "$flows")
    got=$(year --by $by | jq -c '[.rows[] | {key, c: .counters}]' | jq -S -c "$flows")
    [ "$want" = "$got" ] && log "ok: 2026 by $by: every counter of $(echo "$got" | jq length) rows is the sum of the 12 months'" ||
        fail "2026 by $by: not the sum of the months: $(diff <(echo "$want" | jq .) <(echo "$got" | jq .) | head -10)"
done
# a year's targets: labour efficiency 100 for November (above) and 120 for
# December: their mean, 110; service sales 100,000 (November) + 50,000
# (December) = 150,000, a count's or an amount's are added up
ctl --actor sm-zhang call kpi.target.set month=2026-12 "metric=labour efficiency" value=120 >/dev/null
ctl --actor pm-chen call kpi.target.set month=2026-12 "metric=service sales" value=50000 >/dev/null
REPORT=$(year)
expect_eq "2026: period and targets (labour efficiency (100 + 120) / 2, service sales 100000 + 50000)" \
    "2026 110 150000" "$(echo "$REPORT" | jq -r .period) $(fig $D 'labour efficiency' target) $(fig $D 'service sales' target)"
expect_eq "a year goes alone" "year '2026' goes alone: a year's report is its 12 months (no month or day)" \
    "$(ctl --actor sm-zhang call kpi.report year=2026 month=2026-11 | json .error)"
expect_eq "a year is YYYY" "year '2026-11' is not a year (YYYY, 1970 or later)" \
    "$(ctl --actor sm-zhang call kpi.report year=2026-11 | json .error)"
finish
