#!/usr/bin/env bash
# labels: reception
# timeout: 180
# Master data the service manager keeps, and an RO opened from it: the real
# bus, reception, workshop and parts daemons. Reception learns the workshop's
# skills (workshop.technician.registered) and the parts' prices
# (parts.part.defined); the service manager defines labour operations and the
# labour rate of each pay type (an advisor may not); an RO opens from
# operation codes with the estimate worked out by hand from the catalogue, the
# rates and the parts prices, next to a free-text job flagged as such; an
# unknown or retired code, an unknown skill, a part line without a price and
# a pay type without a rate are each refused naming the job, with nothing
# written; a new rate applies to ROs opened after it; asctl shows amounts in
# the site's currency.
. "$(dirname "$0")/lib.sh"
setup labour_ops

sed -i 's/^services = .*/services = reception, workshop, parts/' "$CONFIG"
sed -i 's/^name = test$/name = test\ncurrency = CNY/' "$CONFIG"
cat >>"$CONFIG" <<INI
svc-mgr = service_manager
adv-wang = advisor limit=5000
fm-li = foreman
wh-zhou = warehouse_keeper
tech-07 = technician

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
INI

start_bus bus
for s in reception workshop parts; do start_service "$s"; done
VIN=JN1AZ4EH7DM430111

as() { # as ACTOR COMMAND FIELD=VALUE...: must succeed; prints the JSON answer
    local who=$1 out
    shift
    if ! out=$(ctl --actor "$who" call "$@"); then
        fail "$who $*: $(echo "$out" | json .error)"
        return 1
    fi
    echo "$out"
}
ask() { as "$@" >/dev/null; }
last_seq() { ctl status "$1" | json '.services[0].last_seq'; }
applied() { # applied CONSUMER SOURCE: the consumer applied everything the source made
    [ "$(ctl status "$1" | json ".services[0].offsets[] | select(.source==\"$2@test\") |
        .applied_seq")" = "$(last_seq "$2")" ]
}

# --- what reception learns from the workshop and parts -----------------------------
ask fm-li workshop.technician.register tech_id=tech-07 name="Li Wei" skills=engine \
    skills=electrical level=3 hourly_cost_cents=4500
ask wh-zhou parts.part.define part_number=P-OIL description="engine oil 1 l" cost_cents=4000 \
    price_cents=8000 bin=A-1
ask wh-zhou parts.part.define part_number=P-FLT description="oil filter" cost_cents=2000 \
    price_cents=5000 bin=A-2
wait_for "reception applied the workshop's events" applied reception workshop
wait_for "reception applied the parts' events" applied reception parts
expect_eq "the skills reception knows" "electrical:tech-07:3 engine:tech-07:3" \
    "$(as adv-wang reception.skill.list |
        json '[.reply.skills[] | "\(.skill):\(.technicians | join(",")):\(.max_level)"] | join(" ")')"

# --- the catalogue and the rates: the service manager's ----------------------------
define() { # define ACTOR CODE MINUTES SKILL LEVEL [FIELD=VALUE...]
    local who=$1 code=$2 minutes=$3 skill=$4 level=$5
    shift 5
    ctl --actor "$who" call reception.labour_op.define code="$code" description="op $code" \
        sold_minutes="$minutes" skill="$skill" min_level="$level" "$@" || true
}
before=$(last_seq reception)
refused adv-wang denied "'adv-wang' is not a service_manager" reception.labour_op.define \
    code=EN100 description=x sold_minutes=90 skill=engine
refused adv-wang denied "'adv-wang' is not a service_manager" reception.labour_rate.set \
    pay_type=CUSTOMER_PAY rate_cents=1
refused svc-mgr invalid "labour operation 'WE100': skill 'welding' is not a skill of any technician" \
    reception.labour_op.define code=WE100 description=x sold_minutes=60 skill=welding
refused svc-mgr invalid "labour operation 'EN100' has no rate_cents" reception.labour_op.define \
    code=EN100 description=x sold_minutes=90 skill=engine rate_cents=100
refused svc-mgr invalid "labour operation code 'EN 1' must be 1 to 32 of letters" \
    reception.labour_op.define code="EN 1" description=x sold_minutes=90 skill=engine
refused svc-mgr invalid "labour rate of WARRANTY: rate_cents must be 0..100000000" \
    reception.labour_rate.set pay_type=WARRANTY rate_cents=-1
expect_eq "refused definitions wrote nothing" "$before" "$(last_seq reception)"

out=$(define svc-mgr EN100 90 engine 2 special_tools=T-TORQUE-01 warranty_group=engine)
expect_eq "EN100 defined by" svc-mgr "$(echo "$out" | json .reply.changed_by)"
define svc-mgr EL200 45 electrical 1 warranty_group=body-electrics >/dev/null
define svc-mgr OLD10 20 engine 1 >/dev/null
ask svc-mgr reception.labour_op.retire code=OLD10
refused svc-mgr conflict "labour operation 'OLD10' is already retired" \
    reception.labour_op.retire code=OLD10
refused adv-wang not-found "labour operation 'NOPE' does not exist" \
    reception.labour_op.show code=NOPE
expect_eq "EN100 as shown" "90 engine 2 T-TORQUE-01 engine" \
    "$(as adv-wang reception.labour_op.show code=EN100 | json '.reply.operation |
        "\(.sold_minutes) \(.skill) \(.min_level) \(.special_tools | join(",")) \(.warranty_group)"')"
codes() { as adv-wang reception.labour_op.list "$@" | json '[.reply.operations[].operation.code] | join(" ")'; }
expect_eq "the operations in force" "EL200 EN100" "$(codes)"
expect_eq "prefix EN" "EN100" "$(codes prefix=EN)"
expect_eq "skill electrical" "EL200" "$(codes skill=electrical)"
expect_eq "the retired ones" "OLD10" "$(codes retired=true)"

ask svc-mgr reception.labour_rate.set pay_type=CUSTOMER_PAY rate_cents=60000
ask svc-mgr reception.labour_rate.set pay_type=WARRANTY rate_cents=45000
expect_eq "the rates" "CUSTOMER_PAY:60000:svc-mgr WARRANTY:45000:svc-mgr" \
    "$(as adv-wang reception.labour_rate.list |
        json '[.reply.rates[] | "\(.pay_type):\(.rate_cents):\(.set_by)"] | join(" ")')"

# --- an RO from operation codes ----------------------------------------------------
ask adv-wang reception.customer.register customer_id=C1 name="Customer 1" phone=13900000001
ask adv-wang reception.vehicle.register vin=$VIN plate=LU-B00001 customer_id=C1 \
    sale_date=2024-05-01 mileage_km=20000
JOBS='[{"concern":"timing belt noise","pay_type":"CUSTOMER_PAY","operation_code":"EN100",
        "parts":[{"part_number":"P-OIL","quantity":4},{"part_number":"P-FLT","quantity":1}]},
       {"concern":"window stuck","pay_type":"WARRANTY","operation_code":"EL200"},
       {"concern":"rattle under the dash","pay_type":"CUSTOMER_PAY",
        "labour":{"description":"find the rattle","sold_minutes":30,"skill":"electrical"}}]'
out=$(as adv-wang reception.ro.open ro_number=RO-1 vin=$VIN mileage_km=21000 jobs="$JOBS")
# job 1: 90 min x 600.00/h = 900.00, parts 4 x 80.00 + 50.00 = 370.00;
# job 2: 45 min x 450.00/h = 337.50; job 3: 30 min x 600.00/h = 300.00
expect_eq "estimate from the catalogue, the rates and the prices" 190750 \
    "$(echo "$out" | json .reply.estimate_cents)"
expect_eq "job 1 from EN100" "EN100 90 60000 engine 2 T-TORQUE-01 engine 8000 5000" \
    "$(echo "$out" | json '.reply.jobs[0] | "\(.labour.code) \(.labour.sold_minutes) \(.labour.rate_cents) \(.labour.skill) \(.labour.min_level) \(.labour.special_tools | join(",")) \(.labour.warranty_group) \(.parts[0].unit_price_cents) \(.parts[1].unit_price_cents)"')"
expect_eq "job 2 at the warranty rate" "EL200 45000 body-electrics" \
    "$(echo "$out" | json '.reply.jobs[1].labour | "\(.code) \(.rate_cents) \(.warranty_group)"')"
expect_eq "only the free-text job is flagged" "false false true" \
    "$(echo "$out" | json '[.reply.jobs[] | .free_text // false] | map(tostring) | join(" ")')"
expect_eq "the free-text job at the customer rate" 60000 \
    "$(echo "$out" | json '.reply.jobs[2].labour.rate_cents')"
expect_eq "asctl shows the estimate in the site's currency" "estimate_cents: 1,907.50 CNY" \
    "$(AS_ACTOR=adv-wang "$ASCTL" --config "$CONFIG" call reception.ro.show ro_number=RO-1 |
        grep '^estimate_cents:')"

# --- refusals at opening: each names the job, nothing is written ---------------------
before=$(last_seq reception)
open_refused() { # open_refused CODE TEXT JOBS
    refused adv-wang "$1" "$2" reception.ro.open ro_number=RO-X vin=$VIN mileage_km=21000 \
        jobs="$3"
}
ok_job='{"concern":"belt","pay_type":"CUSTOMER_PAY","operation_code":"EN100"}'
open_refused not-found "job 2: labour operation 'XX999' is not in the catalogue" \
    "[$ok_job,{\"concern\":\"x\",\"pay_type\":\"CUSTOMER_PAY\",\"operation_code\":\"XX999\"}]"
open_refused conflict "job 1: labour operation 'OLD10' is retired" \
    '[{"concern":"x","pay_type":"CUSTOMER_PAY","operation_code":"OLD10"}]'
open_refused invalid "job 2: skill 'welding' is not a skill of any technician" \
    "[$ok_job,{\"concern\":\"x\",\"pay_type\":\"CUSTOMER_PAY\",
      \"labour\":{\"sold_minutes\":30,\"skill\":\"welding\"}}]"
open_refused invalid "job 1: labour operation 'EN100' is in the catalogue: give it as operation_code" \
    '[{"concern":"x","pay_type":"CUSTOMER_PAY","labour":{"code":"EN100","sold_minutes":30}}]'
open_refused invalid "job 1: no labour rate is set for pay type INTERNAL" \
    '[{"concern":"x","pay_type":"INTERNAL","operation_code":"EN100"}]'
open_refused invalid "job 1: rate_cents 100 is not the CUSTOMER_PAY labour rate 60000" \
    '[{"concern":"x","pay_type":"CUSTOMER_PAY","labour":{"sold_minutes":30,"rate_cents":100}}]'
open_refused invalid "job 1, part 'P-NONE': no unit_price_cents given and the parts catalogue has no price for it" \
    '[{"concern":"x","pay_type":"CUSTOMER_PAY","operation_code":"EN100",
       "parts":[{"part_number":"P-NONE","quantity":1}]}]'
open_refused invalid "job 1: give operation_code or labour, not both" \
    '[{"concern":"x","pay_type":"CUSTOMER_PAY","operation_code":"EN100",
       "labour":{"sold_minutes":30}}]'
expect_eq "refused openings wrote nothing" "$before" "$(last_seq reception)"
refused adv-wang not-found "repair order 'RO-X' does not exist" reception.ro.show ro_number=RO-X

# --- a new rate applies to the ROs opened after it -----------------------------------
out=$(as svc-mgr reception.labour_rate.set pay_type=CUSTOMER_PAY rate_cents=66000)
out=$(as adv-wang reception.ro.open ro_number=RO-2 vin=$VIN mileage_km=21000 jobs="[$ok_job]")
expect_eq "RO-2 at the new rate: 90 min x 660.00/h" 99000 "$(echo "$out" | json .reply.estimate_cents)"
expect_eq "RO-1 keeps its estimate" 190750 \
    "$(as adv-wang reception.ro.show ro_number=RO-1 | json .reply.estimate_cents)"

# --- the events, and the workshop takes the catalogue's labour -------------------------
ctl tap --since reception@test:1 --wait 1500 reception.labour >"$T/events.jsonl" || true
count() { jq -s "[.[] | select(.type==\"$1\")] | length" "$T/events.jsonl"; }
expect_eq "labour_op events" "3 1" \
    "$(count reception.labour_op.defined) $(count reception.labour_op.retired)"
expect_eq "the last rate change keeps the old rate" "60000 66000" \
    "$(jq -rs '[.[] | select(.type=="reception.labour_rate.changed")][-1].payload |
        "\(.old_rate_cents) \(.rate.rate_cents)"' "$T/events.jsonl")"
ask adv-wang reception.ro.consent ro_number=RO-1 consent=signature
work_jobs() { [ "$(ctl --actor fm-li call workshop.ro.show ro_number=RO-1 | json '.reply.jobs | length')" = 3 ]; }
wait_for "the workshop has RO-1's jobs" work_jobs
expect_eq "the workshop's job 1 needs EN100's skill and tool" "engine 2 T-TORQUE-01" \
    "$(ctl --actor fm-li call workshop.ro.show ro_number=RO-1 |
        json '.reply.jobs[0].labour | "\(.skill) \(.min_level) \(.special_tools | join(","))"')"

finish
