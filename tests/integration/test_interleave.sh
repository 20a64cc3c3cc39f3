#!/usr/bin/env bash
# labels: dealership interleave
# timeout: 600
# The interleaving property: a consumer's state does not depend on how its
# sources' events interleave, as long as each source's own order holds.
#
# The README's day is played through the real daemons (asday: 40 repair
# orders with clocking, QC, parts, deliveries, warranty claims the OEM
# decides, tool loans, the CRM's requests, a new car sold by the sales DMS
# with its fitting RO). Each source's stream is then
# recorded from its outbox through the replay protocol (asinterleave record).
# For every seed, fresh instances (empty stores) of kpi, warranty, workshop,
# parts, tools and reception subscribe to asinterleave feed, which publishes
# every recorded event once, in the seed's interleaving, keeping each
# source's order (each consumer gets the sub-sequence of the domains it
# follows, itself a random interleaving). When each has applied every event,
# what staff would read is collected with asctl --json: the KPI report of the
# day and the month by department, technician, advisor and bay; warranty's
# claim list and each claim; workshop's board, each RO and its tool room;
# parts' RO records and stock; the tool room's registry, loans, requests and
# KPIs; reception's queues. Every seed must give exactly the answers of the
# first, and each fresh kpi exactly the report of the live kpi of the day.
#
# Seeds: 1..20 by default; the seed modulo 5 picks the kind of interleaving
# (asinterleave --help: turns of 1, ~8 or ~64 events; whole streams with the
# sources in a random order, as a consumer catching up gets them; one source
# held back until the others are done, as when it is paused), the rest of it
# the turns, so every kind is tried four times. Replay given seeds:
#     AS_INTERLEAVE_SEEDS="7 12" ctest -R integration.interleave
# and print one seed's order: asinterleave order --seed 7 FILE (the record
# is kept in the test's temp dir when it fails). asday plays the same day
# every run (--seed 7: the same streams, up to event ids and times), so a
# seed gives the same interleaving again.
#
# The feed is live events only: a fresh consumer's config names no endpoint
# of another service (asking a sibling fresh instance for replay would mix in
# another history), no heartbeats are sent, and the feeder starts only once
# every consumer's subscriptions reached its XPUB, so nothing is lost to a
# slow join and no replay reorders what the seed chose. A gap would be
# skipped as lost after 10 s; the test checks that none was.
#
# A fresh instance sees only what reaches it as events: its own commands of
# the day (reception's repair orders, workshop's dispatch and clocking, the
# warranty clerk's submissions, the tool room's loans) are not replayed, and
# its own source's events are its own (ignored, as always). So a fresh
# reception has no repair order for the workshop's and parts' events to land
# on (they are refused the same way in every order), and what it shows is
# the CRM's requests; a fresh workshop and parts show the jobs and RO
# records built from the other services' events. (A reception store from a
# backup would not help: its offsets would mark the day's events applied, and
# its own commands after the backup, deliveries that check QC, would be
# missing.)
. "$(dirname "$0")/lib.sh"
setup interleave
evening_clock
ASIL="$AS_BUILD/tests/integration/asinterleave"
# kpi: its own targets and expenses, and its monthly reports of the month
# before (generated at start, issue 15); no consumer follows it, so the feed
# only carries them along
SOURCES="reception workshop parts warranty tools oem crm sales kpi"
CONSUMERS="kpi warranty workshop parts tools reception"

# --- the played day --------------------------------------------------------
start_dealership
wait_for "oem answers status" ctl_ok status oem
DAY=$(date +%F) # the evening of today: the day is over (see evening_clock)
MONTH=${DAY:0:7}
# --new-car: the sales DMS's gateway (started with the site) sells a new car
# with accessories, whose fitting RO reception opens (reception and kpi follow sales)
"$AS_BUILD/tools/asday/asday" --config "$CONFIG" --date "$DAY" --seed 7 --new-car >"$T/asday.out"
tail -1 "$T/asday.out" >&2
ROS=$(grep -o 'RO-[0-9]*-[0-9]*' "$T/asday.out" | sort -u)
expect_eq "repair orders of the day" 40 "$(echo "$ROS" | wc -l)"
# parts' stream has an order cancelled (parts.order.cancelled: kpi takes its
# confirmed line out of timely supply, reception follows it too)
expect_eq "the order cancelled in the day" "SO-$DAY-X" \
    "$(ctl --actor parts-mgr call parts.order.list state=ORDER_CANCELLED | jq -r '[.reply.orders[]?.order_id] | join(",")')"

# the day is over when the OEM decided every claim and every consumer has
# applied every event of every source it follows
claims_decided() {
    [ "$(ctl --actor wty-he call warranty.claim.list |
        jq '[.reply.claims[]? | select(.status == "SUBMITTED")] | length')" = 0 ]
}
wait_for "the OEM decided every submitted claim" claims_decided
# (twice, a moment apart, with the same last seqs: status asks one daemon
# after the other, so one look could miss an event on its way)
last_seqs_if_applied() {
    ctl status | jq -ce '([.services[] | {(.source): .last_seq}] | add) as $last |
        select([.services[].offsets[]? | select(.applied_seq != $last[.source])] | length == 0) |
        $last'
}
settled() {
    local before
    before=$(last_seqs_if_applied) && sleep 0.5 && [ "$(last_seqs_if_applied)" = "$before" ]
}
wait_for "every consumer applied every event" settled

# --- the record --------------------------------------------------------------
REC=$T/day.rec
# shellcheck disable=SC2086 # a list of services
"$ASIL" record --config "$CONFIG" --out "$REC" $SOURCES
expect_eq "the record holds every source's last seq" \
    "$(ctl status | jq -r '.services[] | select(.last_seq > 0) | "\(.source) \(.last_seq)"' | sort | xargs)" \
    "$("$ASIL" info "$REC" | sort | xargs)"

# --- what staff read --------------------------------------------------------
# config_of SECTION KEY: a value of the site's config as written
config_of() {
    awk -v s="[$1]" -v k="$2" '/^\[/ {in_s = ($0 == s)} in_s && $1 == k {sub(/^[^=]*= */, ""); print}' "$CONFIG"
}

# What staff read is asked in rounds: the questions of a round are queued
# (ask), asked by one `asctl batch` and their answers read by one jq
# (answers); a hundred asctl and jq processes per seed cost most of the
# test's time, one of each gives the same answers.
ASK=$T/ask # the queued questions (asctl lines) and ASK.what (KIND<TAB>WHAT)
: >"$ASK" && : >"$ASK.what"

# line ASCTL_ARGS...: the arguments as a line of `asctl batch`
line() {
    printf '%q ' "$@"
    printf '\n'
}

# ask KIND WHAT ASCTL_ARGS...: queues a question; KIND kpi: a kpi report's
# rows; answer: a call's reply, flattened
ask() {
    local kind=$1 what=$2
    shift 2
    line "$@" >>"$ASK"
    printf '%s\t%s\n' "$kind" "$what" >>"$ASK.what"
}

# answers: asks the queued questions and prints each answer as lines
# "WHAT | ..."; an answer that is not JSON or not what was asked for (no
# answer, a daemon gone) becomes the line "WHAT | no answer: ...", which no
# other seed gives, and so does anything asctl said on stderr
answers() {
    "$ASCTL" --json batch <"$ASK" >"$ASK.out" 2>"$ASK.err" || true
    [ ! -s "$ASK.err" ] || echo "asctl batch | no answer: it said $(head -n 1 "$ASK.err")"
    paste "$ASK.what" "$ASK.out" | jq -R -r 'split("\t") as [$kind, $what, $out] |
        try ($out | fromjson | if $kind == "kpi" then
            .rows[] | .key as $k |
                (.figures[] | "\($what) | \($k) | \(.name) = \(.value) (\(.formula))"),
                (.counters | to_entries[] | "\($what) | \($k) | counter \(.key) = \(.value)")
        else
            if .ok then .reply else {error: .error} end |
                [paths(type != "object" and type != "array" or length == 0) as $p |
                 "\($what) | \($p | map(tostring) | join(".")) = \(getpath($p) | tojson)"] |
                if length == 0 then "\($what) | (empty)" else .[] end
        end) catch "\($what) | no answer: \($out)"'
    : >"$ASK" && : >"$ASK.what"
}

# kpi_lines CONFIG: queues every figure and counter of every KPI row, one per line
kpi_lines() {
    local cfg=$1 by period
    for period in "--month $MONTH" "--month $MONTH --day $DAY"; do
        for by in department technician advisor bay; do
            # shellcheck disable=SC2086
            ask kpi "kpi $period --by $by" --config "$cfg" --actor svc-mgr kpi report $period \
                --by "$by" --json
        done
    done
}

# answer CONFIG ACTOR COMMAND [FIELD=VALUE...]: queues the call; its reply
# flattened to lines "COMMAND FIELDS | path = value" (the request id, new on
# every call, left out)
answer() {
    local cfg=$1 actor=$2
    shift 2
    ask answer "$*" --json --config "$cfg" --actor "$actor" call "$@"
}

# results SEED_DIR: what every fresh consumer of a seed answers
results() {
    local d=$1 ro claim
    # first the keys and the claims the questions name (one batch of three)
    local keys
    keys=$({
        line --config "$d/kpi.ini" --actor svc-mgr kpi report --month "$MONTH" --day "$DAY" --by technician
        line --config "$d/kpi.ini" --actor svc-mgr kpi report --month "$MONTH" --day "$DAY" --by advisor
        line --config "$d/warranty.ini" --actor wty-he call warranty.claim.list
    } | "$ASCTL" --json batch 2>/dev/null || true)
    kpi_lines "$d/kpi.ini"
    # the ROs behind the figures (kpi's per-RO shares, joined from reception,
    # workshop and parts)
    local figure
    for figure in "gross profit" "first-time-fix rate" "comeback rate" "parts fill rate" \
        "appointment rate" "csi"; do
        answer "$d/kpi.ini" svc-mgr kpi.figure.ros day="$DAY" figure="$figure"
    done
    # and behind each technician's and advisor's figures (their shares join
    # reception's, workshop's and parts' events as their rows do)
    local by key n=0
    for by in technician advisor; do
        n=$((n + 1))
        for key in $(sed -n "${n}p" <<<"$keys" | jq -r '.rows[]?.key' 2>/dev/null); do
            for figure in "gross profit" "comeback rate" "sold hours"; do
                answer "$d/kpi.ini" svc-mgr kpi.figure.ros day="$DAY" by=$by key="$key" figure="$figure"
            done
        done
    done
    # the month's comeback analysis: comebacks by operation, technician and
    # cause (reception's), each technician's delivered ROs (reception and workshop)
    answer "$d/kpi.ini" svc-mgr kpi.comeback.analysis month="$MONTH"
    answer "$d/warranty.ini" wty-he warranty.claim.list
    for claim in $(sed -n 3p <<<"$keys" | jq -r '.reply.claims[]?.claim_id' 2>/dev/null); do
        answer "$d/warranty.ini" wty-he warranty.claim.show claim_id="$claim"
    done
    answer "$d/warranty.ini" wty-he warranty.part.owed
    answer "$d/warranty.ini" svc-mgr warranty.vehicle.warnings
    answer "$d/workshop.ini" foreman-liu workshop.board
    answer "$d/workshop.ini" foreman-liu workshop.tool.list
    for ro in $ROS; do
        answer "$d/workshop.ini" foreman-liu workshop.ro.show ro_number="$ro"
        answer "$d/parts.ini" parts-mgr parts.ro.show ro_number="$ro"
    done
    answer "$d/parts.ini" parts-mgr parts.stock.query
    answer "$d/parts.ini" parts-mgr parts.backorder.list
    answer "$d/tools.ini" tool-xu tools.item.list
    answer "$d/tools.ini" tool-xu tools.loan.list all=true
    answer "$d/tools.ini" tool-xu tools.request.list
    answer "$d/tools.ini" tool-xu tools.kpi month="$MONTH"
    answer "$d/reception.ini" clerk-sun reception.appointment.queue requested=true
    answer "$d/reception.ini" clerk-sun reception.appointment.queue date="$DAY"
    answer "$d/reception.ini" svc-mgr reception.ro.list extra_work_waiting=true
    answer "$d/reception.ini" svc-mgr reception.ro.list followup_due=true
    answer "$d/reception.ini" svc-mgr reception.ro.list comeback=true with_jobs=true
    # orders: parts follows the OEM's confirmations (of orders a fresh parts
    # never placed: passed over alike), reception parts' promised dates
    answer "$d/parts.ini" parts-mgr parts.order.list
    answer "$d/reception.ini" svc-mgr reception.ro.list parts_promised=true
    answers
}

# normalise: blanks what legitimately differs per instance. One field:
# parts' consumption record keeps the wall-clock time at which that parts
# instance recorded the RO's consumption (when it applied workshop's QC pass),
# not a time carried by an event; a fresh instance records it now.
normalise() {
    sed -E 's/^(parts\.ro\.show .* \| consumption\.at_us = ).*/\1(when this instance recorded it)/'
}

# the live kpi's report of the day, as its staff read it
kpi_lines "$CONFIG"
answers >"$T/live-kpi.txt"
# asday's new car: its mats sold at the price agreed with the buyer, 220.00,
# against the catalogue's 250.00 (the camera at its 600.00): the agreed price
# joins reception's RO lines with parts' consumption, and every seed below
# must give this discount of 250.00 - 220.00 = 30.00
live_fig() { # live_fig NAME: the department's figure of the month in the live report
    sed -nE "s/^kpi --month $MONTH --by department \| department \| $1 = ([-0-9.]+) .*/\1/p" "$T/live-kpi.txt"
}
expect_eq "the new car's accessory discount given in the live report" 3000 \
    "$(live_fig "accessory discount given")"
# and its accessories at the agreed prices: (220.00 + 600.00) / 1 car = 820.00
expect_eq "accessory sales per new car in the live report" 82000 "$(live_fig "accessory sales per new car")"
# kpi's own commands of the day (the service manager's targets and the
# month's expenses) reach no fresh kpi as events: each is given them as the
# staff keyed them, read from the live kpi's own events
ctl tap --since "kpi@$(config_of site name):1" --wait 1500 kpi.target.changed kpi.expense.recorded \
    kpi.monthly.generated kpi.monthly.submitted kpi.monthly.corrected >"$T/kpi-own.json" || true
# (asday's targets: tech-01's sold hours, every advisor's product sales and
# adv-chen's own; the expenses: consumables and utilities; the monthly
# reports of the month before: both generated (by kpi's timer or asday) and
# submitted, the department's corrected)
expect_eq "kpi's own commands of the day (3 targets, 2 expenses, 2 reports generated, 2 submitted, 1 corrected)" \
    10 "$(wc -l <"$T/kpi-own.json")"
# kpi_own CONFIG: keys kpi's own commands of the day into the kpi of CONFIG
kpi_own() {
    local call argv
    while IFS= read -r call; do
        mapfile -t argv < <(jq -r '.[]' <<<"$call")
        "$ASCTL" --json --config "$1" --actor "${argv[0]}" call "${argv[@]:1}" | jq -e .ok >/dev/null ||
            fail "the fresh kpi refused ${argv[*]}"
    done < <(jq -r '.payload as $p | if .type == "kpi.target.changed" then
            [$p.target.set_by, "kpi.target.set", "month=\($p.target.month)", "metric=\($p.target.metric)",
             "value=\($p.target.value)"] + (if $p.target.technician then ["technician=\($p.target.technician)"] else [] end)
             + (if $p.target.advisor then ["advisor=\($p.target.advisor)"] else [] end)
             + (if $p.target.keeper then ["keeper=\($p.target.keeper)"] else [] end)
        elif .type == "kpi.expense.recorded" then [$p.expense.recorded_by, "kpi.expense.record", "month=\($p.expense.month)",
             "category=\($p.expense.category)", "amount_cents=\($p.expense.amount_cents)",
             "note=\($p.expense.note // "")"]
        elif .type == "kpi.monthly.generated" then ["svc-mgr", "kpi.monthly.generate",
             "kind=\($p.report.kind)", "month=\($p.report.month)"]
        elif .type == "kpi.monthly.submitted" then [$p.report.submitted_by, "kpi.monthly.submit",
             "kind=\($p.report.kind)", "month=\($p.report.month)", "--at", "\($p.report.submitted_date) 12:00"]
        else [$p.report.corrected_by, "kpi.monthly.correct", "kind=\($p.report.kind)",
             "month=\($p.report.month)", "reason=\($p.report.correction_reason)",
             "--at", "\($p.report.corrected_date) 12:00"] end | @json' "$T/kpi-own.json")
}
for name in "${!PIDS[@]}"; do stop "$name"; done

# --- fresh consumers, one interleaving per seed ------------------------------
# consumer_config NAME DIR: the site's config for a fresh NAME in DIR, which
# knows no other service's endpoint (it must learn nothing but the feed: a
# replay from another fresh instance would be another history)
consumer_config() {
    awk -v own="$1" '/^\[/ {section = substr($0, 2, length($0) - 2)}
        !(section != own && $1 == "endpoint") {print}' "$CONFIG" >"$2/$1.ini"
}

# applied_all DIR: every fresh consumer applied every recorded event it
# follows (their statuses asked in one batch)
applied_all() {
    local d=$1 c
    for c in $CONSUMERS; do line --config "$d/$c.ini" status "$c"; done |
        "$ASCTL" --json batch 2>/dev/null | jq -s -e --argjson last "$LAST" --argjson follows "$FOLLOWS" \
            --arg site "$SITE" 'length == ($follows | length) and
            all(.[]; (.services[0].service) as $c |
                ($follows[$c] | split(", *"; null) | map(. + "@" + $site)) as $f |
                ([.services[0].offsets[]? | {(.source): .applied_seq}] | add // {}) as $had |
                all($f[]; ($had[.] // 0) == ($last[.] // 0)))' >/dev/null
}
SITE=$(config_of site name)
# each consumer's [NAME] follows, as written: {"kpi": "reception, ...", ...}
FOLLOWS=$(for c in $CONSUMERS; do jq -n --arg c "$c" --arg f "$(config_of "$c" follows)" '{($c): $f}'; done |
    jq -s -c add)
LAST=$("$ASIL" info "$REC" | jq -R 'split(" ") | {(.[0]): (.[1] | tonumber)}' | jq -s 'add')

SEEDS=${AS_INTERLEAVE_SEEDS:-$(seq 1 20)}
log "seeds: ${SEEDS//$'\n'/ } (replay some with AS_INTERLEAVE_SEEDS=\"N ...\")"
declare -a DIFFERING=()
first=""
for seed in $SEEDS; do
    d=$T/seed-$seed
    mkdir -m 700 "$d" # the ipc sockets' directory: only this user may reach them
    export AS_RUN_DIR=$d
    expects=()
    for c in $CONSUMERS; do
        consumer_config "$c" "$d"
        expects+=(--expect "$(jq -r --arg c "$c" '.[$c]' <<<"$FOLLOWS")")
    done
    "$ASIL" feed --seed "$seed" --bind "ipc://$d/bus-out" "${expects[@]}" "$REC" \
        >>"$d/feed.log" 2>&1 &
    feeder=$!
    for c in $CONSUMERS; do
        "$AS_BUILD/services/$c/as-$c" --config "$d/$c.ini" >>"$d/$c.log" 2>&1 &
        PIDS[$c]=$!
    done
    rc=0
    wait "$feeder" || rc=$?
    if [ "$rc" != 0 ]; then
        fail "seed $seed: the feeder exited $rc: $(cat "$d/feed.log")"
        for c in $CONSUMERS; do
            alive "$c" || log "as-$c is not running: $(tail -n 2 "$d/$c.log")"
        done
        break
    fi
    wait_for "seed $seed: every fresh consumer applied every event" applied_all "$d" ||
        break
    kpi_own "$d/kpi.ini"
    # the feed kept each source's order, so no consumer saw a gap (it would
    # have skipped it as lost after 10 s: the feeder cannot replay)
    told=0
    while read -r c lost; do
        told=$((told + 1))
        [ "$lost" = 0 ] || fail "seed $seed: $c skipped $lost event(s) as lost: a source's order broke"
    done < <(for c in $CONSUMERS; do line --config "$d/$c.ini" status "$c"; done |
        "$ASCTL" --json batch | jq -r '"\(.services[0].service) \([.services[0].offsets[]?.lost // 0] | add // 0)"')
    expect_eq "seed $seed: consumers whose status tells what they lost" 6 "$told"
    results "$d" | normalise >"$d/results.txt"
    for c in $CONSUMERS; do
        if alive "$c"; then
            stop "$c"
        else
            fail "seed $seed: as-$c died: $(tail -n 3 "$d/$c.log")"
            kill9 "$c"
        fi
    done
    grep '^kpi ' "$d/results.txt" >"$d/kpi.txt"
    how="$(sed -n 's/^asinterleave: seed [0-9]*: //p' "$d/feed.log" | head -1)"
    same=yes
    lines=40
    [ "${#DIFFERING[@]}" = 0 ] || lines=12 # the first difference in full, then a glimpse
    if ! diff -q "$T/live-kpi.txt" "$d/kpi.txt" >/dev/null; then
        fail "seed $seed: the fresh kpi's report differs from the live kpi's ($how)"
        diff -u --label "live kpi" --label "kpi fed seed $seed" "$T/live-kpi.txt" "$d/kpi.txt" |
            grep '^[-+][^-+]' | head -n "$lines" >&2 || true
        same=no
    fi
    if [ -z "$first" ]; then
        first=$seed
        # what is compared is what staff read, not refusals
        expect_eq "seed $seed: answers that are errors or none" 0 \
            "$(grep -c ' | error = \| | no answer ' "$d/results.txt" || true)"
        # the people's lists are judged too: technicians and advisors with ROs behind their figures
        for by in technician advisor; do
            n=$(grep -c "^kpi.figure.ros day=$DAY by=$by key=.* | ros.0.ro_number = " "$d/results.txt" || true)
            [ "$n" -gt 0 ] || fail "seed $seed: no $by's figure lists its ROs"
            log "seed $seed: $n figures of the ${by}s list their ROs (judged)"
        done
    elif ! diff -q "$T/seed-$first/results.txt" "$d/results.txt" >/dev/null; then
        fail "seed $seed answers differently from seed $first ($how)"
        diff -u --label "seed $first" --label "seed $seed" "$T/seed-$first/results.txt" \
            "$d/results.txt" | grep '^[-+][^-+]' | head -n "$lines" >&2 || true
        same=no
    fi
    if [ "$same" = yes ]; then
        log "ok: seed $seed gives the same answers ($(wc -l <"$d/results.txt") lines; $how)"
        [ "$seed" = "$first" ] || rm -rf "$d"
    else
        DIFFERING+=("$seed")
    fi
done
[ "${#DIFFERING[@]}" = 0 ] || log "seeds whose answers differ: ${DIFFERING[*]} (AS_INTERLEAVE_SEEDS=\"${DIFFERING[*]}\" replays them)"
finish
