#!/usr/bin/env bash
# The technician's tablet in headless Chromium (web_tablet.py): tech-01 signs
# in with the PIN; a tool the tool room checks out to them and a job the
# foreman dispatches appear without reload (the job's concern is markup,
# shown as text); clock on, an extra defect reported to the advisor
# (reception has it waiting for the customer's answer), clock off done (the
# workshop has the time and the state); the workshop refuses a clock on
# another's job, and on a second job of mine (shown on its card); tech-02 sees only their own job; a technician's session
# cannot register a tool (403); a technical bulletin for the car shows on the
# job until the technician acknowledges it (ws15). Screenshots: $AS_BUILD/artifacts/web/.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_tablet
start_dealership
start_web
set_secret tech-01 2468
set_secret tech-02 1357

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
for t in tech-01:"Zhang Wei" tech-02:"Li Qiang"; do
    as foreman-liu workshop.technician.register tech_id="${t%%:*}" name="${t#*:}" skills=engine \
        level=2 hourly_cost_cents=10000
done
as foreman-liu workshop.bay.register bay_id=B1 kind=lift
as foreman-liu workshop.bay.register bay_id=B2 kind=general
as foreman-liu workshop.bay.register bay_id=B3 kind=general
as adv-wang reception.customer.register customer_id=C1 name='<b>Wang</b>' phone=13900000001
n=0
for vin in JNKCV61EX9M300001 JNKCV61E19M300002 JNKCV61E39M300003; do
    n=$((n + 1))
    # RO-T3's operation needs a special tool workshop never heard of: its
    # dispatch keeps a note for the technician (shown in the page's language)
    tools=""
    [ $n = 3 ] && tools=',"special_tools":["ST-404"]'
    as adv-wang reception.vehicle.register vin=$vin plate=LU-B0000$n customer_id=C1 \
        sale_date=2024-05-01 mileage_km=20000
    as adv-wang reception.ro.open ro_number=RO-T$n vin=$vin mileage_km=21000 jobs='[{"concern":
        "<img src=x onerror=alert(1)>","pay_type":"CUSTOMER_PAY","labour":{"code":"EN-01",
        "description":"Engine diagnosis","sold_minutes":90,"rate_cents":60000,"skill":"engine",
        "min_level":1'"$tools"'}}]'
    as adv-wang reception.ro.consent ro_number=RO-T$n consent=signature
    wait_for "the workshop has RO-T$n's job" bash -c "'$ASCTL' --json --config '$CONFIG' --actor \
        foreman-liu call workshop.board | jq -e '.reply.jobs[] | select(.ro_number==\"RO-T$n\")' >/dev/null"
done
# RO-T2 is tech-02's, RO-T3 already tech-01's; the tool room will check
# ST-200 out to tech-01
as foreman-liu workshop.job.dispatch ro_number=RO-T2 job_no=1 tech_id=tech-02 bay_id=B2
as foreman-liu workshop.job.dispatch ro_number=RO-T3 job_no=1 tech_id=tech-01 bay_id=B3
as tool-xu tools.item.register tool_id=ST-200 kind=special_tool description="Injector puller" \
    location=A-1

browse web_tablet.py RO=RO-T1 OTHER_RO=RO-T2 MINE_RO=RO-T3 TOMORROW="$(date -d tomorrow +%F)"
stop_web
finish
