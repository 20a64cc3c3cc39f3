#!/usr/bin/env bash
# labels: reception kpi
# timeout: 120
# The front-desk manager's comeback process (issue 15): a hand-worked month
# of 10 delivered ROs with 2 comebacks, their causes recorded, and
# kpi.comeback.analysis by operation, technician and cause with the comeback
# rate (the same as kpi report's); corrective and preventive actions followed
# to closed, the overdue one listed first; a quality meeting with two action
# items. Bad input for every new command is refused with a clear error and
# writes nothing. The workshop's QC passes (each job's technician) are
# published with astest_frames event-json.
. "$(dirname "$0")/lib.sh"
setup quality_comebacks
evening_clock

sed -i 's/^services = .*/services = reception, kpi/' "$CONFIG"
sed -i 's/^\[site\]$/[site]\nbackdate_days = 600\nbackdate_days_manager = 600/' "$CONFIG"
cat >>"$CONFIG" <<INI

[reception]
endpoint = ipc://$T/reception.sock
follows = workshop
heartbeat_ms = 200
[kpi]
endpoint = ipc://$T/kpi.sock
follows = reception, workshop
heartbeat_ms = 200

[staff]
svc-mgr = service_manager
adv-wang = advisor limit=1000000
fdm-li = front_desk_manager
fm-liu = foreman
qc-ma = qc_inspector
tech-07 = technician
tech-08 = technician
INI

start_bus bus
start_service reception
start_service kpi

WS_INCARNATION=0190a0b0-0000-7000-8000-00000000000c
ws_seq=0
# the month two months ago: every day of it is in the past, whatever today is
M=$(date -d "$(date +%Y-%m-15) - 2 months" +%Y-%m)
d() { echo "$M-$1"; }

as() { ctl --actor "$1" call "${@:2}" || true; }
ask() { # must succeed
    local out
    out=$(ctl --actor "$1" call "${@:2}") || fail "$1 ${*:2}: $(echo "$out" | json .error)"
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
vin() { # a VIN with its check digit, serial $1
    python3 - "$1" <<'PY'
import sys
v = "JNKCV61E%s9M3%05d" % ("0", int(sys.argv[1]))
t = {c: i for i, c in enumerate("0123456789")}
t.update(dict(zip("ABCDEFGH", range(1, 9)))); t.update(dict(zip("JKLMN", range(1, 6))))
t.update({"P": 7, "R": 9}); t.update(dict(zip("STUVWXYZ", range(2, 10))))
w = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
s = sum(t[c] * w[i] for i, c in enumerate(v)) % 11
print(v[:8] + ("X" if s == 10 else str(s)) + v[9:])
PY
}
ro() { as adv-wang reception.ro.show ro_number="$1" | json ".reply$2"; }
ro_is() { [ "$(ro "$1" "$2")" = "$3" ]; }
qc_passed() { # RO VIN TECHNICIAN
    ws_seq=$((ws_seq + 1))
    "$FRAMES" event-json "ipc://$T/bus-in" workshop@test "$WS_INCARNATION" "$ws_seq" \
        workshop.qc.passed "{\"ro_number\":\"$1\",\"vin\":\"$2\",\"certificate\":\"QC-$1\",
        \"first_time\":true,\"jobs\":[{\"job_no\":1,\"technician\":\"$3\"}]}"
}
# open_ro RO VIN CONCERN CODE DAY: one free-text job (labour code CODE), consented
open_ro() {
    local job="{\"concern\":\"$3\",\"pay_type\":\"CUSTOMER_PAY\",
        \"labour\":{\"code\":\"$4\",\"sold_minutes\":60,\"rate_cents\":60000}}"
    ask adv-wang reception.ro.open ro_number="$1" vin="$2" mileage_km=$((20000 + 10#${1#RO-} * 100)) \
        jobs="$job" --at "$(d "$5") 09:00"
    ask adv-wang reception.ro.consent ro_number="$1" consent=signature --at "$(d "$5") 09:10"
}
deliver() { # RO DAY
    wait_for "$1 ready" ro_is "$1" .status RO_READY_FOR_DELIVERY
    ask adv-wang reception.ro.deliver ro_number="$1" --at "$(d "$2") 17:00"
}

log "--- seven customers' vehicles"
for i in 1 2 3 4 5 6 7; do
    V[$i]=$(vin $i)
    ask adv-wang reception.customer.register customer_id=c-$i name="Customer $i" phone=1380000000$i
    ask adv-wang reception.vehicle.register vin="${V[$i]}" plate=LU-Q00$i customer_id=c-$i \
        mileage_km=10000
done

log "--- the month $M: ten ROs delivered, two of them comebacks"
# RO     vehicle concern          operation technician opened delivered
# RO-01  V1      brake noise      BR100     tech-07    03      05
# RO-02  V2      engine misfire   EN100     tech-08    04      06
# RO-03  V3      oil service      OIL1      tech-07    04      06
# RO-04  V4      oil service      OIL1      tech-08    05      07
# RO-05  V5      brake noise      BR100     tech-07    06      08
# RO-06  V6      oil service      OIL1      tech-07    07      09
# RO-07  V7      engine misfire   EN100     tech-08    08      10
# RO-08  V3      tyre rotation    TY100     tech-07    12      13  (V3 again, another concern)
# RO-09  V1      Brake noise      BR100     tech-08    15      16  comeback of RO-01 (tech-07)
# RO-10  V2      engine misfire   EN100     tech-07    20      21  comeback of RO-02 (tech-08)
open_ro RO-01 "${V[1]}" "brake noise" BR100 03
open_ro RO-02 "${V[2]}" "engine misfire" EN100 04
open_ro RO-03 "${V[3]}" "oil service" OIL1 04
open_ro RO-04 "${V[4]}" "oil service" OIL1 05
open_ro RO-05 "${V[5]}" "brake noise" BR100 06
open_ro RO-06 "${V[6]}" "oil service" OIL1 07
open_ro RO-07 "${V[7]}" "engine misfire" EN100 08
for r in 1:07 2:08 3:07 4:08 5:07 6:07 7:08; do
    qc_passed RO-0${r%:*} "${V[${r%:*}]}" tech-${r#*:}
done
for r in 1:05 2:06 3:06 4:07 5:08 6:09 7:10; do deliver RO-0${r%:*} ${r#*:}; done
open_ro RO-08 "${V[3]}" "tyre rotation" TY100 12
qc_passed RO-08 "${V[3]}" tech-07
deliver RO-08 13
expect_eq "RO-08: the same vehicle for another concern is no comeback" "" "$(ro RO-08 '.comeback_of // ""')"
open_ro RO-09 "${V[1]}" "Brake noise" BR100 15
expect_eq "RO-09 comes back for RO-01's concern" RO-01 "$(ro RO-09 .comeback_of)"
qc_passed RO-09 "${V[1]}" tech-08
deliver RO-09 16
open_ro RO-10 "${V[2]}" "engine misfire" EN100 20
expect_eq "RO-10 comes back for RO-02's concern" RO-02 "$(ro RO-10 .comeback_of)"
qc_passed RO-10 "${V[2]}" tech-07
deliver RO-10 21

log "--- the causes, recorded by the front-desk manager"
refused "a cause not on the list" invalid \
    "cause 'weather' is not one of workmanship, parts_fault, misdiagnosis, customer, other" \
    fdm-li reception.comeback.cause ro_number=RO-09 cause=weather
refused "no cause" invalid "cause is required" fdm-li reception.comeback.cause ro_number=RO-09
refused "an RO that is no comeback" conflict "repair order 'RO-03' is not a comeback" \
    fdm-li reception.comeback.cause ro_number=RO-03 cause=workmanship
refused "an unknown RO" not-found "RO-99" fdm-li reception.comeback.cause ro_number=RO-99 \
    cause=workmanship
refused "an advisor recording a cause" denied "is not a" \
    adv-wang reception.comeback.cause ro_number=RO-09 cause=workmanship
expect_eq "nothing written by the refusals" "" "$(ro RO-09 '.comeback_cause // ""')"
ask fdm-li reception.comeback.cause ro_number=RO-09 cause=workmanship note="pad clip not fitted"
ask fdm-li reception.comeback.cause ro_number=RO-10 cause=parts_fault
# reviewed with the foreman: the coil was fine, the first RO misread the fault
ask fdm-li reception.comeback.cause ro_number=RO-10 cause=misdiagnosis note="coil, not plug"
expect_eq "RO-09's cause" workmanship "$(ro RO-09 '.comeback_cause // ""')"
expect_eq "RO-10's cause replaced" misdiagnosis "$(ro RO-10 .comeback_cause)"
expect_eq "who recorded it" fdm-li "$(ro RO-10 .comeback_cause_by)"
expect_eq "the comebacks' list shows the causes" "RO-10:misdiagnosis RO-09:workmanship" \
    "$(as fdm-li reception.ro.list comeback=true | json '[.reply.ros[] | "\(.ro_number):\(.comeback_cause)"] | join(" ")')"

log "--- the month's analysis (kpi)"
analysis() { as fm-liu kpi.comeback.analysis month=$M | json ".reply$1"; }
group() { analysis ".$1[] | select(.name==\"$2\") | .$3"; }
wait_for "kpi saw RO-10's cause" \
    test "$(group by_cause misdiagnosis comebacks)" = 1
# 10 ROs delivered in the month (RO-01..RO-10), 2 of them came back (RO-09, RO-10):
# comeback rate = 2 / 10 = 20 %
expect_eq "comebacks" 2 "$(analysis .comebacks)"
expect_eq "ROs delivered" 10 "$(analysis .ros_delivered)"
expect_eq "comeback rate 2 / 10" 20 "$(analysis .rate)"
expect_eq "its formula" "comebacks / ros delivered = 2 / 10" "$(analysis .formula)"
# by operation: RO-09 repeats RO-01's BR100, RO-10 RO-02's EN100
expect_eq "by operation" "BR100:1 EN100:1" \
    "$(analysis ' | [.by_operation[] | "\(.name):\(.comebacks)"] | join(" ")')"
# by technician, who worked the first RO's job: tech-07 (RO-01), tech-08 (RO-02);
# tech-07 worked 6 delivered ROs (01, 03, 05, 06, 08, 10): 1 / 6 = 16.67 %;
# tech-08 worked 4 (02, 04, 07, 09): 1 / 4 = 25 %
expect_eq "tech-07's comebacks" 1 "$(group by_technician tech-07 comebacks)"
expect_eq "tech-07's delivered ROs" 6 "$(group by_technician tech-07 ros_delivered)"
expect_eq "tech-07's rate 1 / 6" 16.67 "$(group by_technician tech-07 rate | xargs printf %.2f)"
expect_eq "tech-08's rate 1 / 4" 25 "$(group by_technician tech-08 rate)"
# by cause: one workmanship (RO-09), one misdiagnosis (RO-10, replacing parts_fault)
expect_eq "by cause" "workmanship:1 parts_fault:0 misdiagnosis:1 customer:0 other:0" \
    "$(analysis ' | [.by_cause[] | "\(.name):\(.comebacks)"] | join(" ")')"
expect_eq "the comebacks listed" "RO-09<RO-01 RO-10<RO-02" \
    "$(analysis ' | [.comebacks_list[] | "\(.ro_number)<\(.earlier_ro)"] | join(" ")')"
expect_eq "the report's comeback rate is the same" 20 \
    "$(ctl --actor svc-mgr call kpi.report month=$M |
        json '.reply.rows[0].figures[] | select(.name=="comeback rate") | .value')"
# from/to: the first half of the month holds RO-01..RO-08's deliveries and RO-09's comeback
expect_eq "the 1st to the 15th: 1 comeback over 8 delivered" "1/8" \
    "$(as fdm-li kpi.comeback.analysis from="$(d 01)" to="$(d 15)" | json '.reply | "\(.comebacks)/\(.ros_delivered)"')"
expect_eq "a month with nothing delivered: not defined, with the reason" \
    "false:no repair order was delivered" \
    "$(as fdm-li kpi.comeback.analysis month=2020-01 | json '.reply | "\(.defined):\(.reason[0:29])"')"
refused "a month that is no month" invalid "month '2026-13' is not a month" \
    fdm-li kpi.comeback.analysis month=2026-13
refused "month and from/to" invalid "give month (YYYY-MM) or from and to" \
    fdm-li kpi.comeback.analysis month=$M from="$(d 01)" to="$(d 02)"
refused "to before from" invalid "must be 1 to 366 days" \
    fdm-li kpi.comeback.analysis from="$(d 10)" to="$(d 02)"
refused "an advisor reading it" denied "is not a" adv-wang kpi.comeback.analysis month=$M

log "--- corrective and preventive actions"
actions() { as fdm-li reception.quality_action.list "$@" | json '.reply'; }
count() { actions | jq -r '.actions | length'; }
refused "a due date before the day it is decided" invalid \
    "due_date $(d 15) is before the day it is decided ($(d 16))" \
    fdm-li reception.quality_action.create kind=corrective what="x" owner=tech-07 \
    due_date="$(d 15)" --at "$(d 16) 10:00"
refused "an owner not on the staff list" not-found "owner 'tech-99' is not on the staff list" \
    fdm-li reception.quality_action.create kind=corrective what="x" owner=tech-99 due_date="$(d 28)" \
    --at "$(d 16) 10:00"
refused "a kind that is neither" invalid "kind 'remedial' is not corrective or preventive" \
    fdm-li reception.quality_action.create kind=remedial what="x" owner=tech-07 due_date="$(d 28)" \
    --at "$(d 16) 10:00"
refused "a linked RO that is no comeback" invalid "repair order 'RO-03' is not a comeback" \
    fdm-li reception.quality_action.create kind=corrective what="x" owner=tech-07 \
    due_date="$(d 28)" comeback_ros=RO-03 --at "$(d 16) 10:00"
refused "an unknown meeting" not-found "quality meeting 'QM-X' does not exist" \
    fdm-li reception.quality_action.create kind=corrective what="x" owner=tech-07 \
    due_date="$(d 28)" meeting_id=QM-X --at "$(d 16) 10:00"
refused "no what" invalid "what (the action to take) is required" \
    fdm-li reception.quality_action.create kind=corrective owner=tech-07 due_date="$(d 28)" \
    --at "$(d 16) 10:00"
refused "an advisor deciding one" denied "is not a" \
    adv-wang reception.quality_action.create kind=corrective what="x" owner=tech-07 \
    due_date="$(d 28)" --at "$(d 16) 10:00"
expect_eq "no action written by the refusals" 0 "$(count)"
# decided on the 16th with the foreman
ask fdm-li reception.quality_action.create kind=corrective owner=tech-07 due_date="$(d 28)" \
    what="refit RO-01's brake pad clips; check the clip on every brake job" \
    comeback_ros=RO-09 --at "$(d 16) 10:00"
ask fm-liu reception.quality_action.create kind=preventive owner=fm-liu due_date="$(d 18)" \
    what="misfire diagnosis training: coil and plug tests" comeback_ros=RO-10 \
    --at "$(d 16) 10:05"
ask fdm-li reception.quality_action.create action_id=QA-X kind=preventive owner=qc-ma \
    due_date="$(d 17)" what="road test after every brake job" --at "$(d 16) 10:10"
expect_eq "numbered QA-0001, QA-0002, then the given id" "QA-0001 QA-0002 QA-X" \
    "$(actions | jq -r '[.actions[].action_id] | sort | join(" ")')"
ask qc-ma reception.quality_action.update action_id=QA-X status=QA_DONE note="in the checklist" \
    --at "$(d 17) 12:00"
log "--- followed until closed: QA-0001 by its owner, then done"
refused "a technician moving another's action" denied "is neither the owner of action 'QA-0002'" \
    tech-07 reception.quality_action.update action_id=QA-0002 status=QA_IN_PROGRESS
ask tech-07 reception.quality_action.update action_id=QA-0001 status=QA_IN_PROGRESS \
    --at "$(d 20) 08:00"
refused "in progress twice" conflict "action 'QA-0001' is QA_IN_PROGRESS already" \
    tech-07 reception.quality_action.update action_id=QA-0001 status=QA_IN_PROGRESS
refused "back to open" invalid "an action never goes back to QA_OPEN" \
    fdm-li reception.quality_action.update action_id=QA-0001 status=QA_OPEN
refused "cancelled without a reason" invalid "a cancellation needs a reason" \
    fdm-li reception.quality_action.update action_id=QA-0001 status=QA_CANCELLED
expect_eq "still in progress after the refusals" QA_IN_PROGRESS \
    "$(as fdm-li reception.quality_action.show action_id=QA-0001 | json .reply.status)"
log "--- as of the 25th: QA-0002 (due the 18th, open) is overdue and listed first"
# plain due-date order would be QA-X (17th, done), QA-0002 (18th), QA-0001 (28th);
# the list puts the overdue first, then the open, then the closed
expect_eq "overdue first, then open, then closed" "QA-0002:true QA-0001:false QA-X:false" \
    "$(actions as_of="$(d 25)" | jq -r '[.actions[] | "\(.action_id):\(.overdue)"] | join(" ")')"
expect_eq "one overdue" 1 "$(actions as_of="$(d 25)" | jq -r .overdue)"
expect_eq "overdue=true lists QA-0002 only" QA-0002 \
    "$(actions as_of="$(d 25)" overdue=true | jq -r '[.actions[].action_id] | join(" ")')"
expect_eq "open=true, owner=tech-07: QA-0001" QA-0001 \
    "$(actions open=true owner=tech-07 | jq -r '[.actions[].action_id] | join(" ")')"
ask fdm-li reception.quality_action.update action_id=QA-0001 status=QA_DONE \
    note="clips refitted, checklist updated" --at "$(d 26) 09:00"
refused "a done action going backwards" conflict \
    "action 'QA-0001' is QA_DONE: a done or cancelled action is closed for good" \
    fdm-li reception.quality_action.update action_id=QA-0001 status=QA_IN_PROGRESS
qa1() { as fdm-li reception.quality_action.show action_id=QA-0001 | json ".reply$1"; }
expect_eq "QA-0001 done on the 26th" "QA_DONE $(d 26) fdm-li" \
    "$(qa1 '| "\(.status) \(.done_date) \(.updated_by)"')"
ask fm-liu reception.quality_action.update action_id=QA-0002 status=QA_CANCELLED \
    reason="the OEM's course in the next month replaces it" --at "$(d 26) 09:30"
expect_eq "nothing open as of the 27th" "0 0" \
    "$(actions as_of="$(d 27)" open=true | jq -r '"\(.actions | length) \(.overdue)"')"
expect_eq "events for each change: 3 created, 4 updated" "3 4" \
    "$(ctl tap reception.quality_action --since reception@test:1 --wait 1500 |
        jq -rs '[(map(select(.type=="reception.quality_action.created")) | length),
                 (map(select(.type=="reception.quality_action.updated")) | length)] | join(" ")')"

log "--- a quality meeting with two action items"
ITEM1='{"kind":"corrective","what":"re-torque check on brake calipers","owner":"tech-08",
        "due_date":"'"$(d 30)"'","comeback_ros":["RO-09"]}'
ITEM2='{"kind":"preventive","what":"monthly comeback review in the morning meeting",
        "owner":"fdm-li","due_date":"'"$(d 28)"'"}'
BAD2='{"kind":"preventive","what":"late","owner":"fdm-li","due_date":"'"$(d 01)"'"}'
refused "an attendee not on the staff list" not-found "attendee 'guest' is not on the staff list" \
    fdm-li reception.quality_meeting.record attendees=fdm-li attendees=guest topics=x \
    --at "$(d 27) 16:00"
refused "a bad action item refuses the meeting" invalid "action item 2: due_date $(d 01)" \
    fdm-li reception.quality_meeting.record attendees=fdm-li topics=x actions="$ITEM1" \
    actions="$BAD2" --at "$(d 27) 16:00"
worded fdm-li "action item %zu: due_date %s is before the day it is decided (%s)" \
    "[\"2\",\"$(d 01)\",\"$(d 27)\"]" reception.quality_meeting.record attendees=fdm-li topics=x \
    actions="$ITEM1" actions="$BAD2" --at "$(d 27) 16:00"
refused "minutes without topics or notes" invalid "need its topics or notes" \
    fdm-li reception.quality_meeting.record attendees=fdm-li --at "$(d 27) 16:00"
refused "the foreman recording the minutes" denied "is not a" \
    fm-liu reception.quality_meeting.record attendees=fdm-li topics=x --at "$(d 27) 16:00"
expect_eq "no meeting and no action written by the refusals" "0 3" \
    "$(as fdm-li reception.quality_meeting.list month=$M | json '.reply.meetings | length') $(count)"
ask fdm-li reception.quality_meeting.record attendees=fdm-li attendees=fm-liu attendees=qc-ma \
    topics="the month's comebacks: BR100 and EN100" topics="overdue actions" \
    notes="QA-0002 cancelled: the OEM course replaces it" actions="$ITEM1" actions="$ITEM2" \
    --at "$(d 27) 16:00"
QM="QM-${M/-/}27"
meeting() { as svc-mgr reception.quality_meeting.show meeting_id="$QM" | json ".reply$1"; }
expect_eq "the meeting of the 27th" "$(d 27)" "$(meeting .date)"
expect_eq "three attendees" "fdm-li fm-liu qc-ma" "$(meeting '.attendees | join(" ")')"
expect_eq "its two action items, open, linked to it" \
    "QA-0003:tech-08:QA_OPEN:$QM QA-0004:fdm-li:QA_OPEN:$QM" \
    "$(meeting ' | [.actions[] | "\(.action_id):\(.owner):\(.status):\(.meeting_id)"] | join(" ")')"
expect_eq "the month's meetings" "$QM" \
    "$(as fm-liu reception.quality_meeting.list month=$M | json '[.reply.meetings[].meeting_id] | join(" ")')"
expect_eq "none before the 27th" 0 \
    "$(as fm-liu reception.quality_meeting.list from="$(d 01)" to="$(d 26)" | json '.reply.meetings | length')"
refused "an advisor reading the minutes" denied "is not a" \
    adv-wang reception.quality_meeting.list month=$M

log "PASS"
