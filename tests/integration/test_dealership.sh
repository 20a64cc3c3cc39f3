#!/usr/bin/env bash
# labels: dealership fault
# timeout: 400
# A small day through the real reception, workshop, parts and kpi daemons,
# driven through asctl as the staff would: six repair orders with one QC fail
# then rework, one extra defect approved and one declined, one estimate above
# the advisor's limit, one comeback and one parts backorder. Each service's
# state and every KPI of the report are checked against figures worked out by
# hand below. Then the independence check: parts is down while a vehicle
# completes QC; reception still marks it ready, and parts, restarted, records
# the consumption exactly once.
. "$(dirname "$0")/lib.sh"
setup dealership
evening_clock

sed -i 's/^services = .*/services = reception, workshop, parts, kpi/' "$CONFIG"
cat >>"$CONFIG" <<INI

[reception]
endpoint = ipc://$T/reception.sock
follows = workshop, parts
heartbeat_ms = 200
[workshop]
endpoint = ipc://$T/workshop.sock
follows = reception
heartbeat_ms = 200
[parts]
endpoint = ipc://$T/parts.sock
follows = workshop
heartbeat_ms = 200
[kpi]
endpoint = ipc://$T/kpi.sock
follows = reception, workshop, parts
heartbeat_ms = 200
working_hours_per_day = 9

[staff]
svc-mgr = service_manager
fdm-li = front_desk_manager
adv-wang = advisor limit=1000
clerk-sun = info_clerk
fm-liu = foreman
qc-ma = qc_inspector
tech-a = technician
tech-b = technician
wh-zhou = warehouse_keeper
INI

start_bus bus
for s in reception workshop parts kpi; do start_service "$s"; done

DAY=$(date +%F)
MONTH=${DAY:0:7}
day_start=$(date -d "$DAY 00:00" +%s)
at() { echo $(((day_start + $1 * 3600 + $2 * 60) * 1000000)); } # at HH MM -> at_us

as() { # as ACTOR COMMAND FIELD=VALUE...: must succeed
    local who=$1 out
    shift
    if ! out=$(ctl --actor "$who" call "$@"); then
        fail "$who $*: $(echo "$out" | json .error)"
        return 1
    fi
    echo "$out"
}
ask() { as "$@" >/dev/null; }

# a VIN with the right check digit (ISO 3779) from 16 other characters
vin() {
    local base=$1
    awk -v v="$base" 'BEGIN {
        split("8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2", w, " ")
        map = "A1B2C3D4E5F6G7H8J1K2L3M4N5P7R9S2T3U4V5W6X7Y8Z9"
        s = substr(v, 1, 8) "0" substr(v, 9); sum = 0
        for (i = 1; i <= 17; i++) {
            c = substr(s, i, 1)
            if (c ~ /[0-9]/) n = c + 0; else n = substr(map, index(map, c) + 1, 1) + 0
            sum += n * w[i]
        }
        d = sum % 11; printf "%s%s%s\n", substr(s, 1, 8), (d == 10 ? "X" : d), substr(s, 10)
    }'
}

ro() { ctl --actor adv-wang call reception.ro.show ro_number="$1" | json ".reply$2"; }
ro_is() { [ "$(ro "$1" "$2")" = "$3" ]; }
work_jobs_are() { [ "$(ctl --actor fm-liu call workshop.ro.show ro_number="$1" | json '.reply.jobs | length')" = "$2" ]; }
consumed() { [ "$(ro "$1" .parts_consumed_cents)" != null ]; }

# --- the morning: people, bays, parts, customers ------------------------------------
ask fm-liu workshop.technician.register tech_id=tech-a name="Zhang A" skills=maintenance \
    skills=chassis level=2 hourly_cost_cents=10000
ask fm-liu workshop.technician.register tech_id=tech-b name="Li B" skills=engine \
    skills=electrical level=3 hourly_cost_cents=10000
knows_skills() { # reception refuses a job naming a skill it has not learnt from the workshop
    [ "$(ctl --actor adv-wang call reception.skill.list | json '.reply.skills | length')" = 4 ]
}
wait_for "reception knows the technicians' skills" knows_skills
ask fm-liu workshop.bay.register bay_id=B1 kind=lift
ask fm-liu workshop.bay.register bay_id=B2 kind=lift
ask fm-liu workshop.shift.record tech_id=tech-a date="$DAY" minutes=480
ask fm-liu workshop.shift.record tech_id=tech-b date="$DAY" minutes=480
ask wh-zhou parts.part.define part_number=P-OIL description="engine oil 1 l" cost_cents=4000 price_cents=8000 bin=A-1
ask wh-zhou parts.part.define part_number=P-FLT description="oil filter" cost_cents=2000 price_cents=5000 bin=A-2
ask wh-zhou parts.part.define part_number=P-PAD description="brake pads" cost_cents=40000 price_cents=80000 bin=B-1
ask wh-zhou parts.receipt.record receipt_id=R-1 supplier=OEM \
    lines='[{"part_number":"P-OIL","expected":10,"received":10},
            {"part_number":"P-FLT","expected":5,"received":5},
            {"part_number":"P-PAD","expected":1,"received":0,"discrepancy":"MISSING","note":"not in the box"}]'
for i in 1 2 3 4 5; do
    ask adv-wang reception.customer.register customer_id=C$i name="Customer $i" phone=1390000000$i
    V[$i]=$(vin "JNKCV61E9M30000$i")
    ask adv-wang reception.vehicle.register vin="${V[$i]}" plate=LU-B0000$i customer_id=C$i \
        sale_date=2024-05-0$i mileage_km=$((20000 + i * 1000))
done
# appointments: A1, A2 arrive; A3 is a no-show; A4 is cancelled
who=(0 1 3 4 5) # appointment -> customer: A1 is RO-1's, A2 is RO-3's
for a in 1 2 3 4; do
    c=${who[$a]}
    ask clerk-sun reception.appointment.book appointment_id=A$a customer_id=C$c vin="${V[$c]}" \
        slot="${DAY}T$(printf %02d $((7 + a))):00" reason=service channel=phone
done
ask clerk-sun reception.appointment.assign appointment_id=A1 advisor=adv-wang
ask clerk-sun reception.appointment.assign appointment_id=A2 advisor=adv-wang
ask clerk-sun reception.appointment.no_show appointment_id=A3
ask clerk-sun reception.appointment.cancel appointment_id=A4
ask adv-wang reception.appointment.arrive appointment_id=A1
ask adv-wang reception.appointment.arrive appointment_id=A2

# job JSON: job CONCERN PAY CODE MINUTES SKILL [PARTS_JSON]
job() {
    echo "{\"concern\":\"$1\",\"pay_type\":\"$2\",\"labour\":{\"code\":\"$3\",\"sold_minutes\":$4,\"rate_cents\":60000,\"skill\":\"$5\",\"min_level\":1},\"parts\":[${6:-}]}"
}
open_ro() { # open_ro RO VEHICLE MILEAGE JOBS [APPOINTMENT]
    ask adv-wang reception.ro.open ro_number="$1" vin="${V[$2]}" mileage_km="$3" jobs="[$4]" \
        ${5:+appointment_id=$5}
}
consent() {
    ask adv-wang reception.ro.consent ro_number="$1" consent=signature
    wait_for "workshop has the jobs of $1" work_jobs_are "$1" "$2"
}
work() { # work RO JOB TECH BAY FROM_H FROM_M MINUTES [dispatch]
    local ro=$1 job_no=$2 tech=$3 bay=$4 on
    on=$(at "$5" "$6")
    [ "${8:-dispatch}" = dispatch ] && ask fm-liu workshop.job.dispatch ro_number="$ro" job_no="$job_no" tech_id="$tech" bay_id="$bay"
    ask "$tech" workshop.clock.on ro_number="$ro" job_no="$job_no" at_us="$on"
    ask "$tech" workshop.clock.off ro_number="$ro" job_no="$job_no" finished=true at_us=$((on + $7 * 60000000))
}
issue() { # issue ID RO JOB PART QTY TECH
    ask wh-zhou parts.issue issue_id="$1" ro_number="$2" job_no="$3" part_number="$4" quantity="$5" technician="$6" backorder=true
}
pass() {
    ask qc-ma workshop.qc.inspect ro_number="$1" kind=FINAL passed=true
    wait_for "$1 ready for delivery" ro_is "$1" .status RO_READY_FOR_DELIVERY
    wait_for "$1 parts settled" consumed "$1"
}
deliver() { # deliver RO [CSI]
    ask adv-wang reception.ro.deliver ro_number="$1"
    ask adv-wang reception.ro.close ro_number="$1"
    [ -n "${2:-}" ] && ask adv-wang reception.followup.record ro_number="$1" csi_score="$2"
    return 0
}

# RO-1 (appointment A1): oil service 60 min, oil x4 and a filter; estimate 600 + 320 + 50 = 970
open_ro RO-1 1 21500 "$(job "10,000 km service due" CUSTOMER_PAY MA100 60 maintenance \
    '{"part_number":"P-OIL","quantity":4,"unit_price_cents":8000},{"part_number":"P-FLT","quantity":1,"unit_price_cents":5000}')" A1
expect_eq "RO-1 within the advisor's limit" RO_AWAITING_CONSENT "$(ro RO-1 .status)"
expect_eq "RO-1 estimate" 97000 "$(ro RO-1 .estimate_cents)"
consent RO-1 1
ask fm-liu workshop.job.dispatch ro_number=RO-1 job_no=1 tech_id=tech-a bay_id=B1
ask tech-a workshop.clock.on ro_number=RO-1 job_no=1 at_us="$(at 8 30)"
issue I-1 RO-1 1 P-OIL 4 tech-a
issue I-2 RO-1 1 P-FLT 1 tech-a
ask tech-a workshop.clock.off ro_number=RO-1 job_no=1 finished=true at_us="$(at 9 30)"

# the independence check: parts is down while RO-1 completes QC
stop parts
ask qc-ma workshop.qc.inspect ro_number=RO-1 kind=FINAL passed=true
wait_for "RO-1 ready for delivery while parts is down" ro_is RO-1 .status RO_READY_FOR_DELIVERY
start_service parts
wait_for "RO-1 consumption recorded after parts came back" consumed RO-1
expect_eq "RO-1 parts charged (4 x 80.00 + 50.00)" 37000 "$(ro RO-1 .parts_consumed_cents)"
deliver RO-1 10

# RO-2 (walk-in): brake pads 90 min; 900 + 800 = 1700 is above adv-wang's 1000
open_ro RO-2 2 22400 "$(job "brakes squeal when stopping" CUSTOMER_PAY BR110 90 chassis \
    '{"part_number":"P-PAD","quantity":1,"unit_price_cents":80000}')"
expect_eq "RO-2 needs the manager" RO_AWAITING_APPROVAL "$(ro RO-2 .status)"
rc=0; ctl --actor adv-wang call reception.ro.approve ro_number=RO-2 >/dev/null || rc=$?
expect_eq "the advisor cannot approve above the limit" 1 "$rc"
ask fdm-li reception.ro.approve ro_number=RO-2
consent RO-2 1
ask fm-liu workshop.job.dispatch ro_number=RO-2 job_no=1 tech_id=tech-a bay_id=B1
ask tech-a workshop.clock.on ro_number=RO-2 job_no=1 at_us="$(at 9 40)"
rc=0; ctl --actor wh-zhou call parts.issue issue_id=I-X ro_number=RO-2 job_no=1 part_number=P-PAD \
    quantity=1 technician=tech-a >/dev/null || rc=$?
expect_eq "no pads on the shelf: refused without backorder" 1 "$rc"
issue I-3 RO-2 1 P-PAD 1 tech-a
ask wh-zhou parts.receipt.record receipt_id=R-2 supplier=OEM lines='[{"part_number":"P-PAD","expected":2,"received":2}]'
ask tech-a workshop.clock.off ro_number=RO-2 job_no=1 finished=true at_us="$(at 11 10)"
ask qc-ma workshop.qc.inspect ro_number=RO-2 kind=FINAL passed=false reasons="pedal still squeals" failed_jobs=1
work RO-2 1 tech-a B1 11 20 30 rework
pass RO-2
deliver RO-2 8

# RO-3 (appointment A2): diagnosis 60 min under warranty; an extra defect (30 min) approved
open_ro RO-3 3 23500 "$(job "engine warning light on" WARRANTY EL230 60 electrical)" A2
consent RO-3 1
ask fm-liu workshop.job.dispatch ro_number=RO-3 job_no=1 tech_id=tech-b bay_id=B2
ask tech-b workshop.clock.on ro_number=RO-3 job_no=1 at_us="$(at 8 30)"
ask tech-b workshop.defect.report report_id=D-3 ro_number=RO-3 job_no=1 description="battery weak" \
    labour='{"code":"EL210","sold_minutes":30,"rate_cents":60000,"skill":"electrical","min_level":1}'
wait_for "reception has the extra-defect request" bash -c "[ \"\$($ASCTL --json --config $CONFIG --actor adv-wang call reception.ro.show ro_number=RO-3 | jq -r '.reply.extra_work | length')\" = 1 ]"
ask adv-wang reception.extra_work.answer ro_number=RO-3 request_id=D-3 approved=true
ask tech-b workshop.clock.off ro_number=RO-3 job_no=1 finished=true at_us="$(at 9 30)"
wait_for "workshop has the extra job" work_jobs_are RO-3 2
work RO-3 2 tech-b B2 9 40 30
pass RO-3
deliver RO-3

# RO-4 (walk-in): A/C service 75 min; an extra defect declined
open_ro RO-4 4 24600 "$(job "air conditioning not cold" CUSTOMER_PAY AC510 75 electrical)"
consent RO-4 1
ask fm-liu workshop.job.dispatch ro_number=RO-4 job_no=1 tech_id=tech-b bay_id=B2
ask tech-b workshop.clock.on ro_number=RO-4 job_no=1 at_us="$(at 10 20)"
ask tech-b workshop.defect.report report_id=D-4 ro_number=RO-4 job_no=1 description="wiper blades worn" \
    labour='{"code":"WB100","sold_minutes":15,"rate_cents":60000}'
wait_for "reception has the second request" bash -c "[ \"\$($ASCTL --json --config $CONFIG --actor adv-wang call reception.ro.show ro_number=RO-4 | jq -r '.reply.extra_work | length')\" = 1 ]"
ask adv-wang reception.extra_work.answer ro_number=RO-4 request_id=D-4 approved=false
ask tech-b workshop.clock.off ro_number=RO-4 job_no=1 finished=true at_us="$(at 11 35)"
pass RO-4
deliver RO-4 6

# RO-5 (walk-in): alignment 60 min
open_ro RO-5 5 25700 "$(job "car pulls to the left" CUSTOMER_PAY SU410 60 chassis)"
consent RO-5 1
work RO-5 1 tech-a B1 12 0 60
pass RO-5
deliver RO-5 9

# RO-6: the vehicle of RO-2 back with the same concern: a comeback, fixed under goodwill, 45 min
open_ro RO-6 2 22450 "$(job "brakes squeal when stopping" GOODWILL BR115 45 chassis)"
expect_eq "RO-6 is a comeback of RO-2" RO-2 "$(ro RO-6 .comeback_of)"
consent RO-6 1
work RO-6 1 tech-a B1 14 0 45
pass RO-6
deliver RO-6

# --- each service's state ---------------------------------------------------------------
for r in 1 2 3 4 5 6; do expect_eq "RO-$r closed" RO_CLOSED "$(ro RO-$r .status)"; done
expect_eq "RO-2 invoice: labour 900.00 + parts 800.00" "90000 80000 170000" \
    "$(ro RO-2 '.invoice | "\(.labour_cents) \(.parts_cents) \(.total_cents)"')"
expect_eq "RO-3 invoice: labour of both jobs" 90000 "$(ro RO-3 .invoice.labour_cents)"
expect_eq "RO-4 declined job not invoiced" 75000 "$(ro RO-4 .invoice.labour_cents)"
ws() { ctl --actor fm-liu call workshop.ro.show ro_number="$1" | json ".reply$2"; }
expect_eq "RO-2 needed two final inspections" 1 "$(ws RO-2 .final_failures)"
expect_eq "RO-2 job 1 clocked 90 + 30 min" 120 "$(ws RO-2 '.jobs[0].actual_minutes')"
stock() { ctl --actor wh-zhou call parts.stock.query part_number="$1" | json '.reply.parts[0].on_hand'; }
expect_eq "oil left 10 - 4" 6 "$(stock P-OIL)"
expect_eq "filters left 5 - 1" 4 "$(stock P-FLT)"
expect_eq "pads: 2 received, 1 went to the backorder" 1 "$(stock P-PAD)"
consumptions=$(ctl tap parts.consumption --since parts@test:1 --wait 1500 | jq -r 'select(.type=="parts.consumption.recorded") | .subject' | sort | uniq -c | awk '{print $1}' | sort -u)
expect_eq "each RO's consumption recorded exactly once" 1 "$consumptions"

# --- every KPI, worked out by hand ----------------------------------------------------------
# sold (QC-passed jobs): 60 + 90 + (60 + 30) + 75 + 60 + 45 = 420 min = 7.00 h
# actual (clocked):      60 + (90 + 30) + (60 + 30) + 75 + 60 + 45 = 450 min = 7.50 h
# available:             480 + 480 = 960 min = 16.00 h
# labour sales: 420 min x 600.00/h = 4200.00; parts sales 370.00 + 800.00 = 1170.00
# parts cost 4 x 40.00 + 20.00 + 400.00 = 580.00; labour cost 450 min x 100.00/h = 750.00
sleep 1
REPORT=$("$ASCTL" --config "$CONFIG" --actor svc-mgr kpi report --month "$MONTH" --json)
fig() {
    echo "$REPORT" | jq -r --arg n "$1" --arg f "${2:-}" \
        '.rows[] | select(.key=="department") | .figures[] | select(.name==$n) |
         if $f == "" then (if .defined then ((.value * 100 | round) / 100) else "undefined" end) else .[$f] end'
}
expect_eq "labour efficiency 7.00 / 7.50" 93.33 "$(fig 'labour efficiency')"
expect_eq "labour utilisation 7.50 / 16.00" 46.88 "$(fig 'labour utilisation')"
expect_eq "overall productivity 7.00 / 16.00" 43.75 "$(fig 'overall productivity')"
# the bays' hours on the days worked this month: the one day played
expect_eq "bay utilisation 7.50 / (2 x 9 h x 1 d)" 41.67 "$(fig 'bay utilisation')"
expect_eq "first-time fix: 5 of 6 passed at the first final inspection" 83.33 "$(fig 'first-time-fix rate')"
expect_eq "comeback rate 1 / 6" 16.67 "$(fig 'comeback rate')"
expect_eq "appointment rate 2 / 6" 33.33 "$(fig 'appointment rate')"
expect_eq "appointment kept rate 2 / 4" 50 "$(fig 'appointment kept rate')"
expect_eq "parts fill rate: 2 of 3 lines at first pick" 66.67 "$(fig 'parts fill rate')"
expect_eq "vehicles handed over" 6 "$(fig 'vehicles handed over')"
expect_eq "service sales 4200.00 + 1170.00" 537000 "$(fig 'service sales')"
expect_eq "gross profit 5370.00 - 580.00 - 750.00" 404000 "$(fig 'gross profit')"
expect_eq "labour gross profit 4200.00 - 750.00" 345000 "$(fig 'labour gross profit')"
expect_eq "csi (10 + 8 + 6 + 9) / 4" 8.25 "$(fig 'csi')"
expect_eq "csi top share 2 / 4" 50 "$(fig 'csi top share')"
expect_eq "customer-pay ROs (all but the goodwill comeback)" 5 "$(fig 'customer-pay ros')"
ask svc-mgr kpi.target.set month="$MONTH" "metric=vehicles handed over" value=8
REPORT=$("$ASCTL" --config "$CONFIG" --actor svc-mgr kpi report --month "$MONTH" --json)
expect_eq "handed over 6 of a target of 8" 0.75 "$(fig 'vehicles handed over' achievement)"
BYTECH=$("$ASCTL" --config "$CONFIG" --actor svc-mgr kpi report --month "$MONTH" --by technician --json)
tech_fig() { echo "$BYTECH" | jq -r --arg k "$1" --arg n "$2" '.rows[] | select(.key==$k) | .figures[] | select(.name==$n) | ((.value * 100 | round) / 100)'; }
# tech-a: sold 60 + 90 + 60 + 45 = 255, actual 60 + 120 + 60 + 45 = 285; tech-b: sold 165 = actual 165
expect_eq "tech-a efficiency 255 / 285" 89.47 "$(tech_fig tech-a 'labour efficiency')"
expect_eq "tech-b efficiency 165 / 165" 100 "$(tech_fig tech-b 'labour efficiency')"
expect_eq "tech-a utilisation 285 / 480" 59.38 "$(tech_fig tech-a 'labour utilisation')"
# tech-a delivered 255 min at 600.00/h = 2550.00 of labour and cost 285 min x 100.00/h = 475.00
expect_eq "tech-a labour sales" 255000 "$(tech_fig tech-a 'service sales')"
expect_eq "tech-a labour gross profit 2550.00 - 475.00" 207500 "$(tech_fig tech-a 'labour gross profit')"
finish
