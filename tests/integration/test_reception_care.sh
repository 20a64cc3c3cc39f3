#!/usr/bin/env bash
# labels: reception kpi
# timeout: 180
# The front desk's issue-15 duties: a road rescue through every step
# (requested, approved or declined, dispatched, closed on an RO) with a
# refused step for each state; the customer told the vehicle is ready (the
# reception.customer.notified event seen with asctl tap, in the customer's
# language); the lounge list with the RO's progress; products recommended and
# sold at the counter by two advisors, and kpi's advisor product sales,
# take rate and achievement against the month's target, worked by hand; the
# next-service recommendation at delivery making the vehicle due on that date
# (and at that mileage). Bad input for every new command is refused with a
# clear error and writes nothing. The workshop's QC pass is published with
# astest_frames event-json.
. "$(dirname "$0")/lib.sh"
setup reception_care
evening_clock

sed -i 's/^services = .*/services = reception, kpi/' "$CONFIG"
cat >>"$CONFIG" <<INI

[reception]
endpoint = ipc://$T/reception.sock
follows = workshop
heartbeat_ms = 200
[kpi]
endpoint = ipc://$T/kpi.sock
follows = reception
heartbeat_ms = 200

[staff]
svc-mgr = service_manager
adv-wang = advisor limit=1000000
adv-chen = advisor limit=1000000
fdm-li = front_desk_manager
fm-liu = foreman
clerk-zhou = info_clerk
tech-07 = technician
INI

start_bus bus
start_service reception
start_service kpi

VIN1=JN1AZ4EH7DM430111
VIN2=1M8GDM9AXKP042788
WS_INCARNATION=0190a0b0-0000-7000-8000-00000000000a
ws_seq=0
DAY=$(date +%F)
MONTH=${DAY:0:7}
NEXT=$(date -d "$DAY + 90 days" +%F)
BEFORE_NEXT=$(date -d "$DAY + 89 days" +%F)

as() { ctl --actor "$1" call "${@:2}" || true; }
ask() { # must succeed
    local out
    out=$(ctl --actor "$1" call "${@:2}") || fail "$1 ${*:2}: $(echo "$out" | json .error)"
}
workshop_event() { # TYPE JSON
    ws_seq=$((ws_seq + 1))
    "$FRAMES" event-json "ipc://$T/bus-in" workshop@test "$WS_INCARNATION" "$ws_seq" "$1" "$2"
}
refused() { # refused WHAT CODE TEXT WHO COMMAND ARGS...
    local what=$1 code=$2 text=$3 out error
    shift 3
    out=$(as "$@")
    expect_eq "$what: refused" "$code" "$(echo "$out" | json .code)"
    error=$(echo "$out" | json .error)
    case "$error" in
    *"$text"*) log "ok: $what: \"$error\"" ;;
    *) fail "$what: error \"$error\" does not say \"$text\"" ;;
    esac
}
ro() { as adv-wang reception.ro.show ro_number="$1" | json ".reply$2"; }
ro_is() { [ "$(ro "$1" "$2")" = "$3" ]; }
rescue() { as adv-wang reception.rescue.show rescue_id="$1" | json ".reply$2"; }
lounge() { as adv-wang reception.lounge.list | json ".reply$1"; }

log "--- customers, vehicles and two repair orders (RO-1: the customer waits in the lounge)"
ask clerk-zhou reception.customer.register customer_id=c-1 name="Emily Clark" phone=13800000001 \
    language=en
ask clerk-zhou reception.customer.register customer_id=c-2 name="王小明" phone=13900000002
refused "a language that is not en or zh" invalid "language 'fr' is not en or zh" \
    clerk-zhou reception.customer.register customer_id=c-3 name=X language=fr
refused "nothing written for it" not-found "does not exist" \
    adv-wang reception.customer.show customer_id=c-3
ask adv-wang reception.vehicle.register vin=$VIN1 plate=A12345 customer_id=c-1 mileage_km=19000
ask adv-wang reception.vehicle.register vin=$VIN2 plate=B67890 customer_id=c-2 mileage_km=30000
JOBS='[{"concern":"oil service","pay_type":"CUSTOMER_PAY",
        "labour":{"code":"OIL1","sold_minutes":60,"rate_cents":60000}}]'
ask adv-wang reception.ro.open ro_number=RO-1 vin=$VIN1 mileage_km=20000 waiting=true jobs="$JOBS"
ask adv-chen reception.ro.open ro_number=RO-2 vin=$VIN2 mileage_km=30500 jobs="$JOBS"

log "--- the lounge"
expect_eq "one customer waits" 1 "$(lounge '.waiting | length')"
expect_eq "RO-1's customer" "Emily Clark" "$(lounge '.waiting[0].customer_name')"
expect_eq "with the plate" A12345 "$(lounge '.waiting[0].plate')"
expect_eq "waiting for consent" RO_AWAITING_CONSENT "$(lounge '.waiting[0].status')"
ask adv-wang reception.ro.consent ro_number=RO-1 consent=signature
ask adv-chen reception.ro.consent ro_number=RO-2 consent=signature
expect_eq "now in the workshop" RO_IN_WORKSHOP "$(lounge '.waiting[0].status')"
expect_eq "its job open" JOB_OPEN "$(lounge '.waiting[0].jobs[0].status')"
expect_eq "no job done yet" 0 "$(lounge '.waiting[0].jobs_done')"
refused "the lounge is the advisors' and the front-desk manager's" denied "is not a" \
    clerk-zhou reception.lounge.list

log "--- a road rescue through every step, with a refused step in each state"
ask adv-wang reception.rescue.request rescue_id=RS-1 customer_id=c-1 vin=$VIN1 \
    place="G2 km 105, northbound" reason="flat battery" estimated_cost_cents=30000
expect_eq "requested" RESCUE_REQUESTED "$(rescue RS-1 .state)"
expect_eq "by the advisor" adv-wang "$(rescue RS-1 .requested_by)"
refused "dispatch before approval" conflict \
    "rescue 'RS-1' is RESCUE_REQUESTED: only a rescue RESCUE_APPROVED can be dispatched" \
    fm-liu reception.rescue.dispatch rescue_id=RS-1 technician=tech-07
refused "close before dispatch" conflict "only a rescue RESCUE_DISPATCHED can be closed" \
    adv-wang reception.rescue.close rescue_id=RS-1 minutes=90 actual_cost_cents=1 ro_number=RO-1
refused "an advisor approving" denied "is not a" \
    adv-wang reception.rescue.approve rescue_id=RS-1
ask fdm-li reception.rescue.approve rescue_id=RS-1
expect_eq "approved" RESCUE_APPROVED "$(rescue RS-1 .state)"
expect_eq "by the front-desk manager" fdm-li "$(rescue RS-1 .decided_by)"
refused "approved twice" conflict "is RESCUE_APPROVED: only a rescue RESCUE_REQUESTED can be approved" \
    fdm-li reception.rescue.approve rescue_id=RS-1
refused "declined once approved" conflict "only a rescue RESCUE_REQUESTED can be declined" \
    fdm-li reception.rescue.decline rescue_id=RS-1 reason=late
refused "closed while approved" conflict "is RESCUE_APPROVED: only a rescue RESCUE_DISPATCHED" \
    adv-wang reception.rescue.close rescue_id=RS-1 minutes=90 actual_cost_cents=1 ro_number=RO-1
refused "dispatching someone who is not a technician" invalid "'adv-chen' is not a technician" \
    fm-liu reception.rescue.dispatch rescue_id=RS-1 technician=adv-chen
refused "dispatching nobody" invalid "'' is not a technician" \
    fm-liu reception.rescue.dispatch rescue_id=RS-1
expect_eq "still approved after the refusals" RESCUE_APPROVED "$(rescue RS-1 .state)"
ask fm-liu reception.rescue.dispatch rescue_id=RS-1 technician=tech-07
expect_eq "dispatched" RESCUE_DISPATCHED "$(rescue RS-1 .state)"
expect_eq "the technician" tech-07 "$(rescue RS-1 .technician)"
refused "dispatched twice" conflict "is RESCUE_DISPATCHED: only a rescue RESCUE_APPROVED" \
    fm-liu reception.rescue.dispatch rescue_id=RS-1 technician=tech-07
refused "closing without the time" invalid "minutes (the time it took) must be 1..10080" \
    adv-wang reception.rescue.close rescue_id=RS-1 actual_cost_cents=28000 ro_number=RO-1
refused "closing without the cost" invalid "actual_cost_cents must be 0..100000000" \
    adv-wang reception.rescue.close rescue_id=RS-1 minutes=95 ro_number=RO-1
refused "closing with a negative cost" invalid "actual_cost_cents must be 0..100000000" \
    adv-wang reception.rescue.close rescue_id=RS-1 minutes=95 actual_cost_cents=-5 ro_number=RO-1
refused "closing on an RO that does not exist" not-found "repair order 'RO-9' does not exist" \
    adv-wang reception.rescue.close rescue_id=RS-1 minutes=95 actual_cost_cents=28000 ro_number=RO-9
expect_eq "still dispatched after the refusals" RESCUE_DISPATCHED "$(rescue RS-1 .state)"
ask adv-wang reception.rescue.close rescue_id=RS-1 minutes=95 actual_cost_cents=28000 ro_number=RO-1
expect_eq "closed" RESCUE_CLOSED "$(rescue RS-1 .state)"
expect_eq "on RO-1" RO-1 "$(rescue RS-1 .ro_number)"
expect_eq "its cost" 28000 "$(rescue RS-1 .actual_cost_cents)"
expect_eq "its time" 95 "$(rescue RS-1 .minutes)"
refused "closed twice" conflict "is RESCUE_CLOSED: only a rescue RESCUE_DISPATCHED can be closed" \
    adv-wang reception.rescue.close rescue_id=RS-1 minutes=95 actual_cost_cents=28000 ro_number=RO-1
refused "approving a closed rescue" conflict "is RESCUE_CLOSED" \
    fdm-li reception.rescue.approve rescue_id=RS-1

log "--- a declined rescue"
ask adv-chen reception.rescue.request rescue_id=RS-2 customer_id=c-2 plate=B67890 \
    place="Jinan, Jingshi Road 100" reason="engine will not start" estimated_cost_cents=80000
refused "a decline without a reason" invalid "a decline needs a reason" \
    fdm-li reception.rescue.decline rescue_id=RS-2
ask fdm-li reception.rescue.decline rescue_id=RS-2 reason="outside our area: the OEM's roadside line"
expect_eq "declined" RESCUE_DECLINED "$(rescue RS-2 .state)"
expect_eq "with the reason" "outside our area: the OEM's roadside line" "$(rescue RS-2 .decline_reason)"
refused "dispatch to a declined rescue" conflict "is RESCUE_DECLINED: only a rescue RESCUE_APPROVED" \
    fm-liu reception.rescue.dispatch rescue_id=RS-2 technician=tech-07
refused "approving a declined rescue" conflict "is RESCUE_DECLINED" \
    fdm-li reception.rescue.approve rescue_id=RS-2

log "--- bad rescue requests write nothing"
refused "no rescue id" invalid "rescue_id is required" \
    adv-wang reception.rescue.request customer_id=c-1 vin=$VIN1 place=X reason=Y estimated_cost_cents=1
refused "a rescue id taken" exists "rescue 'RS-1' already exists" \
    adv-wang reception.rescue.request rescue_id=RS-1 customer_id=c-1 vin=$VIN1 place=X reason=Y \
    estimated_cost_cents=1
refused "an unknown customer" not-found "customer 'c-9' is not registered" \
    adv-wang reception.rescue.request rescue_id=RS-3 customer_id=c-9 vin=$VIN1 place=X reason=Y \
    estimated_cost_cents=1
refused "no vehicle" invalid "the vehicle's vin or plate is required" \
    adv-wang reception.rescue.request rescue_id=RS-3 customer_id=c-1 place=X reason=Y \
    estimated_cost_cents=1
refused "an unknown vin" not-found "vehicle 'JN1AZ4EH7DM430999' is not registered" \
    adv-wang reception.rescue.request rescue_id=RS-3 customer_id=c-1 vin=JN1AZ4EH7DM430999 \
    place=X reason=Y estimated_cost_cents=1
refused "no place" invalid "place is required" \
    adv-wang reception.rescue.request rescue_id=RS-3 customer_id=c-1 vin=$VIN1 reason=Y \
    estimated_cost_cents=1
refused "no reason" invalid "reason is required" \
    adv-wang reception.rescue.request rescue_id=RS-3 customer_id=c-1 vin=$VIN1 place=X \
    estimated_cost_cents=1
refused "no estimated cost" invalid "estimated_cost_cents must be 0..100000000" \
    adv-wang reception.rescue.request rescue_id=RS-3 customer_id=c-1 vin=$VIN1 place=X reason=Y
refused "a technician requesting" denied "is not a" \
    tech-07 reception.rescue.request rescue_id=RS-3 customer_id=c-1 vin=$VIN1 place=X reason=Y \
    estimated_cost_cents=1
refused "showing a rescue never made" not-found "rescue 'RS-3' does not exist" \
    adv-wang reception.rescue.show rescue_id=RS-3
refused "approving one never made" not-found "rescue 'RS-3' does not exist" \
    fdm-li reception.rescue.approve rescue_id=RS-3
expect_eq "two rescues in all" "RS-1 RS-2" \
    "$(as fdm-li reception.rescue.list | json '[.reply.rescues[].rescue_id] | join(" ")')"
expect_eq "the list by state" RS-2 \
    "$(as fdm-li reception.rescue.list state=RESCUE_DECLINED | json '[.reply.rescues[].rescue_id] | join(" ")')"
expect_eq "the foreman sees them too" 1 \
    "$(as fm-liu reception.rescue.list state=RESCUE_CLOSED | json '.reply.rescues | length')"

log "--- products recommended and sold at the counter"
ask adv-wang reception.product.recommend ro_number=RO-1 code=CARE-BF description="brake fluid flush" \
    amount_cents=30000 answer=sold
ask adv-wang reception.product.recommend ro_number=RO-1 code=ACC-MAT description="floor mats" \
    amount_cents=20000 answer=declined
ask adv-wang reception.product.recommend ro_number=RO-1 code=CARE-WB description="wiper blades" \
    amount_cents=15000
expect_eq "three lines on RO-1" 3 "$(ro RO-1 '.products | length')"
expect_eq "the third not answered yet" null "$(ro RO-1 '.products[2].answer')"
ask adv-wang reception.product.answer ro_number=RO-1 line_no=3 answer=sold
expect_eq "then sold" sold "$(ro RO-1 '.products[2].answer')"
ask adv-chen reception.product.recommend ro_number=RO-2 code=CARE-AC description="a/c cleaning" \
    amount_cents=80000 answer=sold
ask adv-chen reception.product.recommend ro_number=RO-2 code=CARE-FI description="fuel injector cleaner" \
    amount_cents=20000 answer=declined
refused "answered twice" conflict "product line 3 was answered already (sold)" \
    adv-wang reception.product.answer ro_number=RO-1 line_no=3 answer=declined
refused "a line that is not there" not-found "repair order 'RO-1' has no product line 9" \
    adv-wang reception.product.answer ro_number=RO-1 line_no=9 answer=sold
refused "an answer that is not sold or declined" invalid "answer 'maybe' is not sold or declined" \
    adv-wang reception.product.recommend ro_number=RO-1 code=X amount_cents=100 answer=maybe
refused "no product code" invalid "product code is required" \
    adv-wang reception.product.recommend ro_number=RO-1 amount_cents=100
refused "no amount" invalid "amount_cents must be 1..100000000" \
    adv-wang reception.product.recommend ro_number=RO-1 code=X
refused "a zero amount" invalid "amount_cents must be 1..100000000" \
    adv-wang reception.product.recommend ro_number=RO-1 code=X amount_cents=0
refused "an unknown RO" not-found "repair order 'RO-9' does not exist" \
    adv-wang reception.product.recommend ro_number=RO-9 code=X amount_cents=100
refused "the clerk recommending" denied "is not a" \
    clerk-zhou reception.product.recommend ro_number=RO-1 code=X amount_cents=100
expect_eq "still three lines after the refusals" 3 "$(ro RO-1 '.products | length')"

log "--- the vehicles complete QC: the customers are told"
workshop_event workshop.qc.passed "{\"ro_number\":\"RO-1\",\"vin\":\"$VIN1\",\"certificate\":\"QC-1\",
    \"first_time\":true,\"jobs\":[{\"job_no\":1,\"technician\":\"tech-07\"}]}"
workshop_event workshop.qc.passed "{\"ro_number\":\"RO-2\",\"vin\":\"$VIN2\",\"certificate\":\"QC-2\",
    \"first_time\":true,\"jobs\":[{\"job_no\":1,\"technician\":\"tech-07\"}]}"
wait_for "RO-1 ready" ro_is RO-1 .status RO_READY_FOR_DELIVERY
wait_for "RO-2 ready" ro_is RO-2 .status RO_READY_FOR_DELIVERY
notes=$(ctl tap reception.customer --since reception@test:1 --wait 1500)
note() { echo "$notes" | jq -r "select(.type==\"reception.customer.notified\" and .subject==\"$1\") | .payload$2"; }
expect_eq "one notice for RO-1" 1 "$(echo "$notes" | jq -r 'select(.subject=="RO-1") | .type' | wc -l)"
expect_eq "by sms" sms "$(note RO-1 .channel)"
expect_eq "to the customer's phone" 13800000001 "$(note RO-1 .phone)"
expect_eq "in her language" "Your vehicle A12345 is ready for collection (repair order RO-1). Thank you." \
    "$(note RO-1 .text)"
expect_eq "RO-2's customer in Chinese (the default)" "您的车辆 B67890 已完工，可以取车（维修工单 RO-2）。谢谢！" \
    "$(note RO-2 .text)"
expect_eq "language noted" zh "$(note RO-2 .language)"
expect_eq "the lounge shows the job done" 1 "$(lounge '.waiting[0].jobs_done')"
expect_eq "and the RO ready" RO_READY_FOR_DELIVERY "$(lounge '.waiting[0].status')"

log "--- delivery with the next-service recommendation"
refused "a next service today" invalid "next_service_date '$DAY' must be a date YYYY-MM-DD after the delivery" \
    adv-wang reception.ro.deliver ro_number=RO-1 next_service_date=$DAY
refused "a next service not a date" invalid "next_service_date '2026-02-30' must be a date" \
    adv-wang reception.ro.deliver ro_number=RO-1 next_service_date=2026-02-30
refused "a next-service mileage below the RO's" invalid \
    "next_service_km 19000 must be above the RO's mileage 20000 km" \
    adv-wang reception.ro.deliver ro_number=RO-1 next_service_km=19000
expect_eq "still ready after the refusals" RO_READY_FOR_DELIVERY "$(ro RO-1 .status)"
expect_eq "still in the lounge" 1 "$(lounge '.waiting | length')"
ask adv-wang reception.ro.deliver ro_number=RO-1 next_service_date=$NEXT next_service_km=25000
expect_eq "delivered" RO_DELIVERED "$(ro RO-1 .status)"
expect_eq "the next service on the RO" "$NEXT" "$(ro RO-1 .next_service_date)"
expect_eq "the lounge is empty" 0 "$(lounge '.waiting | length')"
refused "no product after delivery" conflict "products are recommended before delivery" \
    adv-wang reception.product.recommend ro_number=RO-1 code=X amount_cents=100

due() { as clerk-zhou reception.reminder.due date="$1" | json "[.reply.reminders[]? | select(.vin==\"$VIN1\") | $2] | join(\" \")"; }
# without a recommendation the vehicle would be due 180 days after the RO;
# the advisor said 90 days or 25 000 km, whichever comes first
expect_eq "not due the day before the recommended date" "" "$(due "$BEFORE_NEXT" .due_date)"
expect_eq "due on the recommended date" "$NEXT" "$(due "$NEXT" .due_date)"
ask adv-wang reception.vehicle.mileage vin=$VIN1 mileage_km=25100
expect_eq "due earlier once the mileage reached 25 000 km" 25000 \
    "$(due "$(date -d "$DAY + 1 day" +%F)" .due_km)"

log "--- kpi: advisor product sales against the month's target"
refused "a target of 0" invalid "must be a number above 0" \
    svc-mgr kpi.target.set month=$MONTH metric="advisor product sales" value=0
ask svc-mgr kpi.target.set month=$MONTH metric="advisor product sales" value=100000
# adv-wang recommended 300.00 + 200.00 + 150.00 = 650.00 and sold 300.00 + 150.00 = 450.00:
#   take rate 450 / 650 = 69.23%, achievement 450.00 / 1 000.00 = 45%
# adv-chen recommended 800.00 + 200.00 = 1 000.00 and sold 800.00:
#   take rate 800 / 1000 = 80%, achievement 800.00 / 1 000.00 = 80%
# the department: recommended 1 650.00, sold 1 250.00, take rate 1250 / 1650 = 75.76%
fig() { # fig BY KEY FIGURE FIELD
    ctl --actor svc-mgr call kpi.report month=$MONTH by="$1" |
        jq -r ".reply.rows[] | select(.key==\"$2\") | .figures[] | select(.name==\"$3\") | $4"
}
kpi_has() { [ "$(fig department department "advisor product sales" .value)" = 125000 ]; }
wait_for "kpi counted every answer" kpi_has
expect_eq "department: recommended" 165000 "$(fig department department "products recommended" .value)"
expect_eq "department: sold" 125000 "$(fig department department "advisor product sales" .value)"
expect_eq "department: take rate" 75.76 \
    "$(fig department department "product take rate" '.value * 100 | round / 100')"
expect_eq "department: no achievement (each advisor has the target)" false \
    "$(fig department department "advisor product sales achievement" .defined)"
expect_eq "adv-wang: sold" 45000 "$(fig advisor adv-wang "advisor product sales" .value)"
expect_eq "adv-wang: take rate" 69.23 \
    "$(fig advisor adv-wang "product take rate" '.value * 100 | round / 100')"
expect_eq "adv-wang: achievement" 45 "$(fig advisor adv-wang "advisor product sales achievement" .value)"
expect_eq "adv-wang: the formula" \
    "products sold / the advisor's monthly target = 45000 / 100000 cents" \
    "$(fig advisor adv-wang "advisor product sales achievement" .formula)"
expect_eq "adv-wang: the target on the figure" 100000 \
    "$(fig advisor adv-wang "advisor product sales" .target)"
expect_eq "adv-chen: achievement" 80 "$(fig advisor adv-chen "advisor product sales achievement" .value)"
expect_eq "adv-chen: recommended" 100000 "$(fig advisor adv-chen "products recommended" .value)"

# both daemons stop cleanly (under the sanitizers: no leak reported at exit)
stop reception
stop kpi
finish
