#!/usr/bin/env bash
# labels: workshop bulletins
# timeout: 180
# Technical bulletins: the foreman publishes them (what they apply to:
# models, VIN prefixes or ranges, labour operation codes), a dispatched job
# whose vehicle and operation match one its technician has not acknowledged
# shows it in the dispatch reply and on the board (the technician's tablet
# reads workshop.board technician=me) until that technician acknowledges it
# or the foreman retires it. Bad input is refused and writes nothing. Real
# bus, reception (the vehicles' models) and workshop daemons.
. "$(dirname "$0")/lib.sh"
setup workshop_bulletins

sed -i 's/^services = .*/services = reception, workshop/' "$CONFIG"
cat >>"$CONFIG" <<INI

[staff]
adv-wang = advisor limit=5000
fm-li = foreman
sm-zhao = service_manager
tech-07 = technician
tech-08 = technician

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
for s in reception workshop; do start_service "$s"; done

VIN1=JN1AZ4EH7DM430111 # a Corolla, in the recall's range ...430100..430199
VIN2=LSVAU2182N2000017 # a Camry

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

# --- the workshop and two vehicles --------------------------------------------------
for t in tech-07 tech-08; do
    ask fm-li workshop.technician.register tech_id=$t name="Tech $t" skills=engine skills=brakes \
        level=3 hourly_cost_cents=4500
done
for b in B1 B2; do ask fm-li workshop.bay.register bay_id=$b kind=lift; done
knows_engine() { [ "$(ctl --actor adv-wang call reception.skill.list | json '.reply.skills | length')" = 2 ]; }
wait_for "reception knows the skills" knows_engine
ask adv-wang reception.customer.register customer_id=C1 name="Customer 1" phone=13900000001
ask adv-wang reception.vehicle.register vin=$VIN1 plate=LU-B00001 customer_id=C1 \
    sale_date=2024-05-01 mileage_km=20000 model=Corolla
ask adv-wang reception.vehicle.register vin=$VIN2 plate=LU-B00002 customer_id=C1 \
    sale_date=2024-05-01 mileage_km=30000 model=Camry

# --- publishing: bad input refused, nothing written ------------------------------------
before=$(last_seq workshop)
refused fm-li invalid "bulletin 'TSB-X' must say what it applies to" workshop.bulletin.publish \
    bulletin_id=TSB-X title="t" text="x"
refused fm-li invalid "bulletin 'TSB-X' needs a title and a text" workshop.bulletin.publish \
    bulletin_id=TSB-X text="x" models=Corolla
refused fm-li invalid "bulletin_id is required" workshop.bulletin.publish title=t text=x \
    models=Corolla
refused fm-li invalid "VIN range JN1AZ4EH7DM430199..JN1AZ4EH7DM430100: from is after to" \
    workshop.bulletin.publish bulletin_id=TSB-X title=t text=x \
    vin_ranges='[{"from":"JN1AZ4EH7DM430199","to":"JN1AZ4EH7DM430100"}]'
refused fm-li invalid "from and to must be of the same length" workshop.bulletin.publish \
    bulletin_id=TSB-X title=t text=x vin_ranges='[{"from":"JN1","to":"JN1AZ"}]'
refused fm-li invalid "VIN range 1 needs both from and to" workshop.bulletin.publish \
    bulletin_id=TSB-X title=t text=x vin_ranges='[{"from":"JN1"}]'
refused fm-li invalid "model 2 of the bulletin is empty" workshop.bulletin.publish \
    bulletin_id=TSB-X title=t text=x models='["Corolla",""]'
refused tech-07 denied "" workshop.bulletin.publish bulletin_id=TSB-X title=t text=x models=Corolla
expect_eq "refused publications wrote nothing" "$before" "$(last_seq workshop)"

# --- four bulletins --------------------------------------------------------------------
# TSB-1: Corollas, when the job is EN101 (both must match)
ask fm-li workshop.bulletin.publish bulletin_id=TSB-1 title="Oil pump bolts" \
    text="Use the new torque 25 Nm" models=Corolla labour_codes=EN101
# TSB-2: VINs ...430100..430199, whatever the job (VIN1 is in it)
ask sm-zhao workshop.bulletin.publish bulletin_id=TSB-2 title="Harness chafing" \
    text="Check the harness behind the battery" \
    vin_ranges='[{"from":"JN1AZ4EH7DM430100","to":"JN1AZ4EH7DM430199"}]'
# TSB-3: VINs starting LSV (VIN2 only)
ask fm-li workshop.bulletin.publish bulletin_id=TSB-3 title="Camry brake lines" \
    text="Replace the clips" vin_prefixes=LSV
# TSB-4: any vehicle, brake job BR200
ask fm-li workshop.bulletin.publish bulletin_id=TSB-4 title="Brake pads bedding" \
    text="Bed in the pads" labour_codes=BR200
refused fm-li exists "bulletin 'TSB-1' is already published" workshop.bulletin.publish \
    bulletin_id=TSB-1 title=t text=x models=Corolla
expect_eq "four live bulletins" "TSB-1 TSB-2 TSB-3 TSB-4" \
    "$(as tech-07 workshop.bulletin.list | jq -r '[.reply.bulletins[].bulletin_id] | join(" ")')"

# --- an RO of VIN1: an engine job EN101 and a brake job BR200 ---------------------------
job_json() { # job_json CODE SKILL
    echo "{\"concern\":\"needs $1\",\"pay_type\":\"CUSTOMER_PAY\",\"labour\":{\"code\":\"$1\",
      \"sold_minutes\":60,\"rate_cents\":6000,\"skill\":\"$2\",\"min_level\":1}}"
}
ask adv-wang reception.ro.open ro_number=RO-B1 vin=$VIN1 mileage_km=21000 \
    jobs="[$(job_json EN101 engine), $(job_json BR200 brakes)]"
ask adv-wang reception.ro.consent ro_number=RO-B1 consent=signature
has_jobs() { [ "$(ctl --actor fm-li call workshop.ro.show ro_number=RO-B1 2>/dev/null | json '.reply.jobs | length')" = 2 ]; }
wait_for "workshop has the two jobs of RO-B1" has_jobs

ids() { jq -r '[.bulletins[]?.bulletin_id] | join(" ")'; }
# job 1 (Corolla VIN1, EN101): TSB-1 (model and code) and TSB-2 (the VIN range);
# not TSB-3 (VIN prefix LSV) nor TSB-4 (code BR200)
reply=$(as fm-li workshop.job.dispatch ro_number=RO-B1 job_no=1 tech_id=tech-07 bay_id=B1)
expect_eq "the dispatch reply shows the bulletins for tech-07" "TSB-1 TSB-2" \
    "$(echo "$reply" | jq '.reply' | ids)"
expect_eq "why TSB-1 applies" "model Corolla, labour operation EN101" \
    "$(echo "$reply" | json '.reply.bulletins[0].matched')"
expect_eq "why TSB-2 applies" "VIN $VIN1" "$(echo "$reply" | json '.reply.bulletins[1].matched')"
expect_eq "the bulletin's text" "Use the new torque 25 Nm" \
    "$(echo "$reply" | json '.reply.bulletins[0].text')"
# job 2 (VIN1, BR200) to tech-08: TSB-2 (VIN) and TSB-4 (code)
reply=$(as fm-li workshop.job.dispatch ro_number=RO-B1 job_no=2 tech_id=tech-08 bay_id=B2)
expect_eq "the dispatch reply shows the bulletins for tech-08" "TSB-2 TSB-4" \
    "$(echo "$reply" | jq '.reply' | ids)"

# the tablet: the technician's jobs on the board
tablet() { # tablet TECH: "job: bulletins" of the technician's board
    as "$1" workshop.board technician="$1" |
        jq -r '[.reply.jobs[] | "\(.job_no): \([.bulletins[]?.bulletin_id] | join(","))"] | join("; ")'
}
expect_eq "tech-07's tablet" "1: TSB-1,TSB-2" "$(tablet tech-07)"
expect_eq "tech-08's tablet" "2: TSB-2,TSB-4" "$(tablet tech-08)"

# --- acknowledging: bad input refused, nothing written -----------------------------------
before=$(last_seq workshop)
refused tech-07 not-found "bulletin 'TSB-9' does not exist" workshop.bulletin.acknowledge \
    bulletin_id=TSB-9
refused tech-07 invalid "bulletin_id is required" workshop.bulletin.acknowledge
refused fm-li denied "" workshop.bulletin.acknowledge bulletin_id=TSB-1
expect_eq "refused acknowledgements wrote nothing" "$before" "$(last_seq workshop)"

ack=$(as tech-07 workshop.bulletin.acknowledge bulletin_id=TSB-1)
expect_eq "tech-07's acknowledgement" "TSB-1 tech-07" \
    "$(echo "$ack" | json '.reply | "\(.bulletin_id) \(.tech_id)"')"
refused tech-07 exists "'tech-07' has already acknowledged bulletin 'TSB-1'" \
    workshop.bulletin.acknowledge bulletin_id=TSB-1
expect_eq "tech-07's tablet after acknowledging TSB-1" "1: TSB-2" "$(tablet tech-07)"
expect_eq "tech-08 still sees the same" "2: TSB-2,TSB-4" "$(tablet tech-08)"
expect_eq "the foreman's board shows each job's own" "1: TSB-2; 2: TSB-2,TSB-4" \
    "$(as fm-li workshop.board |
        jq -r '[.reply.jobs[] | "\(.job_no): \([.bulletins[]?.bulletin_id] | join(","))"] | join("; ")')"
expect_eq "who acknowledged TSB-1" "tech-07" \
    "$(as fm-li workshop.bulletin.list | json '.reply.bulletins[0].acknowledged_by | join(",")')"
expect_eq "what tech-07 has still to read" "TSB-2 TSB-3 TSB-4" \
    "$(as tech-07 workshop.bulletin.list tech_id=tech-07 | jq -r '[.reply.bulletins[].bulletin_id] | join(" ")')"

# --- retiring -------------------------------------------------------------------------------
before=$(last_seq workshop)
refused tech-07 denied "" workshop.bulletin.retire bulletin_id=TSB-2
refused fm-li not-found "bulletin 'TSB-9' does not exist" workshop.bulletin.retire bulletin_id=TSB-9
expect_eq "refused retirements wrote nothing" "$before" "$(last_seq workshop)"
ask fm-li workshop.bulletin.retire bulletin_id=TSB-2 reason="superseded by TSB-5"
refused fm-li conflict "bulletin 'TSB-2' was already retired" workshop.bulletin.retire \
    bulletin_id=TSB-2
refused tech-08 conflict "bulletin 'TSB-2' was retired" workshop.bulletin.acknowledge \
    bulletin_id=TSB-2
expect_eq "tech-07's tablet after TSB-2 retired" "1: " "$(tablet tech-07)"
expect_eq "tech-08's tablet after TSB-2 retired" "2: TSB-4" "$(tablet tech-08)"
expect_eq "the live bulletins" "TSB-1 TSB-3 TSB-4" \
    "$(as tech-07 workshop.bulletin.list | jq -r '[.reply.bulletins[].bulletin_id] | join(" ")')"
expect_eq "all=true: the retired one too, with its reason" "superseded by TSB-5" \
    "$(as tech-07 workshop.bulletin.list all=true | json '.reply.bulletins[] | select(.bulletin_id=="TSB-2") | .retired_reason')"

# --- the bulletins survive a restart (they are in the store) ----------------------------------
stop workshop
start_service workshop
expect_eq "after a restart" "2: TSB-4" "$(tablet tech-08)"

finish
