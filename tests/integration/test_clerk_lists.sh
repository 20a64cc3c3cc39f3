#!/usr/bin/env bash
# labels: reception kpi
# timeout: 180
# The information clerk's lists (issue 15): the insurance-renewal list (terms
# ending in the next [reception] insurance_notice_days, the owner's phone and
# the renewal information collected) and kpi's renewal information rate worked
# by hand (a cohort by the term's end date: a corrected end date leaves its
# month, a term that ran out stays in it); the birthday and holiday greetings
# sent exactly once per customer and occasion (sent twice, and again after
# reception restarts: the reception.greeting.due events counted with asctl
# tap), the opted-out customer and the one without a phone left out; the daily
# business summary of a seeded day (kpi.day.summary), amounts as currency in
# asctl's human output. Bad input for every new command is refused with a clear
# error and writes nothing; a typo in the new config key stops reception.
. "$(dirname "$0")/lib.sh"
setup clerk_lists
evening_clock

sed -i 's/^services = .*/services = reception, kpi/' "$CONFIG"
sed -i 's/^\[site\]/[site]\ncurrency = CNY/' "$CONFIG"
cat >>"$CONFIG" <<INI

[reception]
endpoint = ipc://$T/reception.sock
follows = workshop
heartbeat_ms = 200
insurance_notice_days = 30
[kpi]
endpoint = ipc://$T/kpi.sock
follows = reception
heartbeat_ms = 200

[staff]
svc-mgr = service_manager
adv-wang = advisor limit=1000000
clerk-zhou = info_clerk
tech-07 = technician
INI

log "--- a typo in [reception]'s new key is an error: the daemon does not start"
sed 's/^insurance_notice_days = 30/insurance_notice_dayz = 30/' "$CONFIG" >"$T/typo.ini"
rc=0
out=$("$AS_BUILD/services/reception/as-reception" --config "$T/typo.ini" --check-config 2>&1) || rc=$?
expect_eq "--check-config refuses the typo" 78 "$rc"
case "$out" in
*"did you mean 'insurance_notice_days'"*) log "ok: \"$out\"" ;;
*) fail "the typo's problem does not name the key: $out" ;;
esac
sed 's/^insurance_notice_days = 30/insurance_notice_days = 0/' "$CONFIG" >"$T/zero.ini"
rc=0
"$AS_BUILD/services/reception/as-reception" --config "$T/zero.ini" --check-config >/dev/null 2>&1 ||
    rc=$?
expect_eq "--check-config refuses 0 days" 78 "$rc"

start_bus bus
start_service reception
start_service kpi

DAY=$(date +%F)
MONTH=${DAY:0:7}
PREV=$(date -d "$DAY - 1 day" +%F) # a term that ran out yesterday
M2=$(date -d "${MONTH}-15 + 1 month" +%Y-%m)
M3=$(date -d "${MONTH}-15 + 2 months" +%Y-%m)
MD=${DAY:5:5}
YEAR=${DAY:0:4}
WS_INCARNATION=0190a0b0-0000-7000-8000-00000000000c
ws_seq=0

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

log "--- customers: birthdays, an opt-out, one without a phone"
ask clerk-zhou reception.customer.register customer_id=c-1 name="Emily Clark" phone=13800000001 \
    language=en birthday=$MD
ask clerk-zhou reception.customer.register customer_id=c-2 name="王小明" phone=13900000002 \
    birthday=1980-$MD
ask clerk-zhou reception.customer.register customer_id=c-3 name="李四" phone=13700000003 \
    birthday=$MD no_messages=true
ask clerk-zhou reception.customer.register customer_id=c-4 name="赵六" birthday=$MD
ask clerk-zhou reception.customer.register customer_id=c-5 name="孙七" phone=13500000005 \
    birthday=$(date -d "$DAY + 1 day" +%m-%d)
# registering again without the new fields keeps them
ask clerk-zhou reception.customer.register customer_id=c-3 name="李四" phone=13700000003
expect_eq "the opt-out kept" true \
    "$(as clerk-zhou reception.customer.show customer_id=c-3 | json .reply.no_messages)"
expect_eq "the birthday kept" "$MD" \
    "$(as clerk-zhou reception.customer.show customer_id=c-3 | json .reply.birthday)"
refused "a birthday that is no day" invalid "birthday '02-30' is not MM-DD or a past date" \
    clerk-zhou reception.customer.register customer_id=c-9 name=X birthday=02-30
refused "a birthday in the future" invalid "is not MM-DD or a past date YYYY-MM-DD" \
    clerk-zhou reception.customer.register customer_id=c-9 name=X birthday=$((YEAR + 1))-01-01
refused "nothing written for it" not-found "does not exist" \
    clerk-zhou reception.customer.show customer_id=c-9

log "--- vehicles with their insurance terms"
V1=LSVAB2BRXKN000001 V2=LSVAB2BR1KN000002 V3=LSVAB2BR3KN000003 V4=LSVAB2BR5KN000004
V5=LSVAB2BR7KN000005 V6=LSVAB2BR9KN000006 V7=LSVAB2BR0KN000007
reg() { # reg VIN PLATE CUSTOMER END [INSURER]
    ask clerk-zhou reception.vehicle.register vin="$1" plate="$2" customer_id="$3" \
        insurance_end="$4" insurer="${5:-PICC}" mileage_km=10000
}
reg $V1 A10001 c-1 "$M2-05"
reg $V2 A10002 c-2 "$M2-10" "Ping An"
reg $V3 A10003 c-3 "$M2-15"
reg $V4 A10004 c-4 "$M2-20"
reg $V5 A10005 c-5 "$M2-25"
reg $V6 A10006 c-5 "$M2-12"
reg $V7 A10007 c-1 "$PREV"
refused "an end date that is no date" invalid "insurance end date '$M2-32' is not a date" \
    clerk-zhou reception.vehicle.register vin=$V6 plate=A10006 customer_id=c-5 insurance_end=$M2-32
refused "setting a term on an unknown vehicle" not-found "vehicle 'LSVAB2BR0KN000099' is not registered" \
    clerk-zhou reception.insurance.set vin=LSVAB2BR0KN000099 end_date=$M2-01
refused "a term without an end date" invalid "end_date '' is not a date YYYY-MM-DD" \
    clerk-zhou reception.insurance.set vin=$V6 insurer=PICC
refused "a technician setting a term" denied "is not a" \
    tech-07 reception.insurance.set vin=$V6 end_date=$M2-01
expect_eq "V6's end date unchanged by the refusals" "$M2-12" \
    "$(as clerk-zhou reception.vehicle.show vin=$V6 | json .reply.insurance_end)"
# V6's end date was keyed wrong: corrected before it ended, it leaves M2's cohort
ask clerk-zhou reception.insurance.set vin=$V6 end_date="$M3-12" insurer="China Life"
# V7's term ran out yesterday with nothing collected; the new term's date keeps it counted
ask clerk-zhou reception.insurance.set vin=$V7 end_date="$((YEAR + 1))-${PREV:5:5}"

log "--- the renewal list: terms ending from $M2-01 to 30 days on ([reception] insurance_notice_days)"
due() { as clerk-zhou reception.insurance.due "$@" | json '[.reply.vehicles[] | .vin[14:]] | join(" ")'; }
expect_eq "the five terms of $M2, soonest first (V6 moved to $M3)" "001 002 003 004 005" \
    "$(due date="$M2-01")"
expect_eq "days= narrows it" "001 002" "$(due date="$M2-01" days=10)"
expect_eq "an empty list (no term ends then)" "" "$(due date=2000-01-01 days=10)"
entry() { as clerk-zhou reception.insurance.due date="$M2-01" | json ".reply.vehicles[] | select(.vin==\"$1\") | $2"; }
expect_eq "with the owner's phone" 13900000002 "$(entry $V2 .phone)"
expect_eq "and name" "王小明" "$(entry $V2 .customer_name)"
expect_eq "the insurer" "Ping An" "$(entry $V2 .insurer)"
expect_eq "days left" 9 "$(entry $V2 .days_left)"
refused "a bad date" invalid "date '$M2-31x' is not a date YYYY-MM-DD" \
    clerk-zhou reception.insurance.due date="$M2-31x"
refused "0 days" invalid "days must be 1..366" clerk-zhou reception.insurance.due days=0

log "--- the renewal information collected"
ask clerk-zhou reception.insurance.renewal vin=$V1 outcome=here note="renewed at the counter"
ask clerk-zhou reception.insurance.renewal vin=$V2 outcome=elsewhere insurer="Ping An"
ask clerk-zhou reception.insurance.renewal vin=$V3 outcome=not_renewing note="selling the car"
ask clerk-zhou reception.insurance.renewal vin=$V4 outcome=here
ask clerk-zhou reception.insurance.renewal vin=$V4 outcome=unknown note="the customer took it back"
ask clerk-zhou reception.insurance.renewal vin=$V6 outcome=here # its term is in $M3
refused "an unknown outcome" invalid "outcome 'maybe' is not here, elsewhere, not_renewing or unknown" \
    clerk-zhou reception.insurance.renewal vin=$V5 outcome=maybe
refused "elsewhere without the insurer" invalid "renewed elsewhere needs the insurer" \
    clerk-zhou reception.insurance.renewal vin=$V5 outcome=elsewhere
refused "an unknown vehicle" not-found "vehicle 'LSVAB2BR0KN000099' is not registered" \
    clerk-zhou reception.insurance.renewal vin=LSVAB2BR0KN000099 outcome=here
refused "a technician recording" denied "is not a" \
    tech-07 reception.insurance.renewal vin=$V5 outcome=here
expect_eq "V5: nothing written by the refusals" null "$(entry $V5 .renewal)"
expect_eq "V2's information in the list" elsewhere "$(entry $V2 .renewal.outcome)"
expect_eq "V4's latest information" unknown "$(entry $V4 .renewal.outcome)"
expect_eq "recorded by the clerk" clerk-zhou "$(entry $V1 .renewal.recorded_by)"

# Renewal information rate, $M2 (a cohort by the term's end date):
#   ending in $M2: V1, V2, V3, V4, V5                     = 5 (V6 corrected to $M3)
#   collected:     V1 here, V2 elsewhere, V3 not_renewing = 3 (V4 back to unknown, V5 none)
#   3 / 5 = 60.00%
# $M3: V6 ending, collected (here)                        = 1 / 1 = 100%
# ${PREV:0:7}: V7's term ran out with nothing collected   = 0 / 1 = 0%
fig() { # fig MONTH FIGURE FIELD
    ctl --actor svc-mgr call kpi.report month="$1" | jq -r ".reply.rows[] | select(.key==\"department\") |
        .figures[] | select(.name==\"$2\") | $3"
}
rate_is() { [ "$(fig "$M2" "renewal information rate" .value)" = 60 ]; }
wait_for "kpi counted the renewals" rate_is
expect_eq "the rate's formula" \
    "vehicles with renewal information collected / vehicles whose insurance ended (by the end date) = 3 / 5" \
    "$(fig "$M2" "renewal information rate" .formula)"
expect_eq "$M3: V6's corrected term" "= 1 / 1" \
    "$(fig "$M3" "renewal information rate" '.formula | sub(".*\\) "; "")')"
expect_eq "${PREV:0:7}: the term that ran out stays counted" "0 / 1" \
    "$(fig "${PREV:0:7}" "renewal information rate" '.formula | sub(".*= "; "")')"
expect_eq "a month with no term ending is not defined" false \
    "$(fig "$(date -d "${MONTH}-15 + 4 months" +%Y-%m)" "renewal information rate" .defined)"

log "--- greetings: today's birthdays, then a holiday"
HOLIDAY="$M2-06"
ask svc-mgr reception.holiday.set date="$HOLIDAY" name="Spring Festival"
refused "a holiday on no date" invalid "date '2027-13-01' is not a date YYYY-MM-DD" \
    clerk-zhou reception.holiday.set date=2027-13-01 name=X
refused "taking out a day that is no holiday" not-found "is not in the calendar" \
    clerk-zhou reception.holiday.set date="$M2-07"
refused "a technician's holiday" denied "is not a" tech-07 reception.holiday.set date="$M2-07" name=X
expect_eq "one holiday in the calendar" "$HOLIDAY Spring Festival" \
    "$(as clerk-zhou reception.holiday.list | json '.reply.holidays[] | "\(.date) \(.name)"')"
refused "greetings of no date" invalid "date '$M2-99' is not a date YYYY-MM-DD" \
    clerk-zhou reception.greeting.send date="$M2-99"
greet() { as clerk-zhou reception.greeting."$1" "${@:2}"; }
expect_eq "the list before sending: c-1 and c-2, none sent" "c-1:birthday:false c-2:birthday:false" \
    "$(greet list | json '[.reply.greetings[] | "\(.customer_id):\(.occasion):\(.sent // false)"] | join(" ")')"
first=$(greet send)
expect_eq "sent now" 2 "$(echo "$first" | json .reply.sent_now)"
expect_eq "c-3 opted out" 1 "$(echo "$first" | json .reply.opted_out)"
expect_eq "c-4 has no phone" 1 "$(echo "$first" | json .reply.no_phone)"
expect_eq "c-1's text in English" "Happy birthday, Emily Clark! Best wishes from your service team." \
    "$(echo "$first" | json '.reply.greetings[] | select(.customer_id=="c-1") | .text')"
expect_eq "sent twice: nothing new" 0 "$(greet send | json .reply.sent_now)"
expect_eq "the list shows both sent" "true true" \
    "$(greet list | json '[.reply.greetings[].sent] | join(" ")')"
stop reception
start_service reception
expect_eq "after reception restarts: nothing new" 0 "$(greet send | json .reply.sent_now)"
expect_eq "the holiday: every customer with a phone who did not opt out" 3 \
    "$(greet send date="$HOLIDAY" | json .reply.sent_now)"
expect_eq "the holiday once" 0 "$(greet send date="$HOLIDAY" | json .reply.sent_now)"
refused "a technician sending" denied "is not a" tech-07 reception.greeting.send
events=$(ctl tap reception.greeting --since reception@test:1 --wait 1500)
expect_eq "five reception.greeting.due events in all: 2 birthdays, 3 for the holiday" \
    "c-1:birthday c-1:holiday c-2:birthday c-2:holiday c-5:holiday" \
    "$(echo "$events" | jq -r 'select(.type=="reception.greeting.due") |
        "\(.payload.customer_id):\(.payload.occasion)"' | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "c-2's holiday greeting in Chinese to her phone" "13900000002 王小明，祝您Spring Festival快乐！—— 您的售后服务团队" \
    "$(echo "$events" | jq -r 'select(.payload.customer_id=="c-2" and .payload.occasion=="holiday") |
        "\(.payload.phone) \(.payload.text)"')"
# a holiday with its Chinese and its English name: each customer's greeting
# says it in their language
MID="$M2-09"
refused "an English name without a name" invalid "name_en without a name" \
    clerk-zhou reception.holiday.set date="$MID" name_en="Mid-Autumn Festival"
expect_eq "nothing in the calendar on $MID after the refusal" "" \
    "$(as clerk-zhou reception.holiday.list from="$MID" | json '.reply.holidays[]? | .date')"
ask clerk-zhou reception.holiday.set date="$MID" name="中秋节" name_en="Mid-Autumn Festival"
expect_eq "the calendar keeps both names" "$MID 中秋节 Mid-Autumn Festival" \
    "$(as clerk-zhou reception.holiday.list from="$MID" | json '.reply.holidays[] | "\(.date) \(.name) \(.name_en)"')"
mid=$(greet send date="$MID")
expect_eq "c-1 (English) greeted with the English name" \
    "Mid-Autumn Festival: Happy Mid-Autumn Festival, Emily Clark! Best wishes from your service team." \
    "$(echo "$mid" | json '.reply.greetings[] | select(.customer_id=="c-1") | "\(.holiday): \(.text)"')"
expect_eq "c-2 (Chinese) greeted with the Chinese name" "中秋节: 王小明，祝您中秋节快乐！—— 您的售后服务团队" \
    "$(echo "$mid" | json '.reply.greetings[] | select(.customer_id=="c-2") | "\(.holiday): \(.text)"')"

log "--- the day's business: three ROs opened, one delivered, two appointments"
JOBS='[{"concern":"oil service","pay_type":"CUSTOMER_PAY",
        "labour":{"code":"OIL1","sold_minutes":60,"rate_cents":60000},
        "parts":[{"part_number":"OF-1","quantity":2,"unit_price_cents":12500}]}]'
ask clerk-zhou reception.appointment.book appointment_id=A-1 customer_id=c-1 vin=$V1 \
    slot="${DAY}T09:00" reason=service
ask clerk-zhou reception.appointment.book appointment_id=A-2 customer_id=c-2 vin=$V2 \
    slot="${DAY}T10:00" reason=service
ask clerk-zhou reception.appointment.arrive appointment_id=A-1
ask adv-wang reception.ro.open ro_number=RO-1 vin=$V1 mileage_km=11000 appointment_id=A-1 jobs="$JOBS"
ask adv-wang reception.ro.open ro_number=RO-2 vin=$V2 mileage_km=11000 jobs="$JOBS"
ask adv-wang reception.ro.open ro_number=RO-3 vin=$V3 mileage_km=11000 jobs="$JOBS"
ask adv-wang reception.ro.consent ro_number=RO-1 consent=signature
workshop_event workshop.qc.passed "{\"ro_number\":\"RO-1\",\"vin\":\"$V1\",\"certificate\":\"QC-1\",
    \"first_time\":true,\"jobs\":[{\"job_no\":1,\"technician\":\"tech-07\"}]}"
ro_ready() { [ "$(as adv-wang reception.ro.show ro_number=RO-1 | json .reply.status)" = RO_READY_FOR_DELIVERY ]; }
wait_for "RO-1 ready" ro_ready
ask adv-wang reception.ro.deliver ro_number=RO-1
# RO-1's invoice: labour 60 min x 600.00 an hour = 600.00; parts 2 x 125.00 = 250.00
#   service sales 600.00 + 250.00 = 850.00; gross profit 850.00 - 0 parts cost - 0 labour
#   cost = 850.00 (no parts service, no clocking in this test)
# vehicles waiting at the day's end: 3 opened - 1 delivered = 2
summary() { as clerk-zhou kpi.day.summary day="$DAY" | json ".reply | $1"; }
delivered() { [ "$(summary .ros_delivered)" = 1 ]; }
wait_for "kpi counted the delivery" delivered
expect_eq "ROs opened / delivered" "3 1" "$(summary '"\(.ros_opened) \(.ros_delivered)"')"
expect_eq "appointments booked / arrived" "2 1" \
    "$(summary '"\(.appointments_booked) \(.appointments_arrived)"')"
expect_eq "labour / parts / service sales" "60000 25000 85000" \
    "$(summary '"\(.labour_sales_cents) \(.parts_sales_cents) \(.service_sales_cents)"')"
expect_eq "gross profit" 85000 "$(summary .gross_profit_cents)"
expect_eq "vehicles waiting" 2 "$(summary .vehicles_waiting)"
expect_eq "comebacks, warranty claims" "0 0" \
    "$(summary '"\(.comebacks) \(.warranty_claims_submitted)"')"
expect_eq "the day before: nothing waiting yet" 0 \
    "$(as clerk-zhou kpi.day.summary day="$PREV" | json .reply.vehicles_waiting)"
human=$("$ASCTL" --config "$CONFIG" --actor clerk-zhou call kpi.day.summary day="$DAY")
case "$human" in
*"labour_sales_cents:"*"600.00 CNY"*"gross_profit_cents:"*"850.00 CNY"*) log "ok: asctl shows the amounts as currency" ;;
*) fail "asctl's human output does not show 850.00 CNY and 600.00 CNY: $human" ;;
esac
refused "a day that is no date" invalid "day '$MONTH-32' is not a date YYYY-MM-DD" \
    clerk-zhou kpi.day.summary day="$MONTH-32"
refused "a technician reading it" denied "is not a" tech-07 kpi.day.summary

stop reception
stop kpi
finish
