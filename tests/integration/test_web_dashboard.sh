#!/usr/bin/env bash
# The service manager's dashboard in headless Chromium (web_dashboard.py):
# asday plays two days (today and the month before's last) through the real
# daemons; the manager's dashboard shows
# the day's figures equal to `asctl kpi report --json` (every department
# figure, and the technicians' table), a target set on the page that kpi
# has (asctl reads it back) with its achievement, a target set elsewhere
# arriving live, the charts drawn, and a click on a figure listing the repair
# orders behind it (the day's deliveries as asday made them). The gateway
# refuses a technician's kpi.target.set (403) and serves Chart.js from
# [web] js_dir, but nothing outside it (/js/../, %2e%2e).
# Screenshots: $AS_BUILD/artifacts/web/.
# labels: web browser
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_dashboard
evening_clock # the played day is today, and over (as test_asday.sh)
start_dealership
start_web
set_secret svc-mgr 'manager-pass-1'
set_secret tech-01 2468
set_secret fdm-li 'front-desk-pass'

DAY=$(date +%F)
# the month before's last day first (a trend of two months; within the site's
# 31 days of work keyed in later), then today
PREV=$(date -d "${DAY:0:7}-01 -1 day" +%F)
"$AS_BUILD/tools/asday/asday" --config "$CONFIG" --date "$PREV" --seed 3 >/dev/null || fail "asday $PREV"
out=$("$AS_BUILD/tools/asday/asday" --config "$CONFIG" --date "$DAY" --seed 7) || fail "asday"
echo "$out" | awk '$3 == "delivered" {print $2}' | sort -u >"$T/delivered.txt"
log "asday delivered $(wc -l <"$T/delivered.txt") ROs"
[ "$(wc -l <"$T/delivered.txt")" = 40 ] || fail "asday's deliveries: $(cat "$T/delivered.txt")"
report() { "$ASCTL" --config "$CONFIG" --actor svc-mgr kpi report --month "${DAY:0:7}" --day "$DAY" --json; }
handed_over() {
    report | jq -r '.rows[] | select(.key=="department") | .figures[] |
        select(.name=="vehicles handed over") | .value'
}
all_counted() { [ "$(handed_over)" = 40 ]; }
wait_for "kpi counted the day's 40 deliveries" all_counted
# the OEM has decided every claim asday submitted, and every consumer (kpi
# and the gateway) has applied every event its sources committed: the
# figures stand still while the page is compared with asctl
claims() { ctl --actor wty-he call warranty.claim.list | jq -c '.reply.claims // []'; }
none_with_the_oem() { [ "$(claims | jq '[.[] | select(.status == "SUBMITTED")] | length')" = 0 ]; }
settled() {
    ctl status | jq -e '([.services[] | {key: .source, value: .last_seq}] | from_entries) as $last
        | all(.services[].offsets[]?; .applied_seq == $last[.source])' >/dev/null
}
wait_for "the OEM decided every submitted claim" none_with_the_oem
wait_for "every consumer caught up" settled

# the gateway: a technician may not set a target (refused by web, nothing sent)
[ "$(signin tech tech-01 2468)" = 200 ] || fail "tech-01 signs in"
out=$(api tech kpi.target.set '{"month":"'"${DAY:0:7}"'","metric":"labour efficiency","value":90}' \
    -H 'Idempotency-Key: tech-target-1')
expect_eq "a technician's kpi.target.set" 403 "$(echo "$out" | tail -1)"
echo "$out" | head -1 | jq -e '.refused_by == "web"' >/dev/null || fail "refused by web: $out"
# Chart.js from js_dir, read-only; no way out of it
expect_eq "Chart.js at /js/" 200 \
    "$(curl -sS -o /dev/null -w '%{http_code}' "$WEB_URL/js/chart.js/chart.min.js")"
for path in /js/../../../etc/passwd /js/%2e%2e/%2e%2e/%2e%2e/etc/passwd /js/..%2f..%2f..%2fetc/passwd \
    /js/chart.js/../../../../etc/passwd; do
    body=$(curl -sS --path-as-is "$WEB_URL$path")
    case $body in *root:*) fail "$path escaped js_dir" ;; esac
done
listing=$(curl -sS -o /dev/null -w '%{http_code}' "$WEB_URL/js/chart.js/")
case $listing in 403 | 404) log "ok: a directory of js_dir is not listed ($listing)" ;;
*) fail "a directory of js_dir answered $listing" ;; esac

browse web_dashboard.py DAY="$DAY" PREV="$PREV" DELIVERED="$T/delivered.txt"
stop_web
finish
