#!/usr/bin/env bash
# labels: dealership fault
# timeout: 300
# A consumer that catches up gets the same state as one that was there all
# along, whatever order its sources' events reach it in. asday plays the
# README's day with every daemon up: kpi's reports (every row of department,
# technician, advisor and bay, for the day and the month) and warranty's
# claims are the reference. Then kpi and warranty start again on fresh stores
# and catch the same day up from their sources, three times:
#   - plainly (as after being down for the day);
#   - with workshop stopped (SIGSTOP) for 8 s, so reception's and parts'
#     events come first (deliveries before the technicians' clocking);
#   - with reception stopped for 8 s, so workshop's and parts' events come
#     first (clocking, QC and parts consumption before the RO's opening and
#     its vehicle's sale date).
# Each time every report and the claim list must be exactly the reference.
# Also: a crm request waiting for the clerk shows a recall campaign opened
# after it (reception joins crm's and warranty's events).
. "$(dirname "$0")/lib.sh"
setup catchup_joins
evening_clock
repo=$(cd "$(dirname "$0")/../.." && pwd)
export AS_RUN_DIR=$T
cp "$repo/deploy/local.ini" "$CONFIG"
# asday plays the day without the warranty clerk's submissions (a command the
# fresh warranty stores would not see again): claims stay as QC opened them;
# nor the service manager's targets and expenses (kpi's own commands, which
# the fresh kpi stores would not see again either)
grep -v '^endpoint = .*/\(warranty\|kpi\).sock' "$CONFIG" >"$T/asday.ini"

start_bus bus
for s in reception workshop parts kpi warranty tools; do start_service "$s"; done
"$AS_BUILD/services/ingest/as-ingest" --name crm --config "$CONFIG" >>"$T/crm.log" 2>&1 &
PIDS[crm]=$!
wait_for "crm answers status" ctl_ok status crm

DAY=$(date +%F) # the evening of today (see evening_clock): every event is dated today
out=$("$AS_BUILD/tools/asday/asday" --config "$T/asday.ini" --date "$DAY" --seed 7)
expect_eq "repair orders delivered by asday" 40 "$(echo "$out" | grep -c ' delivered ')"

SOURCES="reception workshop parts warranty tools"
last_seq() { ctl status "$1" | jq -r '.services[0].last_seq'; }
applied() { # applied CONSUMER SOURCE
    ctl status "$1" | jq -r ".services[0].offsets[]? | select(.source==\"$2@local\") | .applied_seq"
}
caught_up() { # caught_up CONSUMER SOURCE...
    local consumer=$1 s
    shift
    for s in "$@"; do
        [ "$(applied "$consumer" "$s")" = "$(last_seq "$s")" ] || return 1
    done
}
settled() {
    caught_up kpi $SOURCES && caught_up warranty reception workshop
}
wait_for "kpi and warranty applied every event of the day" settled

# Everything kpi reports of the day and the month, and warranty's claims.
state() {
    local by period
    for by in department technician advisor bay; do
        for period in "--day $DAY" ""; do
            # shellcheck disable=SC2086
            ctl --actor svc-mgr kpi report --month "${DAY:0:7}" $period --by "$by" |
                jq -S "{by: \"$by\", period: .period, rows: .rows}"
        done
    done
    ctl --actor wty-he call warranty.claim.list | jq -S '{claims: .reply.claims}'
}
reference=$(state)
rows=$(echo "$reference" | jq -s '[.[] | .rows? // [] | length] | add')
claims=$(echo "$reference" | jq -s '[.[] | .claims? // [] | length] | add')
log "reference: $rows report rows, $claims claims"
[ "$rows" -gt 20 ] || fail "the reference has only $rows report rows"
[ "$claims" -gt 0 ] || fail "the reference has no warranty claim"

# Reception joins the crm's requests with warranty's recall campaigns: a
# request waiting in the clerk's queue shows its vehicle's open recalls
# whether the campaign came before the request or after it.
VIN=JN1AZ4EH7DM430111
ctl --actor clerk-sun call reception.customer.register customer_id=c-join name="Li Wei" \
    phone=13800000001 >/dev/null
ctl --actor clerk-sun call reception.vehicle.register vin=$VIN plate=A12345 customer_id=c-join \
    >/dev/null
ctl --actor crm call crm.ingest type=crm.appointment.requested subject=R-JOIN \
    payload_json="{\"crm_ref\":\"R-JOIN\",\"customer_name\":\"Li Wei\",\"phone\":\"13800000001\",
    \"vin\":\"$VIN\",\"preferred_date\":\"$DAY\",\"preferred_slot\":\"09:30\",
    \"concern\":\"brake noise\"}" >/dev/null
recalls_of_request() {
    ctl --actor clerk-sun call reception.appointment.queue requested=true |
        jq -c '[.reply.appointments[]? | select(.appointment_id=="crm-R-JOIN") | .open_recalls // []][0]'
}
requested() { [ "$(recalls_of_request)" = "[]" ]; }
wait_for "the crm's request waits in the clerk's queue, no recall" requested
ctl --actor wty-he call warranty.recall.open campaign_id=RC-JOIN title="brake hose" \
    labour_code=RC-BRK-09 vins=$VIN >/dev/null
recall_shown() { [ "$(recalls_of_request)" = '["RC-JOIN: brake hose"]' ]; }
wait_for "the request shows the campaign opened after it" recall_shown &&
    log "ok: the waiting request shows the recall opened after it"

# catch_up WHAT [PAUSED]: kpi and warranty on fresh stores catch the day up,
# with PAUSED (a source) stopped for their first 8 s; then compares.
catch_up() {
    local what=$1 paused=${2:-}
    stop kpi
    stop warranty
    rm -rf "$T/data/kpi" "$T/data/warranty"
    [ -n "$paused" ] && kill -STOP "${PIDS[$paused]}"
    start_service kpi
    start_service warranty
    if [ -n "$paused" ]; then
        sleep 8
        kill -CONT "${PIDS[$paused]}"
    fi
    wait_for "kpi and warranty caught up ($what)" settled
    local got
    got=$(state)
    if [ "$got" = "$reference" ]; then
        log "ok: every report row and claim is the reference's ($what)"
    else
        fail "the state after catching up ($what) differs from the reference:"
        diff <(echo "$reference") <(echo "$got") >"$T/diff.txt" || true
        head -n 60 "$T/diff.txt" >&2
    fi
}
catch_up "kpi and warranty started after the day"
catch_up "workshop stopped while they catch up" workshop
catch_up "reception stopped while they catch up" reception
finish
