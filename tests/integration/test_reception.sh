#!/usr/bin/env bash
# labels: reception
# timeout: 300
# The reception daemon alone: customers and vehicles, the life of a repair
# order (estimate above the advisor's limit, approval, consent, extra work,
# the vehicle completing QC, parts charged, delivery with the invoice,
# follow-up, closing), a comeback, appointments, and bad input for every
# command, each a clear error with nothing written. The workshop's and parts'
# events are published with astest_frames event-json.
. "$(dirname "$0")/lib.sh"
setup reception

sed -i 's/^services = .*/services = reception/' "$CONFIG"
cat >>"$CONFIG" <<INI

[reception]
endpoint = ipc://$T/reception.sock
follows = workshop, parts, warranty
heartbeat_ms = 200

[staff]
adv-wang = advisor limit=1000
fdm-li = front_desk_manager
clerk-zhou = info_clerk
tech-07 = technician
tester = info_clerk
INI

start_bus bus
start_service reception

VIN=JN1AZ4EH7DM430111
BAD_VIN=JN1AZ4EH8DM430111
WS_INCARNATION=0190a0b0-0000-7000-8000-00000000000a
PARTS_INCARNATION=0190a0b0-0000-7000-8000-00000000000b
TODAY=$(date +%F)
ws_seq=0
parts_seq=0

# as WHO COMMAND ARGS...: a command as a staff member; prints the JSON answer
as() {
    local who=$1
    shift
    ctl --actor "$who" call "$@" || true
}
workshop_event() { # TYPE JSON
    ws_seq=$((ws_seq + 1))
    "$FRAMES" event-json "ipc://$T/bus-in" workshop@test "$WS_INCARNATION" "$ws_seq" "$1" "$2"
}
parts_event() { # TYPE JSON
    parts_seq=$((parts_seq + 1))
    "$FRAMES" event-json "ipc://$T/bus-in" parts@test "$PARTS_INCARNATION" "$parts_seq" "$1" "$2"
}
ro() { as adv-wang reception.ro.show ro_number="$1" | json ".reply$2"; }
vehicle() { as adv-wang reception.vehicle.show vin="$1" | json ".reply$2"; }
ro_is() { [ "$(ro "$1" "$2")" = "$3" ]; }

# refused WHAT CODE TEXT WHO COMMAND ARGS...: the command is refused with CODE
# and an error containing TEXT
refused() {
    local what=$1 code=$2 text=$3
    shift 3
    local out
    out=$(as "$@")
    expect_eq "$what: refused" "$code" "$(echo "$out" | json .code)"
    local error
    error=$(echo "$out" | json .error)
    case "$error" in
    *"$text"*) log "ok: $what: \"$error\"" ;;
    *) fail "$what: error \"$error\" does not say \"$text\"" ;;
    esac
}

log "--- customers and vehicles"
out=$(as clerk-zhou reception.customer.register customer_id=c-1 name="Li Wei" phone=13800000001)
expect_eq "customer registered" "Li Wei" "$(echo "$out" | json .reply.name)"
refused "customer without name" invalid "name is required" \
    clerk-zhou reception.customer.register customer_id=c-2
refused "customer by a technician" denied "'tech-07' is not a" \
    tech-07 reception.customer.register customer_id=c-2 name=X
refused "customer by a stranger" denied "not on the staff list" \
    nobody reception.customer.register customer_id=c-2 name=X
refused "unknown customer shown" not-found "customer 'c-2' does not exist" \
    adv-wang reception.customer.show customer_id=c-2

out=$(as adv-wang reception.vehicle.register vin=$VIN plate=A12345 customer_id=c-1 \
    sale_date=2024-03-15 mileage_km=15000 model=Q50)
expect_eq "vehicle registered" 15000 "$(echo "$out" | json .reply.mileage_km)"
refused "wrong check digit" invalid "vin '$BAD_VIN' has a wrong check digit: '8', expected '7'" \
    adv-wang reception.vehicle.register vin=$BAD_VIN plate=B1 customer_id=c-1
worded adv-wang "vin '%s' has a wrong check digit: '%c', expected '%c'" "[\"$BAD_VIN\",\"8\",\"7\"]" \
    reception.vehicle.register vin=$BAD_VIN plate=B1 customer_id=c-1
refused "letter O in a vin" invalid "has 'O' at position 14" \
    adv-wang reception.vehicle.register vin=JN1AZ4EH7DM43O111 plate=B1 customer_id=c-1
refused "short vin" invalid "has 16 characters" \
    adv-wang reception.vehicle.register vin=JN1AZ4EH7DM43011 plate=B1 customer_id=c-1
# a VIN typed in Chinese, 50 characters (150 bytes): the refusal names 40 of
# them, whole, and is valid UTF-8 (clipped by bytes, it ended inside one)
LONG_VIN=$(printf '车%.0s' $(seq 50))
FORTY=$(printf '车%.0s' $(seq 40))
as adv-wang reception.vehicle.register vin="$LONG_VIN" plate=B1 customer_id=c-1 >"$T/long_vin.json"
expect_eq "a long Chinese vin: the reply is valid UTF-8 and JSON with the refusal" valid \
    "$(iconv -f UTF-8 -t UTF-8 <"$T/long_vin.json" >/dev/null 2>&1 &&
        jq -e '.error | length > 0' <"$T/long_vin.json" >/dev/null 2>&1 && echo valid)"
expect_eq "a long Chinese vin: 40 whole characters of it" \
    "vin '$FORTY' has 50 characters, a vin has 17" "$(json .error <"$T/long_vin.json")"
expect_eq "a long Chinese vin: its format and arguments" \
    "vin '%.*s' has %zu characters, a vin has %d [\"$FORTY\",\"50\",\"17\"]" \
    "$(json .format <"$T/long_vin.json") $(jq -c .args <"$T/long_vin.json")"
refused "vehicle of an unknown customer" not-found "customer 'c-9' does not exist" \
    adv-wang reception.vehicle.register vin=1M8GDM9AXKP042788 plate=B1 customer_id=c-9
refused "vehicle without plate" invalid "plate is required" \
    adv-wang reception.vehicle.register vin=1M8GDM9AXKP042788 customer_id=c-1
refused "sale date not a date" invalid "sale_date '2024-02-30' is not a date" \
    adv-wang reception.vehicle.register vin=1M8GDM9AXKP042788 plate=B1 customer_id=c-1 \
    sale_date=2024-02-30
refused "sale date in the future" invalid "is in the future" \
    adv-wang reception.vehicle.register vin=1M8GDM9AXKP042788 plate=B1 customer_id=c-1 \
    sale_date=2999-01-01
refused "nothing written for refused vehicles" not-found "is not registered" \
    adv-wang reception.vehicle.show vin=1M8GDM9AXKP042788
refused "re-registration going backwards" invalid "below the last reading 15000 km" \
    adv-wang reception.vehicle.register vin=$VIN plate=A12345 customer_id=c-1 mileage_km=100

expect_eq "mileage recorded" 16000 \
    "$(as adv-wang reception.vehicle.mileage vin=$VIN mileage_km=16000 | json .reply.mileage_km)"
refused "mileage going backwards" invalid \
    "vin '$VIN': mileage 12000 km is below the last reading 16000 km" \
    adv-wang reception.vehicle.mileage vin=$VIN mileage_km=12000
refused "mileage of an unknown vehicle" not-found "vehicle '1M8GDM9AXKP042788' is not registered" \
    adv-wang reception.vehicle.mileage vin=1M8GDM9AXKP042788 mileage_km=1
refused "mileage missing" invalid "mileage_km is required" \
    adv-wang reception.vehicle.mileage vin=$VIN
refused "mileage by the clerk" denied "is not a" \
    clerk-zhou reception.vehicle.mileage vin=$VIN mileage_km=17000
expect_eq "mileage unchanged by refusals" 16000 "$(vehicle $VIN .mileage_km)"
expect_eq "history: two readings" 2 "$(vehicle $VIN '.history | length')"

log "--- a repair order above the advisor's limit"
JOBS='[{"concern":"brake noise","pay_type":"CUSTOMER_PAY",
        "labour":{"code":"BR01","sold_minutes":90,"rate_cents":60000},
        "parts":[{"part_number":"P-100","quantity":2,"unit_price_cents":12000}]},
       {"concern":"software update","pay_type":"WARRANTY",
        "labour":{"code":"SW01","sold_minutes":30,"rate_cents":60000}}]'
out=$(as adv-wang reception.ro.open ro_number=RO-1 vin=$VIN mileage_km=16500 jobs="$JOBS")
expect_eq "estimate: labour + parts" 144000 "$(echo "$out" | json .reply.estimate_cents)"
expect_eq "above 1000.00: awaiting approval" RO_AWAITING_APPROVAL "$(echo "$out" | json .reply.status)"
expect_eq "ro customer" c-1 "$(echo "$out" | json .reply.customer_id)"
expect_eq "vehicle mileage from the ro" 16500 "$(vehicle $VIN .mileage_km)"
expect_eq "reading names the ro" RO-1 "$(vehicle $VIN '.history[-1].ro_number')"

refused "ro number taken" exists "repair order 'RO-1' already exists" \
    adv-wang reception.ro.open ro_number=RO-1 vin=$VIN mileage_km=16500 jobs="$JOBS"
refused "ro mileage going backwards" invalid "mileage 16400 km is below the last reading 16500 km" \
    adv-wang reception.ro.open ro_number=RO-X vin=$VIN mileage_km=16400 jobs="$JOBS"
refused "ro of an unknown vehicle" not-found "vehicle '1M8GDM9AXKP042788' is not registered" \
    adv-wang reception.ro.open ro_number=RO-X vin=1M8GDM9AXKP042788 mileage_km=1 jobs="$JOBS"
refused "ro without jobs" invalid "at least one job is required" \
    adv-wang reception.ro.open ro_number=RO-X vin=$VIN mileage_km=16600
refused "job without pay type" invalid "job 1: pay_type is required" \
    adv-wang reception.ro.open ro_number=RO-X vin=$VIN mileage_km=16600 \
    jobs='[{"concern":"x","labour":{"sold_minutes":10,"rate_cents":1}}]'
refused "job without labour time" invalid "job 1: labour.sold_minutes must be 1..100000" \
    adv-wang reception.ro.open ro_number=RO-X vin=$VIN mileage_km=16600 \
    jobs='[{"concern":"x","pay_type":"INTERNAL"}]'
refused "part line without quantity" invalid "job 1, part 'P-1': quantity must be" \
    adv-wang reception.ro.open ro_number=RO-X vin=$VIN mileage_km=16600 \
    jobs='[{"concern":"x","pay_type":"INTERNAL","labour":{"sold_minutes":10,"rate_cents":1},
           "parts":[{"part_number":"P-1","unit_price_cents":5}]}]'
refused "ro by a technician" denied "is not a" \
    tech-07 reception.ro.open ro_number=RO-X vin=$VIN mileage_km=16600 jobs="$JOBS"
refused "nothing written for refused ros" not-found "repair order 'RO-X' does not exist" \
    adv-wang reception.ro.show ro_number=RO-X
expect_eq "mileage unchanged by refused ros" 16500 "$(vehicle $VIN .mileage_km)"

refused "advisor approving" denied "'adv-wang' is not a front_desk_manager" \
    adv-wang reception.ro.approve ro_number=RO-1
refused "consent before approval" conflict "needs the front-desk manager's approval" \
    adv-wang reception.ro.consent ro_number=RO-1 consent=signature
refused "approving an unknown ro" not-found "repair order 'RO-9' does not exist" \
    fdm-li reception.ro.approve ro_number=RO-9
expect_eq "still awaiting approval" RO_AWAITING_APPROVAL "$(ro RO-1 .status)"
out=$(as fdm-li reception.ro.approve ro_number=RO-1)
expect_eq "manager approved" RO_AWAITING_CONSENT "$(echo "$out" | json .reply.status)"
expect_eq "approved by" fdm-li "$(echo "$out" | json .reply.approved_by)"
refused "approving twice" conflict "is RO_AWAITING_CONSENT, not awaiting approval" \
    fdm-li reception.ro.approve ro_number=RO-1
refused "consent of an unknown kind" invalid "consent 'telepathy' is not one of" \
    adv-wang reception.ro.consent ro_number=RO-1 consent=telepathy
refused "deliver before the workshop" conflict "not ready for delivery" \
    adv-wang reception.ro.deliver ro_number=RO-1
out=$(as adv-wang reception.ro.consent ro_number=RO-1 consent=signature)
expect_eq "consented: in the workshop" RO_IN_WORKSHOP "$(echo "$out" | json .reply.status)"
refused "consent twice" conflict "not awaiting consent" \
    adv-wang reception.ro.consent ro_number=RO-1 consent=phone

log "--- extra work from the workshop"
defect() { # REPORT_ID DESCRIPTION
    workshop_event workshop.defect.reported "{\"defect\":{\"report_id\":\"$1\",\"ro_number\":\"RO-1\",
        \"job_no\":1,\"description\":\"$2\",\"reported_by\":\"tech-07\",
        \"labour\":{\"code\":\"BR02\",\"sold_minutes\":60,\"rate_cents\":60000},
        \"parts\":[{\"part_number\":\"P-200\",\"quantity\":2,\"unit_price_cents\":30000}]},
        \"advisor\":\"adv-wang\",\"vin\":\"$VIN\"}"
}
defect D-1 "worn brake discs"
wait_for "the extra-work request is on the ro" ro_is RO-1 '.extra_work | length' 1
defect D-2 "wiper blades split"
wait_for "the second request is on the ro" ro_is RO-1 '.extra_work | length' 2
waiting() { as adv-wang reception.ro.list extra_work_waiting=true |
    json '[.reply.ros // [] | .[] | "\(.ro_number):\(.extra_work_waiting)"] | join(" ")'; }
expect_eq "the counter lists the RO with two extra defects to ask about" "RO-1:2" "$(waiting)"
refused "answer without yes or no" invalid "approved is required" \
    adv-wang reception.extra_work.answer ro_number=RO-1 request_id=D-1
refused "answer to an unknown request" not-found "repair order 'RO-1' has no extra-work request 'D-9'" \
    adv-wang reception.extra_work.answer ro_number=RO-1 request_id=D-9 approved=true
refused "answer by the clerk" denied "is not a" \
    clerk-zhou reception.extra_work.answer ro_number=RO-1 request_id=D-1 approved=true
out=$(as adv-wang reception.extra_work.answer ro_number=RO-1 request_id=D-1 approved=true)
expect_eq "approved extra work: a third job" 3 "$(echo "$out" | json '.reply.jobs | length')"
expect_eq "the job is extra work" true "$(echo "$out" | json '.reply.jobs[2].extra_work')"
expect_eq "the request names its job" 3 "$(echo "$out" | json '.reply.extra_work[0].new_job_no')"
expect_eq "estimate grows" 264000 "$(echo "$out" | json .reply.estimate_cents)"
refused "answering twice" conflict "was already answered: approved" \
    adv-wang reception.extra_work.answer ro_number=RO-1 request_id=D-1 approved=false
out=$(as adv-wang reception.extra_work.answer ro_number=RO-1 request_id=D-2 approved=false)
expect_eq "declined: no new job" 3 "$(echo "$out" | json '.reply.jobs | length')"
expect_eq "declined recorded" declined "$(echo "$out" | json '.reply.extra_work[1].answer')"
expect_eq "every defect answered: no longer waiting" "" "$(waiting)"

log "--- the vehicle completes QC; parts are charged"
workshop_event workshop.qc.passed "{\"ro_number\":\"RO-1\",\"vin\":\"$VIN\",\"certificate\":\"QC-77\",
    \"first_time\":true,\"jobs\":[{\"job_no\":1,\"technician\":\"tech-07\"},
    {\"job_no\":2,\"technician\":\"tech-08\"},{\"job_no\":3,\"technician\":\"tech-07\"}]}"
wait_for "ro ready for delivery" ro_is RO-1 .status RO_READY_FOR_DELIVERY
expect_eq "certificate kept" QC-77 "$(ro RO-1 .qc_certificate)"
expect_eq "technician per job" tech-08 "$(ro RO-1 '.jobs[1].technician')"
parts_event parts.consumption.recorded '{"consumption":{"ro_number":"RO-1","lines":[
    {"part_number":"P-100","job_no":1,"quantity":2,"cost_cents":16000,"price_cents":24000},
    {"part_number":"P-200","job_no":3,"quantity":2,"cost_cents":40000,"price_cents":58000}],
    "cost_cents":56000,"price_cents":82000}}'
# each consumed line at the price the customer agreed to on the RO (its part
# line): P-100 2 x 120.00 = 240.00 (parts charged the same), P-200 2 x 300.00 =
# 600.00 (the approved extra work's quote; parts charged 580.00): 840.00, and
# at what parts charged 240.00 + 580.00 = 820.00 beside it
wait_for "parts at the agreed price taken" ro_is RO-1 .parts_consumed_cents 84000
expect_eq "what parts charged kept beside it" 82000 "$(ro RO-1 .parts_catalogue_cents)"
defect D-3 "late defect" # the RO is no longer in the workshop: rejected and skipped
workshop_event workshop.qc.passed "{\"ro_number\":\"RO-1\",\"certificate\":\"QC-78\"}"
wait_for "reception applied the workshop's events" bash -c \
    "[ \"\$($ASCTL --json --config $CONFIG status reception | jq -r '.services[0].offsets[] | select(.source==\"workshop@test\") | .applied_seq')\" = $ws_seq ]"
expect_eq "a second qc pass changes nothing" QC-77 "$(ro RO-1 .qc_certificate)"
refused "defect on a ready ro is not taken; answer to nothing" not-found "no extra-work request 'D-3'" \
    adv-wang reception.extra_work.answer ro_number=RO-1 request_id=D-3 approved=true

log "--- delivery, follow-up, closing"
refused "close before delivery" conflict "only a delivered repair order can be closed" \
    adv-wang reception.ro.close ro_number=RO-1
refused "follow-up before delivery" conflict "the follow-up call comes after delivery" \
    adv-wang reception.followup.record ro_number=RO-1 csi_score=9
refused "negative accessories" invalid "accessories_cents must be" \
    adv-wang reception.ro.deliver ro_number=RO-1 accessories_cents=-5
refused "deliver an unknown ro" not-found "repair order 'RO-9' does not exist" \
    adv-wang reception.ro.deliver ro_number=RO-9
out=$(as adv-wang reception.ro.deliver ro_number=RO-1 accessories_cents=5000)
expect_eq "delivered" RO_DELIVERED "$(echo "$out" | json .reply.status)"
expect_eq "invoice labour (declined work excluded)" 180000 "$(echo "$out" | json .reply.invoice.labour_cents)"
# parts: the consumption at the agreed prices 840.00 (820.00 at parts' prices);
# total: labour 1800.00 + parts 840.00 + keyed accessories 50.00 = 2690.00;
# the customer pays job 1 (900.00 + 240.00), job 3 (600.00 + 600.00) and the
# accessories 50.00 = 2390.00 (the warranty job 2 is not theirs)
expect_eq "invoice parts from consumption, at the agreed prices" "84000 82000" \
    "$(echo "$out" | json '.reply.invoice | "\(.parts_cents) \(.parts_catalogue_cents)"')"
expect_eq "invoice total" 269000 "$(echo "$out" | json .reply.invoice.total_cents)"
expect_eq "customer pays customer-pay jobs + accessories" 239000 \
    "$(echo "$out" | json .reply.invoice.customer_pay_cents)"
refused "deliver twice" conflict "is RO_DELIVERED, not ready for delivery" \
    adv-wang reception.ro.deliver ro_number=RO-1
due() { as adv-wang reception.ro.list followup_due=true | json '[.reply.ros // [] | .[].ro_number] | join(" ")'; }
expect_eq "delivered without a call: its follow-up is due" RO-1 "$(due)"
expect_eq "the summary has the delivery time" true \
    "$(as adv-wang reception.ro.list status=RO_DELIVERED | json '.reply.ros[0].delivered_us > 0')"
refused "csi out of range" invalid "csi_score must be 1..10" \
    adv-wang reception.followup.record ro_number=RO-1 csi_score=11
out=$(as adv-wang reception.followup.record ro_number=RO-1 csi_score=9 comment="very good")
expect_eq "csi recorded" 9 "$(echo "$out" | json .reply.csi_score)"
expect_eq "called: no follow-up due" "" "$(due)"
refused "second follow-up" conflict "already has its follow-up (csi score 9)" \
    adv-wang reception.followup.record ro_number=RO-1 csi_score=3
expect_eq "closed" RO_CLOSED "$(as adv-wang reception.ro.close ro_number=RO-1 | json .reply.status)"
refused "close twice" conflict "is RO_CLOSED" adv-wang reception.ro.close ro_number=RO-1

log "--- a comeback"
out=$(as adv-wang reception.ro.open ro_number=RO-2 vin=$VIN mileage_km=17000 \
    jobs='[{"concern":"Brake Noise","pay_type":"GOODWILL","labour":{"sold_minutes":60,"rate_cents":60000}}]')
expect_eq "within the limit: awaiting consent" RO_AWAITING_CONSENT "$(echo "$out" | json .reply.status)"
expect_eq "comeback of RO-1" RO-1 "$(echo "$out" | json .reply.comeback_of)"
expect_eq "the comebacks, with their jobs" "RO-2 RO-1 Brake Noise" \
    "$(as fdm-li reception.ro.list comeback=true with_jobs=true | json '.reply.ros[] | "\(.ro_number) \(.comeback_of) \(.jobs[0].concern)"')"
expect_eq "a list without with_jobs gives no jobs" "null 1" \
    "$(as fdm-li reception.ro.list comeback=true | json '.reply.ros[0] | "\(.jobs) \(.job_count)"')"

log "--- appointments"
book() { as clerk-zhou reception.appointment.book appointment_id="$1" customer_id=c-1 vin=$VIN \
    slot="$2" reason="$3" channel=phone; }
expect_eq "booked" BOOKED "$(book A-1 "${TODAY}T09:30" "oil service" | json .reply.status)"
book A-2 "${TODAY}T08:00" "tyres" >/dev/null
book A-3 "${TODAY}T11:00" "noise" >/dev/null
refused "booking taken id" exists "appointment 'A-1' already exists" \
    clerk-zhou reception.appointment.book appointment_id=A-1 customer_id=c-1 vin=$VIN \
    slot="${TODAY}T09:30" reason=x
refused "booking an unknown customer" not-found "customer 'c-9' does not exist" \
    clerk-zhou reception.appointment.book appointment_id=A-9 customer_id=c-9 vin=$VIN \
    slot="${TODAY}T09:30" reason=x
refused "booking a bad slot" invalid "slot '${TODAY}T25:00' is not YYYY-MM-DDTHH:MM" \
    clerk-zhou reception.appointment.book appointment_id=A-9 customer_id=c-1 vin=$VIN \
    slot="${TODAY}T25:00" reason=x
refused "booking by a technician" denied "is not a" \
    tech-07 reception.appointment.book appointment_id=A-9 customer_id=c-1 vin=$VIN \
    slot="${TODAY}T09:30" reason=x
expect_eq "confirmed" CONFIRMED \
    "$(as clerk-zhou reception.appointment.confirm appointment_id=A-1 | json .reply.status)"
refused "confirming twice" conflict "is CONFIRMED and cannot become CONFIRMED" \
    clerk-zhou reception.appointment.confirm appointment_id=A-1
refused "assigning to a technician" invalid "'tech-07' is not an advisor" \
    clerk-zhou reception.appointment.assign appointment_id=A-1 advisor=tech-07
out=$(as clerk-zhou reception.appointment.assign appointment_id=A-1 advisor=adv-wang)
expect_eq "assigned" "ASSIGNED adv-wang" "$(echo "$out" | json '.reply.status + " " + .reply.advisor')"
expect_eq "cancelled" CANCELLED \
    "$(as clerk-zhou reception.appointment.cancel appointment_id=A-2 | json .reply.status)"
refused "arriving a cancelled one" conflict "is CANCELLED and cannot become ARRIVED" \
    clerk-zhou reception.appointment.arrive appointment_id=A-2
expect_eq "no-show" NO_SHOW \
    "$(as clerk-zhou reception.appointment.no_show appointment_id=A-3 | json .reply.status)"
refused "arriving an unknown one" not-found "appointment 'A-9' does not exist" \
    clerk-zhou reception.appointment.arrive appointment_id=A-9
out=$(as clerk-zhou reception.appointment.queue date="$TODAY")
expect_eq "the day's queue by slot" "A-2 A-1 A-3" "$(echo "$out" | json '[.reply.appointments[].appointment_id] | join(" ")')"
refused "queue of a bad date" invalid "date '2026-13-01' is not a date" \
    clerk-zhou reception.appointment.queue date=2026-13-01
ONEJOB='[{"concern":"oil service","pay_type":"CUSTOMER_PAY","labour":{"sold_minutes":30,"rate_cents":60000}}]'
refused "ro from a cancelled appointment" conflict "appointment 'A-2' is CANCELLED" \
    adv-wang reception.ro.open ro_number=RO-3 vin=$VIN mileage_km=17000 appointment_id=A-2 jobs="$ONEJOB"
out=$(as adv-wang reception.ro.open ro_number=RO-3 vin=$VIN mileage_km=17000 appointment_id=A-1 jobs="$ONEJOB")
expect_eq "ro from an appointment" A-1 "$(echo "$out" | json .reply.appointment_id)"
refused "appointment used twice" conflict "was used by repair order 'RO-3'" \
    adv-wang reception.ro.open ro_number=RO-4 vin=$VIN mileage_km=17000 appointment_id=A-1 jobs="$ONEJOB"
out=$(as clerk-zhou reception.appointment.queue date="$TODAY")
expect_eq "appointment marked used" "ARRIVED RO-3" \
    "$(echo "$out" | json '.reply.appointments[] | select(.appointment_id=="A-1") | .status + " " + .ro_number')"

log "--- complaints"
out=$(as adv-wang reception.complaint.log complaint_id=K-1 ro_number=RO-1 channel=phone text="noise again")
expect_eq "complaint logged" open "$(echo "$out" | json .reply.status)"
refused "complaint on an unknown ro" not-found "repair order 'RO-9' does not exist" \
    adv-wang reception.complaint.log complaint_id=K-2 ro_number=RO-9 channel=phone text=x
refused "complaint by email" invalid "channel must be on-site or phone" \
    adv-wang reception.complaint.log complaint_id=K-2 channel=email text=x
refused "complaint without text" invalid "text is required" \
    adv-wang reception.complaint.log complaint_id=K-2 channel=on-site
refused "complaint id taken" exists "complaint 'K-1' already exists" \
    adv-wang reception.complaint.log complaint_id=K-1 channel=on-site text=x
expect_eq "the open complaints" "K-1 open noise again" \
    "$(as fdm-li reception.complaint.list status=open | json '.reply.complaints[] | .complaint_id + " " + .status + " " + .text')"
refused "advisor resolving" denied "is not a front_desk_manager" \
    adv-wang reception.complaint.resolve complaint_id=K-1 resolution=x
refused "resolution missing" invalid "resolution is required" \
    fdm-li reception.complaint.resolve complaint_id=K-1
refused "resolving an unknown complaint" not-found "complaint 'K-2' does not exist" \
    fdm-li reception.complaint.resolve complaint_id=K-2 resolution=x
out=$(as fdm-li reception.complaint.resolve complaint_id=K-1 resolution="discs replaced free")
expect_eq "resolved by the manager" "resolved fdm-li" "$(echo "$out" | json '.reply.status + " " + .reply.owner')"
refused "resolving twice" conflict "complaint 'K-1' is already resolved" \
    fdm-li reception.complaint.resolve complaint_id=K-1 resolution=y
expect_eq "no open complaint once resolved" 0 \
    "$(as fdm-li reception.complaint.list status=open | json '.reply.complaints // [] | length')"
expect_eq "every complaint" "K-1 resolved discs replaced free" \
    "$(as fdm-li reception.complaint.list | json '[.reply.complaints[] | .complaint_id + " " + .status + " " + (.resolution // "")] | join(";")')"
refused "complaints of a bad status" invalid "status 'closed' is not open or resolved" \
    fdm-li reception.complaint.list status=closed

log "--- maintenance reminders"
as adv-wang reception.vehicle.register vin=1M8GDM9AXKP042788 plate=B2 customer_id=c-1 \
    sale_date=2024-01-10 mileage_km=25000 >/dev/null
due() { as clerk-zhou reception.reminder.due date="$TODAY" "$@"; }
expect_eq "due: the vehicle never serviced, by time and mileage" "1M8GDM9AXKP042788 2024-07-08 20000" \
    "$(due | json '[.reply.reminders[] | "\(.vin) \(.due_date) \(.due_km)"] | join(";")')"
LATER=$(date -d "+200 days" +%F)
expect_eq "the serviced vehicle is due 180 days after its last ro" "$VIN $(date -d "+180 days" +%F)" \
    "$(as clerk-zhou reception.reminder.due date="$LATER" |
        json '.reply.reminders[] | select(.vin == "'$VIN'") | "\(.vin) \(.due_date)"')"
refused "due with a bad date" invalid "date '2026-02-30' is not a date" \
    clerk-zhou reception.reminder.due date=2026-02-30
refused "due with no interval" invalid "interval_km must be at least 1" \
    clerk-zhou reception.reminder.due interval_km=0
refused "call with an unknown outcome" invalid "outcome 'maybe' is not booked" \
    clerk-zhou reception.reminder.record vin=1M8GDM9AXKP042788 due_date=2024-07-08 outcome=maybe
refused "call about an unknown vehicle" not-found "vehicle 'JN8AS5MV3CW000002' is not registered" \
    clerk-zhou reception.reminder.record vin=JN8AS5MV3CW000002 due_date=2024-07-08 outcome=booked
refused "call by a technician" denied "is not a" \
    tech-07 reception.reminder.record vin=1M8GDM9AXKP042788 due_date=2024-07-08 outcome=booked
expect_eq "nothing written by refused calls" 1 "$(due | json '.reply.reminders | length')"

log "--- the clerk's plan of the day's reminder calls"
plan() { as clerk-zhou reception.reminder.plan date="$TODAY" "$@"; }
out=$(plan)
expect_eq "the plan lists the due vehicle" "$TODAY clerk-zhou 1 1M8GDM9AXKP042788 maintenance 2024-07-08 20000" \
    "$(echo "$out" | json '"\(.reply.date) \(.reply.planned_by) \(.reply.count) " + ([.reply.reminders[] | "\(.vin) \(.kind) \(.due_date) \(.due_km)"] | join(";"))')"
expect_eq "the plan is the due list" "$(due | json '[.reply.reminders[].vin] | join(",")')" \
    "$(echo "$out" | json '[.reply.reminders[].vin] | join(",")')"
# planning the day again with longer intervals: nothing is due
out=$(plan interval_days=3650 interval_km=30000)
expect_eq "re-planned: 0 calls" "0 0" "$(echo "$out" | json '"\(.reply.count) \(.reply.reminders | length)"')"
out=$(plan)
expect_eq "re-planned again: 1 call" 1 "$(echo "$out" | json .reply.count)"
planned_count() {
    ctl tap --since reception@test:1 --wait 1000 reception.reminder.planned |
        jq -s '[.[] | select(.type=="reception.reminder.planned")] | length'
}
expect_eq "three plans published" 3 "$(planned_count)"
last_seq() { ctl status reception | json '.services[0].last_seq'; }
seq_before=$(last_seq)
refused "plan with a bad date" invalid "date '2026-02-30' is not a date" \
    clerk-zhou reception.reminder.plan date=2026-02-30
refused "plan with interval_days 0" invalid "interval_days must be 1..3650" \
    clerk-zhou reception.reminder.plan interval_days=0
refused "plan with interval_days 3651" invalid "interval_days must be 1..3650" \
    clerk-zhou reception.reminder.plan interval_days=3651
refused "plan with no interval_km" invalid "interval_km must be at least 1" \
    clerk-zhou reception.reminder.plan interval_km=0
refused "plan by a technician" denied "is not a" \
    tech-07 reception.reminder.plan date="$TODAY"
expect_eq "a payload that is no ReminderDue" "bad-frame payload is not a ReminderDue message" \
    "$("$FRAMES" command "ipc://$T/reception.sock" reception.reminder.plan 3 | json '"\(.code) \(.error)"')"
expect_eq "nothing written by refused plans" "$seq_before" "$(last_seq)"
expect_eq "still three plans published" 3 "$(planned_count)"
out=$(as clerk-zhou reception.reminder.record vin=1M8GDM9AXKP042788 due_date=2024-07-08 outcome=booked)
expect_eq "call recorded" "booked clerk-zhou" "$(echo "$out" | json '.reply.outcome + " " + .reply.made_by')"
expect_eq "called: no longer due" 0 "$(due | json '.reply.reminders | length')"

log "--- what reception emitted"
ctl tap --since reception@test:1 --wait 1500 reception. >"$T/events.jsonl" || true
count() { jq -s "[.[] | select(.type==\"$1\")] | length" "$T/events.jsonl"; }
expect_eq "customer.registered" 1 "$(count reception.customer.registered)"
expect_eq "vehicle.registered" 2 "$(count reception.vehicle.registered)"
expect_eq "complaint events" "1 1" "$(count reception.complaint.logged) $(count reception.complaint.resolved)"
expect_eq "reminder.made" 1 "$(count reception.reminder.made)"
expect_eq "reminder.planned" 3 "$(count reception.reminder.planned)"
expect_eq "the last plan carries its count and list" "1 1M8GDM9AXKP042788" \
    "$(jq -rs '[.[] | select(.type=="reception.reminder.planned")][-1].payload | "\(.count) \(.reminders[0].vin)"' "$T/events.jsonl")"
expect_eq "mileage_recorded (1 reading + 3 ros)" 4 "$(count reception.vehicle.mileage_recorded)"
expect_eq "ro.opened" 3 "$(count reception.ro.opened)"
expect_eq "ro.approved" 1 "$(count reception.ro.approved)"
expect_eq "ro.consented" 1 "$(count reception.ro.consented)"
expect_eq "job.added" 1 "$(count reception.job.added)"
expect_eq "extra_work.answered" 2 "$(count reception.extra_work.answered)"
expect_eq "ro.ready" 1 "$(count reception.ro.ready)"
expect_eq "ro.delivered" 1 "$(count reception.ro.delivered)"
expect_eq "ro.closed" 1 "$(count reception.ro.closed)"
expect_eq "followup.recorded" 1 "$(count reception.followup.recorded)"
expect_eq "appointment events" "3 1 1 1 1 1" "$(for t in booked confirmed assigned cancelled no_showed arrived; do count reception.appointment.$t; done | xargs)"
expect_eq "consented carries the jobs" 2 \
    "$(jq -s '[.[] | select(.type=="reception.ro.consented")][0].payload.ro.jobs | length' "$T/events.jsonl")"
expect_eq "job.added carries the job" "3 true" \
    "$(jq -rs '[.[] | select(.type=="reception.job.added")][0].payload.job | "\(.job_no) \(.extra_work)"' "$T/events.jsonl")"
expect_eq "delivered carries the invoice (2690.00, worked out above)" 269000 \
    "$(jq -s '[.[] | select(.type=="reception.ro.delivered")][0].payload.ro.invoice.total_cents' "$T/events.jsonl")"
expect_eq "comeback names the earlier ro and its technician" "RO-1 tech-07" \
    "$(jq -rs '[.[] | select(.type=="reception.comeback.detected")][0].payload | "\(.earlier_ro) \(.technicians | join(","))"' "$T/events.jsonl")"

log "--- open recalls flagged at booking and at arrival"
WTY_INCARNATION=0190a0b0-0000-7000-8000-00000000000c
warranty_applied() {
    [ "$(ctl status reception | jq -r '.services[0].offsets[] | select(.source=="warranty@test") | .applied_seq')" = "$1" ]
}
recalls() { echo "$1" | json '.reply.open_recalls // [] | join(",")'; }
expect_eq "booked before the campaign: nothing flagged" "" \
    "$(recalls "$(book A-5 "${TODAY}T14:00" "service")")"
"$FRAMES" event-json "ipc://$T/bus-in" warranty@test "$WTY_INCARNATION" 1 warranty.recall.opened \
    "{\"campaign_id\":\"RC-7\",\"title\":\"airbag inflator\",\"labour_code\":\"RC7\",\"vins\":[\"$VIN\",\"JN1AZ4EH7DM430999\"]}"
wait_for "reception learned the campaign" warranty_applied 1
expect_eq "flagged at arrival" "RC-7: airbag inflator" \
    "$(recalls "$(as adv-wang reception.appointment.arrive appointment_id=A-5)")"
expect_eq "flagged at booking" "RC-7: airbag inflator" \
    "$(recalls "$(book A-6 "${TODAY}T15:00" "noise")")"
"$FRAMES" event-json "ipc://$T/bus-in" warranty@test "$WTY_INCARNATION" 2 warranty.recall.completed \
    "{\"campaign_id\":\"RC-7\",\"vin\":\"$VIN\",\"ro_number\":\"RO-9\"}"
wait_for "reception learned the recall was done" warranty_applied 2
expect_eq "done: no longer flagged" "" "$(recalls "$(book A-7 "${TODAY}T16:00" "noise")")"

log "--- state survives a restart"
stop reception
start_service reception
expect_eq "RO-1 after restart" "RO_CLOSED 9" "$(as adv-wang reception.ro.show ro_number=RO-1 | json '.reply.status + " " + (.reply.csi_score | tostring)')"
finish
