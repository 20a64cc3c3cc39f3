#!/usr/bin/env bash
# The tool room in headless Chromium (web_toolroom.py): the tool admin checks
# a tool out to tech-01 on the tool-room page; tech-01 signs for it on the
# tablet (a second browser); the tool room shows it signed without reload;
# the tool comes back (check-in); another is reported lost; a tool whose
# calibration is past due is listed overdue and its calibration recorded; a
# tool registered; a workshop request approved; a description that is markup
# shown as text; a technician's session cannot check a tool out (403); the
# foreman sees the tool room without its actions. Screenshots:
# $AS_BUILD/artifacts/web/.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_toolroom
start_dealership
start_web
set_secret tool-xu 'tool-room-1'
set_secret tech-01 2468
set_secret foreman-liu 'board-pass-1'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
as foreman-liu workshop.technician.register tech_id=tech-01 name="Zhang Wei" skills=engine \
    level=2 hourly_cost_cents=10000
as tool-xu tools.item.register tool_id=ST-300 kind=special_tool description="Timing chain tool set" \
    location=A-2
as tool-xu tools.item.register tool_id=DOC-9 kind=document description='<img src=x onerror=alert(1)>' \
    location=shelf-3
# a torque wrench calibrated a year and a half ago on a yearly interval: overdue
as tool-xu tools.item.register tool_id=EQ-310 kind=equipment description="Torque wrench 40-200 Nm" \
    location=B-1 calibration_interval_days=365 last_calibration="$(date -d '540 days ago' +%F)"
as foreman-liu tools.request.make request_no=Q-1 description="Borescope 6 mm" ro_number=RO-X1 \
    needed_date="$(date -d tomorrow +%F)"

browse web_toolroom.py TOMORROW="$(date -d tomorrow +%F)"
stop_web
finish
