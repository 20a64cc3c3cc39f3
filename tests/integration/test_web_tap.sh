#!/usr/bin/env bash
# The event tap in headless Chromium (web_tap.py): IT (it-guo) opens the tap;
# a customer registered and repair orders opened with asctl appear live with
# their subject; the payload opens readable, the customer's name
# `<img src=x onerror=alert(1)>` shown as text; the subject and type filters
# hide the others; pause holds new events (counted) until resume.
# Screenshots: $AS_BUILD/artifacts/web/.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_tap
start_dealership
start_web
set_secret it-guo 'tap-pass-12'
# the workshop's technician, so reception knows the skill of the page's ROs
ctl --actor foreman-liu call workshop.technician.register tech_id=tech-01 name="Zhang A" \
    skills=engine level=2 hourly_cost_cents=10000 >/dev/null || fail "technician"
skill_known() { ctl --actor adv-wang call reception.skill.list | jq -e '.. | strings | select(. == "engine")' >/dev/null; }
wait_for "reception knows the skill" skill_known

browse web_tap.py
stop_web
finish
