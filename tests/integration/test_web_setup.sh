#!/usr/bin/env bash
# Master data on the page (web_setup.py, setup.html): the service manager
# defines a labour operation, retires one and changes a labour rate, read back
# with asctl; a bad code is refused with reception's words and nothing
# written; a labour operation described as markup is shown as text; one
# defined elsewhere (asctl) appears without a reload. The parts
# manager adds a part with a Chinese description and its price typed as
# "88.50", shown as currency, and the parts counter's search (asctl
# parts.part.search as the warehouse keeper) finds it; a negative price is
# refused and nothing written. The foreman registers a technician and a bay
# that appear on the board (asctl workshop.board and board.html). The service
# manager sets that technician's PIN on the page, and the technician signs in
# on tablet.html with it; web.credential.list says it is set, never what.
# An advisor's session gets 403 for parts.part.define (the gateway). Screenshots
# at tablet and desktop size and in Chinese: $AS_BUILD/artifacts/web/setup-*.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_setup
start_dealership
start_web
set_secret svc-mgr 'service-pass-1'
set_secret parts-mgr 'parts-pass-1'
set_secret foreman-liu 'board-pass-1'
set_secret adv-wang 'advisor-pass'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
# reception knows a skill once a technician of the workshop has it
as foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang Wei" skills=engine \
    level=2 hourly_cost_cents=10000
skill_known() { ctl --actor svc-mgr call reception.skill.list | grep -q '"engine"'; }
wait_for "reception knows the skill engine" skill_known
as svc-mgr reception.labour_rate.set pay_type=CUSTOMER_PAY rate_cents=36000
as svc-mgr reception.labour_op.define code=EN-OIL description="Engine oil and filter change" \
    sold_minutes=30 skill=engine
as svc-mgr reception.labour_op.define code=XS-1 description='<img src=x onerror=alert(1)>' \
    sold_minutes=60 skill=engine
as svc-mgr reception.labour_op.define code=OLD-1 description="Carburettor overhaul" \
    sold_minutes=120 skill=engine

browse web_setup.py

log "an advisor's session cannot change the parts catalogue: 403 from the gateway, nothing written"
[ "$(signin adv adv-wang advisor-pass)" = 200 ] || fail "adv-wang signs in"
out=$(api adv parts.part.define \
    '{"part_number":"P-ADV-1","description":"x","cost_cents":1,"price_cents":2,"bin":"A-1"}' \
    -H 'Idempotency-Key: adv-part-1')
expect_eq "the advisor's parts.part.define" 403 "$(tail -n1 <<<"$out")"
grep -q '"refused_by": *"web"' <<<"$out" || fail "the gateway refused it: $out"
expect_eq "parts has no P-ADV-1" 0 "$(ctl --actor wh-zhou call parts.part.search text=P-ADV | jq '.reply.hits // [] | length')"

log "IT reads the sign-ins: tech-02's PIN is set, and never shown"
list=$(ctl --actor it-guo call web.credential.list)
expect_eq "tech-02 has a secret" true "$(jq -r '.reply.staff[] | select(.staff_id=="tech-02") | .has_secret' <<<"$list")"
expect_eq "tech-03 has none" false "$(jq -r '.reply.staff[] | select(.staff_id=="tech-03") | .has_secret // false' <<<"$list")"
expect_eq "tech-02's roles" '["technician"]' "$(jq -c '.reply.staff[] | select(.staff_id=="tech-02") | .roles' <<<"$list")"
expect_eq "no system or delegate identity listed" 0 "$(jq '[.reply.staff[] | select(.staff_id=="web" or .staff_id=="crm")] | length' <<<"$list")"
grep -q '1357\|argon' <<<"$list" && fail "the list shows a secret or its hash: $list"
refused tech-02 denied "is not a service_manager or it_admin" web.credential.list

stop_web
finish
