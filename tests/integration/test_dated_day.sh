#!/usr/bin/env bash
# labels: dealership
# timeout: 180
# A day two weeks back keyed in afterwards (paper written during an outage),
# every fact with `asctl call --at` when it happened, without moving any
# clock: two appointments kept and one missed, two repair orders (one above
# the advisor's limit) dispatched, clocked, inspected and handed over. The
# day's and the month's KPI reports count it all on that day, the events
# carry both times, today counts none of it, and entries before the window
# are refused with the window's dates.
. "$(dirname "$0")/lib.sh"
setup dated_day

start_dealership # the default site (deploy/local.ini): its staff list and every daemon

DAY=$(date -d "14 days ago" +%F) # the day keyed in
MONTH=${DAY:0:7}
TODAY=$(date +%F)

# at HH:MM ACTOR COMMAND FIELD=VALUE...: a fact of the day, keyed in now; must succeed
at() {
    local when=$1 who=$2 out
    shift 2
    if ! out=$(ctl --actor "$who" call "$@" --at "$DAY $when"); then
        fail "$who $* at $when: $(echo "$out" | json .error)"
        return 1
    fi
}
ask() { # master data: not dated
    local who=$1
    shift
    ctl --actor "$who" call "$@" >/dev/null || fail "$who $*"
}
ro() { ctl --actor adv-wang call reception.ro.show ro_number="$1" | json ".reply$2"; }
ro_is() { [ "$(ro "$1" "$2")" = "$3" ]; }
work_jobs_are() { [ "$(ctl --actor foreman-liu call workshop.ro.show ro_number="$1" | json '.reply.jobs | length')" = "$2" ]; }
consumed() { [ "$(ro "$1" .parts_consumed_cents)" != null ]; }
job() { # job CONCERN CODE MINUTES SKILL: 600.00 an hour
    echo "{\"concern\":\"$1\",\"pay_type\":\"CUSTOMER_PAY\",\"labour\":{\"code\":\"$2\",\"sold_minutes\":$3,\"rate_cents\":60000,\"skill\":\"$4\",\"min_level\":1}}"
}

# --- master data (now) ------------------------------------------------------------
ask foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang A" skills=maintenance \
    skills=chassis level=2 hourly_cost_cents=10000
ask foreman-liu workshop.bay.register bay_id=B1 kind=lift
ask wh-zhou parts.part.define part_number=P-OIL description="engine oil 1 l" cost_cents=4000 \
    price_cents=8000 bin=A-1
VINS=(JNKCV61E29M300011 JNKCV61E49M300012 JNKCV61E69M300013)
for i in 0 1 2; do
    ask adv-wang reception.customer.register customer_id=C$i name="Customer $i" phone=139000000$i
    ask adv-wang reception.vehicle.register vin="${VINS[$i]}" plate=LU-D000$i customer_id=C$i \
        sale_date=2024-05-01 mileage_km=20000
done

# --- the day, from paper ------------------------------------------------------------
at 07:30 foreman-liu workshop.shift.record tech_id=tech-01 date="$DAY" minutes=540
at 07:40 wh-zhou parts.receipt.record receipt_id=R-1 supplier=OEM \
    lines='[{"part_number":"P-OIL","expected":10,"received":10}]'
for a in 0 1 2; do
    at "07:0$a" clerk-sun reception.appointment.book appointment_id=A$a customer_id=C$a \
        vin="${VINS[$a]}" slot="${DAY}T$(printf %02d $((8 + a))):00" reason=service channel=phone
done
at 10:30 clerk-sun reception.appointment.no_show appointment_id=A2

# RO-1 (A0): oil service sold 60 min, clocked 08:30-09:15 (45 min), 4 l of oil
at 08:00 adv-wang reception.appointment.arrive appointment_id=A0
at 08:05 adv-wang reception.ro.open ro_number=RO-1 vin="${VINS[0]}" mileage_km=21000 \
    appointment_id=A0 jobs="[$(job "oil service" MA100 60 maintenance)]"
at 08:10 adv-wang reception.ro.consent ro_number=RO-1 consent=signature
wait_for "workshop has RO-1's job" work_jobs_are RO-1 1
at 08:20 foreman-liu workshop.job.dispatch ro_number=RO-1 job_no=1 tech_id=tech-01 bay_id=B1
at 08:30 tech-01 workshop.clock.on ro_number=RO-1 job_no=1
at 08:35 wh-zhou parts.issue issue_id=I-1 ro_number=RO-1 job_no=1 part_number=P-OIL quantity=4 \
    technician=tech-01
at 09:15 tech-01 workshop.clock.off ro_number=RO-1 job_no=1 finished=true
at 09:25 qc-ma workshop.qc.inspect ro_number=RO-1 kind=FINAL passed=true
wait_for "RO-1 ready" ro_is RO-1 .status RO_READY_FOR_DELIVERY
wait_for "RO-1 parts settled" consumed RO-1
at 10:00 adv-wang reception.ro.deliver ro_number=RO-1

# RO-2 (A1): engine sold 480 min and wipers 30 min (5,100.00: above the advisor's
# 5,000.00, so the manager approves), clocked 09:30-16:30 (420 min) and 16:35-16:55 (20 min)
at 09:00 adv-wang reception.appointment.arrive appointment_id=A1
at 09:05 adv-wang reception.ro.open ro_number=RO-2 vin="${VINS[1]}" mileage_km=22000 \
    appointment_id=A1 jobs="[$(job "engine misfires" EN480 480 chassis),$(job "wipers smear" WP010 30 maintenance)]"
expect_eq "RO-2 (5,100.00) waits for the manager" RO_AWAITING_APPROVAL "$(ro RO-2 .status)"
at 09:08 fdm-li reception.ro.approve ro_number=RO-2
at 09:10 adv-wang reception.ro.consent ro_number=RO-2 consent=signature
wait_for "workshop has RO-2's jobs" work_jobs_are RO-2 2
at 09:25 foreman-liu workshop.job.dispatch ro_number=RO-2 job_no=1 tech_id=tech-01 bay_id=B1
at 09:30 tech-01 workshop.clock.on ro_number=RO-2 job_no=1
at 16:30 tech-01 workshop.clock.off ro_number=RO-2 job_no=1 finished=true
at 16:32 foreman-liu workshop.job.dispatch ro_number=RO-2 job_no=2 tech_id=tech-01 bay_id=B1
at 16:35 tech-01 workshop.clock.on ro_number=RO-2 job_no=2
at 16:55 tech-01 workshop.clock.off ro_number=RO-2 job_no=2 finished=true
at 17:05 qc-ma workshop.qc.inspect ro_number=RO-2 kind=FINAL passed=true
wait_for "RO-2 ready" ro_is RO-2 .status RO_READY_FOR_DELIVERY
wait_for "RO-2 parts settled" consumed RO-2
at 17:20 adv-wang reception.ro.deliver ro_number=RO-2

# --- what reception and the bus keep -------------------------------------------------
expect_eq "RO-1 opened on the day" "$(date -d "$DAY 08:05" +%s)000000" "$(ro RO-1 .opened_us)"
expect_eq "RO-2 handed over on the day" "$(date -d "$DAY 17:20" +%s)000000" "$(ro RO-2 .delivered_us)"
n=$(ctl status reception | jq -r '.services[0].last_seq')
opened=$(timeout 30 "$ASCTL" --json --config "$CONFIG" tap --since reception@local:1 --count "$n" |
    jq -c 'select(.type=="reception.ro.opened" and .subject=="RO-1")')
expect_eq "the opening's event: when it happened" "$(date -d "$DAY 08:05" +%s)000000" \
    "$(echo "$opened" | jq -r .occurred_us)"
recorded=$(echo "$opened" | jq -r .time_us)
if [ $((recorded / 1000000)) -ge $(($(date +%s) - 600)) ]; then
    log "ok: the opening's event was recorded now ($recorded)"
else
    fail "the opening's event says it was recorded at $recorded, not now"
fi

# --- the KPIs: the day's and the month's ------------------------------------------------
# sold: RO-1 60 + RO-2 480 + 30 = 570 min (9.50 h); actual: 45 + 420 + 20 = 485 min
# (8.08 h) of the 540 attended; labour sales 9.5 h x 600.00 = 5,700.00; 2 ROs opened
# (both from appointments) and handed over; 3 appointments booked, 2 arrived, 1 no-show
report() { "$ASCTL" --config "$CONFIG" --actor svc-mgr kpi report --month "$MONTH" ${1:+--day "$1"} --json; }
department() { jq -c '.rows[] | select(.key=="department")'; }
delivered_counted() { [ "$(report "$DAY" | department | jq -r .counters.ros_delivered)" = 2 ]; }
wait_for "kpi counted the day's two deliveries" delivered_counted
figure() { jq -r --arg n "$1" '.figures[] | select(.name==$n) | .value'; }
for period in day month; do
    [ $period = day ] && row=$(report "$DAY" | department) || row=$(report | department)
    c() { echo "$row" | jq -r ".counters.$1"; }
    expect_eq "$period: sold minutes" 570 "$(c sold_minutes)"
    expect_eq "$period: actual minutes" 485 "$(c actual_minutes)"
    expect_eq "$period: available minutes (the shift)" 540 "$(c available_minutes)"
    expect_eq "$period: labour sales" 570000 "$(c labour_sales_cents)"
    expect_eq "$period: ROs opened" 2 "$(c ros_opened)"
    expect_eq "$period: vehicles handed over" 2 "$(echo "$row" | figure "vehicles handed over")"
    expect_eq "$period: appointments booked" 3 "$(c appointments_booked)"
    expect_eq "$period: appointments arrived" 2 "$(c appointments_arrived)"
    expect_eq "$period: appointment rate (ROs from appointments)" 100 \
        "$(echo "$row" | figure "appointment rate" | cut -d. -f1)"
done
expect_eq "labour efficiency of the day: 570 / 485 min" "sold / actual = 9.50 h / 8.08 h" \
    "$(report "$DAY" | department | jq -r '.figures[] | select(.name=="labour efficiency") | .formula')"
if [ "$TODAY" != "$DAY" ]; then
    expect_eq "today counts none of it" 0 \
        "$(report "$TODAY" | jq -r '[.rows[]? | select(.key=="department") | .counters.ros_opened // 0] | add // 0')"
fi

# --- the window ---------------------------------------------------------------------
OLD=$(date -d "40 days ago" +%F)
FROM=$(date -d "31 days ago" +%F)
before=$(ctl status reception | jq -r '.services[0].last_seq')
out=$(ctl --actor clerk-sun call reception.appointment.book appointment_id=A9 customer_id=C2 \
    vin="${VINS[2]}" slot="${OLD}T09:00" reason=service channel=phone --at "$OLD 08:00" || true)
expect_eq "a booking 40 days back is refused" invalid "$(echo "$out" | json .code)"
err=$(echo "$out" | json .error)
case $err in
*"($OLD 08:00) is before the 31-day window for work keyed in later (from $FROM "*) log "ok: $err" ;;
*) fail "the refusal does not give the date and the window: $err" ;;
esac
out=$(ctl --actor foreman-liu call workshop.shift.record tech_id=tech-01 date="$OLD" minutes=480 || true)
case $(echo "$out" | json .error) in
*"($OLD 00:00) is before the 31-day window"*) log "ok: a shift 40 days back is refused" ;;
*) fail "a shift 40 days back: $(echo "$out" | json .error)" ;;
esac
expect_eq "nothing recorded by the refusals" "$before" "$(ctl status reception | jq -r '.services[0].last_seq')"
finish
