#!/usr/bin/env bash
# labels: reception workshop
# timeout: 180
# Numbers and lookups at the counter, with the real reception and workshop
# daemons: customer ids and RO numbers handed out when none is given (the
# day's sequence; two concurrent openings never share one; a retried opening
# gets the same), search by Chinese and Latin names, phone, plate and VIN
# fragment, repair orders listed by status, advisor and dates, a vehicle's
# history, and the workshop board of a day filtered.
. "$(dirname "$0")/lib.sh"
setup lookups

sed -i 's/^services = .*/services = reception, workshop/' "$CONFIG"
cat >>"$CONFIG" <<INI

[staff]
adv-wang = advisor limit=1000000
adv-zhao = advisor limit=1000000
clerk-zhou = info_clerk
fm-li = foreman
tech-07 = technician
qc-zhao = qc_inspector

[reception]
endpoint = ipc://$T/reception.sock
follows = workshop
heartbeat_ms = 200

[workshop]
endpoint = ipc://$T/workshop.sock
follows = reception
heartbeat_ms = 200
INI

start_bus bus
start_service reception
start_service workshop

as() { local who=$1; shift; AS_ACTOR=$who ctl call "$@" || true; } # a refusal is checked, not fatal
customers() { as clerk-zhou reception.search "$@" | json '[.reply.customers // [] | .[].customer_id] | join(" ")'; }
vehicles() { as clerk-zhou reception.search "$@" | json '[.reply.vehicles // [] | .[].vin] | join(" ")'; }
TODAY=$(date +%F)
DAY=$(date +%y%m%d)
YESTERDAY=$(date -d yesterday +%F)
TOMORROW=$(date -d tomorrow +%F)
V1=LSVAU218XN2183294
V2=LFV3A23C5L3012345
V3=LGBH52E03KY654321

log "--- customer ids"
expect_eq "a customer without an id gets the first number" C000001 \
    "$(as clerk-zhou reception.customer.register name="Wang Wei" phone=138-0013-8000 | json .reply.customer_id)"
expect_eq "and the next one the next" C000002 \
    "$(as clerk-zhou reception.customer.register name=王伟 phone=13912345678 | json .reply.customer_id)"
expect_eq "a client's own id is kept" C000003 "$(as clerk-zhou reception.customer.register \
    customer_id=C000003 name=王小明 phone=0531-8888-1234 | json .reply.customer_id)"
expect_eq "a number a client took is skipped" C000004 "$(as clerk-zhou \
    reception.customer.register name="Émile Dupont" phone=+33612340000 | json .reply.customer_id)"
as clerk-zhou reception.vehicle.register vin=$V1 plate="鲁A12345" customer_id=C000001 mileage_km=1000 >/dev/null
as clerk-zhou reception.vehicle.register vin=$V2 plate="京B-66666" customer_id=C000002 >/dev/null
as clerk-zhou reception.vehicle.register vin=$V3 plate="鲁A 77777" customer_id=C000003 >/dev/null

log "--- search by name: Latin without case, Chinese from the start or the given name"
expect_eq "a Latin name by its start" C000001 "$(customers text=wang)"
expect_eq "in any case" C000001 "$(customers text=WANG)"
expect_eq "by any word's start" C000001 "$(customers text=wei)"
expect_eq "every word must match" C000001 "$(customers "text=wang we")"
expect_eq "accents lowercased too" C000004 "$(customers text=ÉMILE)"
expect_eq "not inside a word" "" "$(customers text=mile)"
expect_eq "a Chinese surname finds every name it starts" "C000002 C000003" "$(customers text=王)"
expect_eq "a whole Chinese name" C000002 "$(customers text=王伟)"
expect_eq "a Chinese given name" C000003 "$(customers text=小明)"

log "--- search by phone: its start or its last digits"
expect_eq "the start of a phone number" C000001 "$(customers text=138)"
expect_eq "typed with spaces" C000002 "$(customers "text=139 1234")"
expect_eq "the last digits" C000002 "$(customers text=5678)"
expect_eq "too few digits find no phone" "" "$(customers text=78)"

log "--- search by plate and vin"
expect_eq "a plate, case and spaces ignored" $V1 "$(vehicles "text=鲁a 12345")"
expect_eq "a plate by its number" $V2 "$(vehicles text=66666)"
expect_eq "a plate's province finds its plates" "$V3 $V1" "$(vehicles text=鲁A)"
expect_eq "the last 6 of a vin" $V1 "$(vehicles text=183294)"
expect_eq "4 characters inside a vin" $V2 "$(vehicles text=3a23)"
expect_eq "a vehicle hit shows its owner" "鲁A12345 C000001 Wang Wei 138-0013-8000" \
    "$(as clerk-zhou reception.search text=183294 | json '.reply.vehicles[0] | "\(.plate) \(.customer_id) \(.customer_name) \(.customer_phone)"')"
as clerk-zhou reception.vehicle.transfer vin=$V2 plate="京C 12121" reason="new plate" >/dev/null
expect_eq "a changed plate: the old one finds nothing" "" "$(vehicles text=66666)"
expect_eq "the new one finds the vehicle" $V2 "$(vehicles text=京c12121)"
as clerk-zhou reception.customer.register customer_id=C000001 name="Li Wei" phone=138-0013-8000 >/dev/null
expect_eq "a changed name: the old one finds nothing" "" "$(customers text=wang)"
expect_eq "the new one finds the customer" C000001 "$(customers text=li)"
log "--- with_vehicles: a customer's name or phone finds their vehicles (the counter)"
expect_eq "a name alone finds no vehicle" "" "$(vehicles text=小明)"
expect_eq "with_vehicles: the customer's vehicle" $V3 "$(vehicles text=小明 with_vehicles=true)"
expect_eq "a surname: the vehicles of each customer found" "$V2 $V3" "$(vehicles text=王 with_vehicles=true)"
expect_eq "a phone's last digits" $V2 "$(vehicles text=5678 with_vehicles=true)"
as clerk-zhou reception.vehicle.transfer vin=$V3 customer_id=C000001 reason="sold to Li Wei" >/dev/null
expect_eq "a vehicle sold on: not the old owner's" "" "$(vehicles text=小明 with_vehicles=true)"
expect_eq "the new owner's" "$V3 $V1" "$(vehicles text=li with_vehicles=true)"
as clerk-zhou reception.vehicle.transfer vin=$V3 customer_id=C000003 reason="sold back" >/dev/null
refused clerk-zhou invalid "text to search for is required" reception.search "text= "
refused clerk-zhou invalid "limit 500 must be 1 to 100" reception.search text=li limit=500
refused tech-07 denied "is not a" reception.search text=li

log "--- RO numbers: the day's sequence, concurrent openings, a retry"
open_ro() { # open_ro ADVISOR VIN KM [asctl args...]: prints the RO number
    local who=$1 vin=$2 km=$3
    shift 3
    as "$who" reception.ro.open "$@" --payload "{\"vin\":\"$vin\",\"mileage_km\":$km,\"jobs\":[
        {\"concern\":\"oil change\",\"pay_type\":\"CUSTOMER_PAY\",\"labour\":{\"code\":\"EN010\",
         \"sold_minutes\":30,\"rate_cents\":60000}}]}" |
        json '.reply.ro_number // .error'
}
expect_eq "the first RO of the day" "R${DAY}0001" "$(open_ro adv-wang $V1 1200)"
open_ro adv-wang $V2 500 >"$T/a" &
a=$!
open_ro adv-zhao $V3 800 >"$T/b" &
b=$!
wait $a $b
expect_eq "two concurrent openings get the next two numbers" "R${DAY}0002 R${DAY}0003" \
    "$(cat "$T/a" "$T/b" | sort | tr '\n' ' ' | sed 's/ $//')"
first=$(open_ro adv-wang $V1 1500 --request-id open-1)
expect_eq "an opening retried with its request id" "$first" "$(open_ro adv-wang $V1 1500 --request-id open-1)"
expect_eq "is the same opening" "R${DAY}0004" "$first"
expect_eq "a client's own number is kept" "R${DAY}0005" \
    "$(open_ro adv-wang $V2 600 ro_number=R${DAY}0005 2>/dev/null || true)"
expect_eq "the day's sequence goes on after it" "R${DAY}0006" "$(open_ro adv-zhao $V3 900)"

log "--- the repair orders listed"
list() { as adv-wang reception.ro.list "$@" | json '[.reply.ros // [] | .[].ro_number] | join(" ")'; }
expect_eq "newest first" "R${DAY}0006 R${DAY}0005 R${DAY}0004 R${DAY}0003 R${DAY}0002 R${DAY}0001" "$(list)"
expect_eq "one advisor's" "R${DAY}0006 $(cat "$T/b")" "$(list advisor=adv-zhao)"
as adv-wang reception.ro.consent ro_number=R${DAY}0001 consent=signature >/dev/null
expect_eq "by status" "R${DAY}0001" "$(list status=RO_IN_WORKSHOP)"
expect_eq "the others await consent" 5 "$(as adv-wang reception.ro.list status=RO_AWAITING_CONSENT | json '.reply.ros | length')"
expect_eq "dates from..to" 6 "$(as adv-wang reception.ro.list from=$TODAY to=$TODAY | json '.reply.ros | length')"
expect_eq "none from tomorrow" "" "$(list from=$TOMORROW)"
expect_eq "none up to yesterday" "" "$(list to=$YESTERDAY)"
expect_eq "a page and where the next starts" "R${DAY}0006 R${DAY}0005|R${DAY}0005" \
    "$(as adv-wang reception.ro.list limit=2 | json '"\([.reply.ros[].ro_number] | join(" "))|\(.reply.next_after)"')"
expect_eq "the next page" "R${DAY}0004 R${DAY}0003" "$(list limit=2 after=R${DAY}0005)"
expect_eq "the last page has no next" "null" "$(as adv-wang reception.ro.list limit=2 after=R${DAY}0002 | json .reply.next_after)"
refused adv-wang invalid "from '2026-13-01' is not a date" reception.ro.list from=2026-13-01
refused adv-wang invalid "is after to" reception.ro.list from=$TOMORROW to=$TODAY
refused adv-wang not-found "repair order 'R-404' does not exist" reception.ro.list after=R-404

log "--- a vehicle's history"
as adv-wang reception.vehicle.history vin=$V1 >"$T/h.json"
expect_eq "its ROs newest first, with mileage, status and jobs" \
    "R${DAY}0004 1500 RO_AWAITING_CONSENT oil change|R${DAY}0001 1200 RO_IN_WORKSHOP oil change" \
    "$(json '[.reply.ros[] | "\(.ro_number) \(.mileage_km) \(.status) \(.jobs[0].concern)"] | join("|")' <"$T/h.json")"
expect_eq "the estimate of each" "30000 30000" "$(json '[.reply.ros[].estimate_cents] | join(" ")' <"$T/h.json")"
as clerk-zhou reception.vehicle.register vin=JN1AZ4EH7DM430111 plate=A1 customer_id=C000004 >/dev/null
expect_eq "a vehicle never in the workshop has no history" "JN1AZ4EH7DM430111 0" \
    "$(as adv-wang reception.vehicle.history vin=JN1AZ4EH7DM430111 | json '"\(.reply.vin) \(.reply.ros // [] | length)"')"
refused adv-wang not-found "vehicle 'LSVAU218XN2000000' is not registered" \
    reception.vehicle.history vin=LSVAU218XN2000000

log "--- the workshop board of a day"
board() { as fm-li workshop.board "$@" | json '[.reply.jobs // [] | .[] | "\(.ro_number)/\(.job_no)"] | join(" ")'; }
on_board() { [ "$(board)" = "$1" ]; }
wait_for "the consented RO's job on the board" on_board "R${DAY}0001/1"
as adv-wang reception.ro.consent ro_number=R${DAY}0004 consent=phone >/dev/null
wait_for "the second RO's job" on_board "R${DAY}0001/1 R${DAY}0004/1"
expect_eq "the board says its day" "$TODAY" "$(as fm-li workshop.board | json .reply.date)"
expect_eq "nothing on yesterday's board" "" "$(board date=$YESTERDAY)"
as fm-li workshop.technician.register tech_id=tech-07 name="Li Wei" skills=engine level=3 \
    hourly_cost_cents=4500 >/dev/null
as fm-li workshop.bay.register bay_id=B1 kind=lift >/dev/null
as fm-li workshop.job.dispatch ro_number=R${DAY}0001 job_no=1 tech_id=tech-07 bay_id=B1 >/dev/null
expect_eq "one technician's jobs" "R${DAY}0001/1" "$(board technician=tech-07)"
expect_eq "by status" "R${DAY}0004/1" "$(board status=WORK_WAITING)"
as tech-07 workshop.clock.on ro_number=R${DAY}0001 job_no=1 >/dev/null
as tech-07 workshop.clock.off ro_number=R${DAY}0001 job_no=1 finished=true >/dev/null
expect_eq "qc passed" true "$(as qc-zhao workshop.qc.inspect ro_number=R${DAY}0001 kind=FINAL \
    passed=true | json .ok)"
expect_eq "a job that passed qc today is on today's board" "R${DAY}0001/1 R${DAY}0004/1" "$(board)"
expect_eq "but not on a later day's, where open work stays" "R${DAY}0004/1" "$(board date=$TOMORROW)"
expect_eq "every job ever, when asked" "R${DAY}0001/1 R${DAY}0004/1" "$(board date=$TOMORROW all=true)"
expect_eq "every day's, of one technician" "R${DAY}0001/1" "$(board all=true technician=tech-07)"
refused fm-li invalid "date '2026-02-30' is not a date" workshop.board date=2026-02-30

log "--- work keyed in after the fact: yesterday's RO and board"
DAY_BEFORE=$(date -d "2 days ago" +%F)
YDAY=$(date -d yesterday +%y%m%d)
expect_eq "an RO dated yesterday takes yesterday's first number" "R${YDAY}0001" \
    "$(open_ro adv-zhao $V3 950 --at "$YESTERDAY 09:00")"
as adv-zhao reception.ro.consent ro_number=R${YDAY}0001 consent=signature --at "$YESTERDAY 09:10" >/dev/null
on_day() { [ "$(board date="$1")" = "$2" ]; }
wait_for "yesterday's job on yesterday's board" on_day "$YESTERDAY" "R${YDAY}0001/1"
as fm-li workshop.job.dispatch ro_number=R${YDAY}0001 job_no=1 tech_id=tech-07 bay_id=B1 \
    --at "$YESTERDAY 09:30" >/dev/null
as tech-07 workshop.clock.on ro_number=R${YDAY}0001 job_no=1 --at "$YESTERDAY 10:00" >/dev/null
as tech-07 workshop.clock.off ro_number=R${YDAY}0001 job_no=1 finished=true \
    --at "$YESTERDAY 10:30" >/dev/null
expect_eq "qc passed yesterday" true "$(as qc-zhao workshop.qc.inspect ro_number=R${YDAY}0001 \
    kind=FINAL passed=true --at "$YESTERDAY 11:00" | json .ok)"
expect_eq "yesterday's board shows it" "R${YDAY}0001/1" "$(board date=$YESTERDAY)"
expect_eq "today's board does not" "R${DAY}0001/1 R${DAY}0004/1" "$(board)"
expect_eq "nor the day before it" "" "$(board date=$DAY_BEFORE)"
expect_eq "the RO is listed on its day" "R${YDAY}0001" "$(list from=$YESTERDAY to=$YESTERDAY)"

log "--- stores from before the indexes: built once at start"
BOARD_BEFORE="$(board)|$(board date=$TOMORROW)"
stop workshop
stop reception
# before_indexes SERVICE META DB...: the service's store without the databases
# DB... and the meta entry META that notes they were built
before_indexes() {
    local dir=$T/data/$1 meta
    meta=$(printf '%s' "$2" | od -An -tx1 | tr -d ' \n')
    shift 2
    mdb_dump -a "$dir" >"$T/store.dump" # hex, one section per database
    awk -v meta=" $meta" -v drop=" $* " '
        /^VERSION=/ { section = $0 "\n"; db = ""; next }
        /^database=/ { db = substr($0, 10) }
        index(drop, " " db " ") { next }
        /^HEADER=END/ { data = 1; n = 0 }
        /^DATA=END/ { data = 0 }
        data && !/^HEADER=END/ && n++ % 2 == 0 && db == "meta" && $0 == meta { skip = 1; next }
        skip { skip = 0; next }
        section != "" { printf "%s", section; section = "" }
        { print }' "$T/store.dump" >"$T/old.dump"
    grep -q "database=$1" "$T/old.dump" && fail "the old store still has $1"
    rm -rf "$dir" && mkdir -p "$dir"
    mdb_load -f "$T/old.dump" "$dir"
}
before_indexes reception reception_search customer_words customer_phones vehicle_keys ros_by_date
before_indexes workshop workshop_board jobs_by_finish
start_service workshop
expect_eq "workshop filed its jobs once at start" 1 \
    "$(grep -c 'store upgraded: 3 jobs filed for the board' "$T/workshop.log")"
expect_eq "the same boards" "$BOARD_BEFORE" "$(board)|$(board date=$TOMORROW)"
start_service reception
wait_for "reception answers again" ctl_ok status reception
expect_eq "the upgrade indexed what the store held" 1 \
    "$(grep -c '4 customers, 4 vehicles and 7 repair orders indexed' "$T/reception.log")"
expect_eq "an old store's names are found" C000003 "$(customers text=小明)"
expect_eq "its owners" $V3 "$(vehicles text=小明 with_vehicles=true)"
expect_eq "its plates" $V1 "$(vehicles "text=鲁a 12345")"
expect_eq "its repair orders listed" 7 "$(as adv-wang reception.ro.list | json '.reply.ros | length')"
stop reception
start_service reception
wait_for "reception answers after a restart" ctl_ok status reception
expect_eq "indexed once only" 1 "$(grep -c 'repair orders indexed' "$T/reception.log")"
stop workshop
start_service workshop
expect_eq "filed once only" 1 "$(grep -c 'jobs filed for the board' "$T/workshop.log")"

finish
