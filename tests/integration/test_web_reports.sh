#!/usr/bin/env bash
# The monthly reports' screen in headless Chromium (web_reports.py): kpi
# generated last month's department and OEM reports when the dealership
# started; the service manager backfills the department's report of the month
# before, submits it late and corrects it (the reason is markup: shown as
# text). On the page the information clerk opens the OEM's report (figures
# in currency and percent with formulas), submits it (kpi has it submitted by
# the clerk), is refused a correction without a reason, corrects it with one;
# a report generated elsewhere appears without a reload; the print view
# shows the sheet alone. An advisor's session is refused the submission (403
# by the gateway). Screenshots: $AS_BUILD/artifacts/web/reports-*.png.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_reports
start_dealership
start_web
set_secret clerk-sun 'clerk-pass-1'
set_secret adv-wang 'advisor-pass-1'

mon() { date -d "$(date +%Y-%m-15) -$1 month" +%Y-%m; }
LAST=$(mon 1) BEFORE=$(mon 2) OLDER=$(mon 3)
as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
has_report() { ctl --actor clerk-sun call kpi.monthly.show kind="$1" month="$2" >/dev/null 2>&1; }
wait_for "kpi generated $LAST's OEM report" has_report oem "$LAST"
wait_for "kpi generated $LAST's department report" has_report department "$LAST"

# the month before: backfilled, submitted late ($BEFORE's is due on the 5th
# of $LAST) and corrected, by the service manager
as svc-mgr kpi.monthly.generate kind=department month="$BEFORE"
as svc-mgr kpi.monthly.submit kind=department month="$BEFORE" --at "$LAST-20 10:00"
as svc-mgr kpi.monthly.correct kind=department month="$BEFORE" reason='<img src=x onerror=alert(1)>' \
    --at "$LAST-21 10:00"

browse web_reports.py LAST="$LAST" BEFORE="$BEFORE" OLDER="$OLDER"
expect_eq "kpi has the OEM's $LAST report submitted by the clerk and corrected once" "submitted clerk-sun 1" \
    "$(ctl --actor clerk-sun call kpi.monthly.show kind=oem month="$LAST" | jq -r '.reply | "\(.state) \(.submitted_by) \(.corrections)"')"

# an advisor's session may not submit: the gateway refuses, nothing is sent
expect_eq "the advisor signs in" 200 "$(signin adv adv-wang 'advisor-pass-1')"
out=$(api adv kpi.monthly.submit "{\"kind\":\"department\",\"month\":\"$LAST\"}" -H 'Idempotency-Key: adv-submit-1')
expect_eq "an advisor's submission is refused by the gateway" "403 web" \
    "$(echo "$out" | tail -1) $(echo "$out" | head -1 | jq -r .refused_by)"
expect_eq "the department's $LAST report is still generated" generated \
    "$(ctl --actor clerk-sun call kpi.monthly.show kind=department month="$LAST" | jq -r .reply.state)"
stop_web
finish
