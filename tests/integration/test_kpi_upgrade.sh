#!/usr/bin/env bash
# labels: kpi upgrade
# timeout: 180
# A dealership upgrading: kpi's store written with the '|'-joined keys of
# before the one record encoding (counters, targets, attendance, warranty
# notes) opens with today's daemon, which moves those keys once at start. Every
# report reads the same after, a bay whose id holds a '|' of its own included;
# and what arrives after the upgrade finds what was noted before: a shift
# recorded again still counts once, a claim accepted counts on the day it was
# first submitted, an RO's waiting labour cost reaches its advisor.
# The old store is written by AS_PREV_BUILD's as-kpi when given (a build of the
# previous format, e.g. main before this change); otherwise today's daemon
# writes it and mdb_dump/mdb_load turn its keys back into the old form.
. "$(dirname "$0")/lib.sh"
setup kpi_upgrade

cat >>"$CONFIG" <<INI

[staff]
tester = info_clerk
sm-zhang = service_manager

[kpi]
endpoint = ipc://$T/kpi.sock
follows = reception, workshop, warranty, tools
heartbeat_ms = 200
INI
sed -i 's/^services = .*/services = kpi/' "$CONFIG"

REC=reception@test WS=workshop@test WTY=warranty@test TOOLS=tools@test
declare -A INC=([$REC]=01900000-0000-7000-8000-0000000000a1 [$WS]=01900000-0000-7000-8000-0000000000a2
    [$WTY]=01900000-0000-7000-8000-0000000000a3 [$TOOLS]=01900000-0000-7000-8000-0000000000a4)
declare -A SEQ=([$REC]=0 [$WS]=0 [$WTY]=0 [$TOOLS]=0)
DAY=2026-11-27
MONTH=2026-11
emit() { # emit SOURCE TYPE JSON: the source's next event on the bus
    SEQ[$1]=$((SEQ[$1] + 1))
    "$FRAMES" event-json "ipc://$T/bus-in" "$1" "${INC[$1]}" "${SEQ[$1]}" "$2" "$3"
}
applied_is() { [ "$(ctl status kpi 2>/dev/null | json ".services[0].offsets[] | select(.source==\"$1\") | .applied_seq")" = "$2" ]; }
wait_applied() { for s in "$@"; do wait_for "kpi applied $s up to ${SEQ[$s]}" applied_is "$s" "${SEQ[$s]}"; done; }
start_kpi() { # BUILD
    "$1/services/kpi/as-kpi" --config "$CONFIG" >>"$T/kpi.log" 2>&1 &
    PIDS[kpi]=$!
    wait_for "kpi answers status" ctl_ok status kpi
}
report() { "$ASCTL" --config "$CONFIG" --json kpi report "$@" | jq -S -c .; }
reports() { # every view of the month and the day, one a line
    for by in department technician advisor bay; do report --month $MONTH --by $by; done
    report --month $MONTH --day $DAY
}
counter() { # counter BY ROW NAME: a raw counter of the month's report
    report --month $MONTH --by "$1" | json ".rows[] | select(.key==\"$2\") | .counters.$3"
}

log "--- the day before the upgrade"
start_bus bus
start_kpi "${AS_PREV_BUILD:-$AS_BUILD}"
emit $REC reception.appointment.booked \
    "{\"appointment\":{\"appointment_id\":\"A1\",\"advisor\":\"adv-wang\"},\"date\":\"$DAY\"}"
emit $REC reception.ro.opened "{\"ro\":{\"ro_number\":\"RO-1\",\"advisor\":\"adv-wang\"},\"date\":\"$DAY\"}"
emit $WS workshop.technician.registered '{"technician":{"tech_id":"tech-07","hourly_cost_cents":6000}}'
emit $WS workshop.bay.registered '{"bay":{"bay_id":"lift|1","kind":"lift"}}'
emit $WS workshop.shift.recorded "{\"attendance\":{\"tech_id\":\"tech-07\",\"date\":\"$DAY\",\"minutes\":480}}"
clock() { echo "{\"ro_number\":\"$1\",\"job_no\":1,\"tech_id\":\"tech-07\",\"bay_id\":\"lift|1\",\"minutes\":$2,\"date\":\"$DAY\"}"; }
emit $WS workshop.clock.stopped "$(clock RO-1 120)"
emit $WS workshop.clock.stopped "$(clock RO-2 60)" # RO-2's advisor is not known yet
emit $WS workshop.qc.passed \
    "{\"ro_number\":\"RO-1\",\"first_time\":true,\"advisor\":\"adv-wang\",\"jobs\":[{\"job_no\":1,\"technician\":\"tech-07\",\"sold_minutes\":150}],\"date\":\"$DAY\"}"
emit $WTY warranty.claim.submitted "{\"claim_id\":\"CL-1\",\"submissions\":1,\"first_submitted_date\":\"$DAY\"}"
emit $WTY warranty.part.tagged "{\"tag\":\"T-1\",\"claim_id\":\"CL-1\",\"tagged_date\":\"$DAY\",\"due_date\":\"2026-12-27\"}"
emit $TOOLS tools.item.registered "{\"item\":{\"tool_id\":\"TL-1\",\"condition\":\"good\"},\"date\":\"$DAY\"}"
wait_applied $REC $WS $WTY $TOOLS
ctl --actor sm-zhang call kpi.target.set month=$MONTH "metric=labour efficiency" value=100 >/dev/null
BEFORE=$(reports)
expect_eq "before: the bay with a '|' in its id has its row" "lift|1" \
    "$(report --month $MONTH --by bay | json '.rows[0].key')"
expect_eq "before: the target shows" 100 \
    "$(report --month $MONTH | json '.rows[0].figures[] | select(.name=="labour efficiency") | .target')"
stop kpi

if [ -z "${AS_PREV_BUILD:-}" ]; then
    log "--- turning the store's keys back into the old form ('|' between parts)"
    keys_back_to "$T/data/kpi" '|' counters targets attendance warranty
    KEY="D|$DAY|bay|lift|1"
    mdb_dump -p -s counters "$T/data/kpi" | grep -qxF " $KEY" || fail "the old form has the key $KEY"
fi

log "--- today's daemon on the old store"
start_kpi "$AS_BUILD"
expect_eq "the keys were moved at start" 1 "$(grep -c 'keys moved to the one encoding' "$T/kpi.log")"
AFTER=$(reports)
expect_eq "after: every report reads the same" same "$([ "$BEFORE" = "$AFTER" ] && echo same || echo different)"
[ "$BEFORE" = "$AFTER" ] || diff <(echo "$BEFORE" | tr ',' '\n') <(echo "$AFTER" | tr ',' '\n') | head -20 || true

log "--- events after the upgrade meet what was noted before"
emit $WS workshop.shift.recorded "{\"attendance\":{\"tech_id\":\"tech-07\",\"date\":\"$DAY\",\"minutes\":480}}"
emit $REC reception.ro.opened "{\"ro\":{\"ro_number\":\"RO-2\",\"advisor\":\"adv-zhou\"},\"date\":\"$DAY\"}"
emit $WTY warranty.claim.accepted '{"claim_id":"CL-1","submissions":1}' # dated by kpi's note only
wait_applied $REC $WS $WTY
expect_eq "a shift recorded again counts once" 480 "$(counter technician tech-07 available_minutes)"
expect_eq "RO-2's waiting labour cost reached its advisor" 6000 "$(counter advisor adv-zhou labour_cost_cents)"
expect_eq "the claim's first pass counts on its first submission's day" 1 \
    "$(counter department department warranty_claims_first_pass)"
expect_eq "the bay keeps its one row" '["lift|1"]' "$(report --month $MONTH --by bay | jq -c '[.rows[].key]')"

log "--- a restart moves nothing again"
stop kpi
start_kpi "$AS_BUILD"
expect_eq "moved once only" 1 "$(grep -c 'keys moved to the one encoding' "$T/kpi.log")"
expect_eq "still a shift counted once" 480 "$(counter technician tech-07 available_minutes)"
finish
