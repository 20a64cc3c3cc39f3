#!/usr/bin/env bash
# labels: asctl
# timeout: 120
# asctl outbox archive / verify against the real parts daemon, running: the
# entries made before a date go into a new file (mode 0600) that verify checks
# through; the store keeps every entry and still replays them from seq 1; a
# file is never written over; a changed byte or a file cut short is found.
. "$(dirname "$0")/lib.sh"
setup outbox_archive

cat >>"$CONFIG" <<INI

[staff]
pm-liu = parts_manager

[parts]
endpoint = ipc://$T/parts.sock
heartbeat_ms = 200
INI
sed -i 's/^services = .*/services = parts/' "$CONFIG"
define() {
    AS_ACTOR=pm-liu ctl call parts.part.define part_number="$1" description="part $1" \
        cost_cents=100 price_cents=200 bin=A-01 >/dev/null
}
time_of() { ctl tap --since parts@test:1 --count "$1" parts. | tail -1 | json .time_us; }

start_bus bus
start_service parts

log "--- two events, a pause, three more"
define P-1
define P-2
t2=$(time_of 2)
sleep 2.2
define P-3
define P-4
define P-5
t3=$(ctl tap --since parts@test:3 --count 1 parts. | json .time_us)

# A zone whose midnight falls between event 2 and event 3, so that "before
# that date" splits the outbox there: local = UTC + east seconds.
cut=$(((t2 / 1000000) + 1))
[ $((cut * 1000000)) -lt "$t3" ] || fail "no whole second between events 2 and 3"
east=$(((86400 - cut % 86400) % 86400))
zone=$(printf 'ARC-%02d:%02d:%02d' $((east / 3600)) $((east % 3600 / 60)) $((east % 60)))
day=$(TZ=UTC date -d "@$((cut + east))" +%Y-%m-%d)
log "cut at $cut: midnight of $day in TZ=$zone"

log "--- archive while the daemon runs"
TZ=$zone ctl outbox archive parts --before "$day" --to "$T/parts-1.arc" >"$T/archive.json"
expect_eq "archived" "2 1 2 parts@test" \
    "$(json '"\(.events) \(.first_seq) \(.last_seq) \(.source)"' <"$T/archive.json")"
expect_eq "the archive's mode" 600 "$(stat -c %a "$T/parts-1.arc")"
[ ! -e "$T/parts-1.arc.partial" ] || fail "the partial file was left"

log "--- verify reads it through"
ctl outbox verify "$T/parts-1.arc" >"$T/verify.json"
expect_eq "verified" "true 2 1 2 $(json .blake2b <"$T/archive.json")" \
    "$(json '"\(.ok) \(.events) \(.first_seq) \(.last_seq) \(.blake2b)"' <"$T/verify.json")"
expect_eq "incarnation kept" "$(ctl status parts | json '.services[0].incarnation')" \
    "$(json .incarnation <"$T/verify.json")"
out=$(TZ=$zone "$ASCTL" --config "$CONFIG" outbox verify "$T/parts-1.arc")
grep -qF "2 events of parts@test, seq 1..2" <<<"$out" || fail "verify for people: $out"

log "--- the store keeps every entry"
expect_eq "last seq" 5 "$(ctl status parts | json '.services[0].last_seq')"
expect_eq "replayed from seq 1" "1 2 3 4 5" \
    "$(ctl tap --since parts@test:1 --count 5 parts. | json .seq | tr '\n' ' ' | sed 's/ $//')"

log "--- everything before a later date; a file is never written over"
ctl outbox archive parts --before 2999-01-01 --to "$T/parts-2.arc" >"$T/all.json"
expect_eq "all archived" "5 1 5" "$(json '"\(.events) \(.first_seq) \(.last_seq)"' <"$T/all.json")"
sum=$(sha256sum <"$T/parts-1.arc")
rc=0
ctl outbox archive parts --before 2999-01-01 --to "$T/parts-1.arc" >"$T/again.json" || rc=$?
expect_eq "archive over a file: exit" 74 "$rc"
json .error <"$T/again.json" | grep -qF "exists: an archive is never written over one" ||
    fail "refusal does not say why: $(cat "$T/again.json")"
expect_eq "the file is unchanged" "$sum" "$(sha256sum <"$T/parts-1.arc")"
rc=0
ctl outbox archive parts --before 2026-02-30 --to "$T/x.arc" >"$T/bad.json" || rc=$?
expect_eq "a date that is none: exit" 64 "$rc"
[ ! -e "$T/x.arc" ] || fail "a refused archive wrote a file"

log "--- a changed byte, a file cut short"
cp "$T/parts-2.arc" "$T/changed.arc"
printf 'X' | dd of="$T/changed.arc" bs=1 seek=40 conv=notrunc status=none
rc=0
ctl outbox verify "$T/changed.arc" >"$T/changed.json" || rc=$?
expect_eq "changed byte: exit" 2 "$rc"
json .error <"$T/changed.json" | grep -qE "does not decode|differs" ||
    fail "changed byte not named: $(cat "$T/changed.json")"
head -c 200 "$T/parts-2.arc" >"$T/short.arc"
rc=0
ctl outbox verify "$T/short.arc" >"$T/short.json" || rc=$?
expect_eq "cut short: exit" 2 "$rc"
json .error <"$T/short.json" | grep -qF "is cut short" ||
    fail "cut short not named: $(cat "$T/short.json")"
finish
