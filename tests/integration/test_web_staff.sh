#!/usr/bin/env bash
# Scorecards and the roster on the page (web_staff.py, staff.html; issue 15):
# the service manager reads tech-01's scorecard of the month (their own
# sold-hours target beside the department's value, a figure not defined with
# its reason) and prints it; on the roster's week grid tech-01's planned day
# shows attended 8.0 h and tech-02's planned day missed; the service manager
# plans the clerk's early shift on the page (kpi has it: asctl), sees an
# overlapping one refused with kpi's words and nothing written, and takes the
# shift off again with its x; a shift planned elsewhere (asctl) appears
# without a reload. The foreman plans only technicians: the clerk is refused
# on the page; the foreman sees x on the technicians' shifts only (none on
# an advisor's), and none on a day more than 7 days back (the page's clock moved
# on). An advisor's session gets 403 for kpi.roster.plan (the
# gateway). Screenshots at desktop and tablet size, in Chinese and as printed:
# $AS_BUILD/artifacts/web/staff-*.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_staff
start_dealership
start_web
set_secret svc-mgr 'service-pass-1'
set_secret foreman-liu 'board-pass-1'
set_secret adv-wang 'advisor-pass'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
MONTH=$(date +%Y-%m)
YESTERDAY=$(date -d yesterday +%F)
as foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang Wei" skills=engine \
    level=2 hourly_cost_cents=10000
known() { ctl --actor svc-mgr call kpi.target.set month=$MONTH metric="sold hours" value=160 technician=tech-01 >/dev/null 2>&1; }
wait_for "kpi knows tech-01 and takes their target" known
# yesterday: tech-01 and tech-02 planned on the day shift; tech-01 attended 8 h, tech-02 did not
as foreman-liu kpi.roster.plan staff_id=tech-01 date=$YESTERDAY shift=day
as foreman-liu kpi.roster.plan staff_id=tech-02 date=$YESTERDAY shift=day
as foreman-liu workshop.shift.record tech_id=tech-01 date=$YESTERDAY minutes=480
attended() { ctl --actor svc-mgr call kpi.roster.list from=$YESTERDAY to=$YESTERDAY staff_id=tech-01 |
    jq -e '.reply.days[0].state == "attended"' >/dev/null; }
wait_for "kpi has tech-01's attendance" attended

browse web_staff.py MONTH=$MONTH YESTERDAY=$YESTERDAY

log "an advisor's session cannot plan shifts: 403 from the gateway, nothing written"
[ "$(signin adv adv-wang advisor-pass)" = 200 ] || fail "adv-wang signs in"
out=$(api adv kpi.roster.plan "{\"staff_id\":\"adv-wang\",\"date\":\"$YESTERDAY\",\"shift\":\"day\"}" \
    -H 'Idempotency-Key: adv-roster-1')
expect_eq "the advisor's kpi.roster.plan" 403 "$(tail -n1 <<<"$out")"
expect_eq "adv-wang has no shift" 0 \
    "$(ctl --actor svc-mgr call kpi.roster.list from=$YESTERDAY to=$YESTERDAY staff_id=adv-wang | jq '.reply.days // [] | length')"

stop_web
finish
