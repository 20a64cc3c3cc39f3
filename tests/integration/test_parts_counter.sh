#!/usr/bin/env bash
# labels: parts
# timeout: 180
# The parts counter: search by part-number prefix and by description words
# (English word starts, Chinese anywhere) with stock in the reply; receipts
# listed and shown with their discrepancies; damaged and wrong parts held in
# quarantine (not on hand, not reservable or issuable, not in availability or
# the fill rate), disposed of by the parts manager with an event; and a store
# written before all this upgraded once at start.
. "$(dirname "$0")/lib.sh"
setup parts_counter

cat >>"$CONFIG" <<INI

[staff]
wk-chen = warehouse_keeper
pm-liu = parts_manager
tech-07 = technician

[parts]
endpoint = ipc://$T/parts.sock
follows = workshop
heartbeat_ms = 200

[kpi]
endpoint = ipc://$T/kpi.sock
follows = parts
heartbeat_ms = 200
INI
sed -i 's/^services = .*/services = parts, kpi/' "$CONFIG"

wk() { AS_ACTOR=wk-chen ctl call "$@"; }
pm() { AS_ACTOR=pm-liu ctl call "$@"; }
found() { # found TEXT...: the part numbers a search finds, space separated
    wk parts.part.search "$@" | json '[.reply.hits // [] | .[].part_number] | join(" ")'
}
stock() { wk parts.stock.query part_number="$1" | json ".reply.parts[0].$2"; }
define() { # define PN BIN DESCRIPTION
    wk parts.part.define part_number="$1" bin="$2" description="$3" cost_cents=500 \
        price_cents=1200 >/dev/null
}

start_bus bus
start_service parts
start_service kpi

log "--- a catalogue, and a receipt with damaged and wrong lines"
define FLT-OIL-01 A-01 "Oil filter, spin-on"
define FLT-OIL-02 A-01 "oil filter cartridge 机油滤清器"
define FLT-AIR-01 A-02 "engine air filter 空气滤清器"
define PAD-FR-02 B-02 "front brake pads 前刹车片"
define OIL-5W30 C-01 "engine oil 5W-30 1l"
wk parts.receipt.record --payload '{"receipt_id":"R-2001","supplier":"OEM","lines":[
    {"part_number":"FLT-OIL-01","expected":6,"received":4,"discrepancy":"DAMAGED","note":"2 boxes crushed"},
    {"part_number":"PAD-FR-02","expected":4,"received":1,"discrepancy":"WRONG","note":"rear pads sent"},
    {"part_number":"OIL-5W30","expected":5,"received":3,"discrepancy":"MISSING","note":"short shipped"},
    {"part_number":"FLT-AIR-01","expected":2,"received":2}]}' >"$T/r2001.json"
expect_eq "the receipt says what each line holds apart" "2 3 0 0" \
    "$(json '[.reply.lines[] | .quarantined // 0] | join(" ")' <"$T/r2001.json")"
wk parts.receipt.record --payload '{"receipt_id":"R-2002","supplier":"Bosch","lines":[
    {"part_number":"FLT-OIL-02","expected":3,"received":3}]}' >/dev/null

log "--- search"
expect_eq "part-number prefix, any case" "FLT-OIL-01 FLT-OIL-02" "$(found text=flt-oil)"
expect_eq "the start of a description word" "FLT-AIR-01 FLT-OIL-01 FLT-OIL-02" "$(found text=filt)"
expect_eq "every word must match" "FLT-OIL-01 FLT-OIL-02" "$(found "text=oil filt")"
expect_eq "a part number or a description" "FLT-OIL-01 FLT-OIL-02 OIL-5W30" "$(found text=oil)"
expect_eq "Chinese matches anywhere" "FLT-AIR-01 FLT-OIL-02" "$(found text=滤清)"
expect_eq "Chinese and English together" "FLT-OIL-02" "$(found "text=机油 cartridge")"
expect_eq "not inside an English word" "" "$(found text=ilter)"
wk parts.part.search text=filter limit=2 >"$T/p1.json"
expect_eq "a page, how many matched, where to go on" "FLT-AIR-01 FLT-OIL-01|3|FLT-OIL-01" \
    "$(json '"\([.reply.hits[].part_number] | join(" "))|\(.reply.matched)|\(.reply.next_after)"' <"$T/p1.json")"
expect_eq "the next page" "FLT-OIL-02" "$(found text=filter limit=2 after=FLT-OIL-01)"
expect_eq "a hit's stock, bin and price" "4 0 4 2 A-01 1200" "$(wk parts.part.search \
    text=FLT-OIL-01 | json '.reply.hits[0] | "\(.on_hand) \(.reserved) \(.available) \(.quarantined) \(.bin) \(.price_cents)"')"
define FLT-OIL-02 A-01 "oil cartridge"
expect_eq "a changed description is searched as it is now" "FLT-AIR-01" "$(found text=滤清)"
refused wk-chen invalid "text to search for is required" parts.part.search text=
refused wk-chen invalid "limit 500 must be 1 to 100" parts.part.search text=oil limit=500

log "--- receipts list and show"
expect_eq "all receipts, oldest first" "R-2001 R-2002" \
    "$(wk parts.receipt.list | json '[.reply.receipts[].receipt_id] | join(" ")')"
expect_eq "only those with discrepancies" "R-2001" "$(wk parts.receipt.list \
    discrepancies_only=true | json '[.reply.receipts[].receipt_id] | join(" ")')"
expect_eq "by supplier" "R-2002" \
    "$(wk parts.receipt.list supplier=bosch | json '[.reply.receipts[].receipt_id] | join(" ")')"
today=$(date -u +%F)
expect_eq "by dates" "2 0" "$(wk parts.receipt.list from="$today" to="$today" |
    json '.reply.receipts | length') $(wk parts.receipt.list to=2020-01-01 | json '.reply.receipts // [] | length')"
expect_eq "one receipt with its discrepancies" "DAMAGED:2 boxes crushed WRONG:rear pads sent MISSING:short shipped" \
    "$(wk parts.receipt.show receipt_id=R-2001 | json '[.reply.lines[] | select(.discrepancy != "DISCREPANCY_NONE") |
    "\(.discrepancy):\(.note)"] | join(" ")')"
refused wk-chen not-found "receipt 'R-404' does not exist" parts.receipt.show receipt_id=R-404
refused wk-chen invalid "from '2026-13-01' is not a date (YYYY-MM-DD)" parts.receipt.list from=2026-13-01
refused tech-07 denied "tech-07" parts.receipt.list

log "--- quarantine is not stock"
expect_eq "filters: on hand, quarantined" "4 2" "$(stock FLT-OIL-01 on_hand) $(stock FLT-OIL-01 quarantined)"
expect_eq "pads: on hand, quarantined" "1 3" "$(stock PAD-FR-02 on_hand) $(stock PAD-FR-02 quarantined)"
expect_eq "missing oil is not quarantined" "3 0" "$(stock OIL-5W30 on_hand) $(stock OIL-5W30 quarantined)"
expect_eq "the quarantine list" "FLT-OIL-01 R-2001 DAMAGED 2|PAD-FR-02 R-2001 WRONG 3" \
    "$(wk parts.quarantine.list | json '[.reply.lots[] | "\(.part_number) \(.receipt_id) \(.discrepancy) \(.held)"] | join("|")')"
refused wk-chen conflict "to reserve: 1 free, 2 asked" parts.reserve ro_number=RO-1 job_no=1 \
    part_number=PAD-FR-02 quantity=2
refused wk-chen conflict "not enough stock of part 'FLT-OIL-01': 4 free to issue, 5 asked" \
    parts.issue issue_id=I-0 ro_number=RO-1 job_no=1 part_number=FLT-OIL-01 quantity=5 technician=tech-07
# fill rate: 5 filters asked with 4 good ones and 2 quarantined is a backorder,
# not a first pick; 1 pad is a first pick: 1 of 2 lines
expect_eq "the quarantined filters are not issued" "I-1 4 false|I-1/bo 1 true" \
    "$(wk parts.issue issue_id=I-1 ro_number=RO-1 job_no=1 part_number=FLT-OIL-01 quantity=5 \
    technician=tech-07 backorder=true | json '[.reply.issues[] | "\(.issue_id) \(.quantity) \(.backorder)"] | join("|")')"
wk parts.issue issue_id=I-2 ro_number=RO-1 job_no=1 part_number=PAD-FR-02 quantity=1 \
    technician=tech-07 >/dev/null
expect_eq "quarantine kept after the issues" "0 2 0 3" "$(stock FLT-OIL-01 on_hand) \
$(stock FLT-OIL-01 quarantined) $(stock PAD-FR-02 on_hand) $(stock PAD-FR-02 quarantined)"
expect_eq "the open backorders (all, and of one part)" "I-1/bo RO-1 1 FLT-OIL-01 1 0|I-1/bo" \
    "$(wk parts.backorder.list | json '[.reply.backorders[] | "\(.issue_id) \(.ro_number) \(.job_no) \(.part_number) \(.quantity) \(.filled // 0)"] | join(" ")')|$(wk parts.backorder.list part_number=FLT-OIL-01 | json '[.reply.backorders[].issue_id] | join(" ")')"
expect_eq "no backorder of pads" 0 "$(wk parts.backorder.list part_number=PAD-FR-02 | json '.reply.backorders // [] | length')"
refused wk-chen invalid "part number 'bad part' must be 3 to 32" parts.backorder.list part_number='bad part'
kpi_applied() {
    [ "$(ctl status kpi | json '.services[0].offsets[] | select(.source=="parts@test") | .applied_seq')" \
        = "$(ctl status parts | json '.services[0].last_seq')" ]
}
wait_for "kpi has every parts event" kpi_applied
expect_eq "fill rate: 1 of 2 lines at first pick" 50 "$(AS_ACTOR=pm-liu "$ASCTL" --config \
    "$CONFIG" kpi report --month "$(date -u +%Y-%m)" --json | jq -r '.rows[] |
    select(.key=="department") | .figures[] | select(.name=="parts fill rate") | .value')"

log "--- disposal"
refused wk-chen denied "wk-chen" parts.quarantine.dispose part_number=FLT-OIL-01 \
    receipt_id=R-2001 quantity=1 disposition=SCRAP reason=crushed
refused pm-liu conflict "part 'FLT-OIL-01' from receipt 'R-2001': 2 held in quarantine, 3 to dispose" \
    parts.quarantine.dispose part_number=FLT-OIL-01 receipt_id=R-2001 quantity=3 \
    disposition=SCRAP reason=crushed
refused pm-liu invalid "disposition of part 'FLT-OIL-01' must be RETURN_TO_SUPPLIER or SCRAP" \
    parts.quarantine.dispose part_number=FLT-OIL-01 receipt_id=R-2001 quantity=1 reason=crushed
refused pm-liu invalid "disposing of part 'FLT-OIL-01' needs a reason" \
    parts.quarantine.dispose part_number=FLT-OIL-01 receipt_id=R-2001 quantity=1 disposition=SCRAP
refused pm-liu not-found "no part 'OIL-5W30' from receipt 'R-2001' is held in quarantine" \
    parts.quarantine.dispose part_number=OIL-5W30 receipt_id=R-2001 quantity=1 disposition=SCRAP reason=x
expect_eq "one filter scrapped, one still held" "1 SCRAP pm-liu" "$(pm parts.quarantine.dispose \
    part_number=FLT-OIL-01 receipt_id=R-2001 quantity=1 disposition=SCRAP reason="casing cracked" |
    json '"\(.reply.held) \(.reply.disposals[0].disposition) \(.reply.disposals[0].decided_by)"')"
pm parts.quarantine.dispose part_number=FLT-OIL-01 receipt_id=R-2001 quantity=1 \
    disposition=RETURN_TO_SUPPLIER reason="credit note 7781" >/dev/null
pm parts.quarantine.dispose part_number=PAD-FR-02 receipt_id=R-2001 quantity=3 \
    disposition=RETURN_TO_SUPPLIER reason="wrong pads, exchange" >/dev/null
expect_eq "nothing left in quarantine, stock unchanged" "0 0 0 0 0" \
    "$(wk parts.quarantine.list | json '.reply.lots // [] | length') $(stock FLT-OIL-01 \
    quarantined) $(stock PAD-FR-02 quarantined) $(stock FLT-OIL-01 on_hand) $(stock PAD-FR-02 on_hand)"
refused pm-liu not-found "no part 'FLT-OIL-01' from receipt 'R-2001' is held in quarantine" \
    parts.quarantine.dispose part_number=FLT-OIL-01 receipt_id=R-2001 quantity=1 disposition=SCRAP reason=x
expect_eq "parts.quarantine.disposed events" \
    "FLT-OIL-01 SCRAP 1 1|FLT-OIL-01 RETURN_TO_SUPPLIER 1 0|PAD-FR-02 RETURN_TO_SUPPLIER 3 0" \
    "$(ctl tap --since parts@test:1 --wait 1500 parts.quarantine. | jq -r '.payload |
    "\(.lot.part_number) \(.disposal.disposition) \(.disposal.quantity) \(.lot.held // 0)"' | paste -sd'|')"

log "--- restarted: the upgrade ran once, on the empty store, and never again"
stop kpi
stop parts
start_service parts
wait_for "parts answers again" ctl_ok status parts
expect_eq "after a restart: quarantine, search" "0 0 FLT-OIL-01 FLT-OIL-02" \
    "$(stock FLT-OIL-01 quarantined) $(wk parts.quarantine.list | json '.reply.lots // [] |
    length') $(found text=flt-oil)"

# With AS_OLD_BUILD (a build of main before quarantine and search, e.g.
# AS_OLD_BUILD=/work/main/build) an old parts daemon writes a store with a
# damaged receipt line, and the new one upgrades it at start.
if [ -n "${AS_OLD_BUILD:-}" ]; then
    log "--- a store from before quarantine and the word index, upgraded once at start"
    stop parts
    mv "$T/data/parts" "$T/parts.new"
    AS_BUILD=$AS_OLD_BUILD start_service parts
    wait_for "the old parts answers" ctl_ok status parts
    define HOSE-01 C-03 "radiator hose 散热器软管"
    wk parts.receipt.record --payload '{"receipt_id":"R-1","supplier":"OEM","lines":[
        {"part_number":"HOSE-01","expected":5,"received":3,"discrepancy":"DAMAGED","note":"split"}]}' >/dev/null
    stop parts
    for round in first second; do
        start_service parts
        wait_for "parts answers ($round start)" ctl_ok status parts
        expect_eq "old store, $round start: held, quarantined, on hand, found" "2 2 3 HOSE-01 HOSE-01" \
            "$(wk parts.quarantine.list | json '[.reply.lots[].held] | join(" ")') $(stock HOSE-01 \
            quarantined) $(stock HOSE-01 on_hand) $(found text=radia) $(found text=软管)"
        stop parts
    done
fi
finish
