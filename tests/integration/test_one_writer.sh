#!/usr/bin/env bash
# labels: fault
# timeout: 180
# One writer per store, and a damaged store says so (issue 9, item 4).
# - A second daemon on the same data dir exits 75 naming the dir and the pid
#   that holds it, before it binds anything: the first keeps serving.
# - SIGKILL leaves no stale lock: the next daemon starts at once.
# - `asctl backup` of the running daemon works (it only reads); `asctl restore`
#   into its dir is refused (exit 75) while it runs.
# - data.mdb cut to 200 KB: the daemon exits 74 with what is wrong and what to
#   do (not SIGBUS); backup and restore refuse it (exit 74); the backup, once
#   restored, serves again.
. "$(dirname "$0")/lib.sh"
setup one_writer

DIR=$T/data/demo
emitted() { ctl call demo.state | json .reply.emitted; }
emitted_is() { [ "$(emitted 2>/dev/null)" = "$1" ]; }
last_seq() { ctl status demo | json '.services[0].last_seq'; }
# run_source OUT: a second, foreground `asdemo source`; its exit code in RC,
# stderr in OUT (bounded: on a store that does not refuse it, it would run)
run_source() {
    RC=0
    timeout 20 "$ASDEMO" source --config "$CONFIG" >/dev/null 2>"$1" || RC=$?
}
# expect_in WHAT FILE TEXT: FILE holds TEXT
expect_in() {
    if grep -qF -- "$3" "$2"; then
        log "ok: $1"
    else
        fail "$1: '$3' not in: $(cat "$2")"
    fi
}

start_bus bus
start_daemon source
ctl call demo.generate count=3000 >/dev/null
wait_for "source emitted 3000" emitted_is 3000
FIRST=${PIDS[source]}

log "--- a second daemon on the same data dir is refused; the first serves on"
run_source "$T/second.err"
expect_eq "the second daemon's exit code" 75 "$RC"
expect_in "it names the dir and the holder" "$T/second.err" \
    "the store in '$DIR' is in use by another process (pid $FIRST): a store has one writer; stop that process first"
ctl call demo.generate count=10 >/dev/null
wait_for "the first still serves: 3010 emitted" emitted_is 3010
expect_eq "the first daemon's last seq" 3010 "$(last_seq)"

log "--- hot backup while it runs; restore into its dir refused"
mkdir -p "$T/backup"
RC=0
"$ASCTL" --config "$CONFIG" backup demo --to "$T/backup" >/dev/null 2>"$T/backup.err" || RC=$?
expect_eq "asctl backup of the running daemon" 0 "$RC"
RC=0
"$ASCTL" --config "$CONFIG" restore demo --from "$T/backup" >/dev/null 2>"$T/restore.err" || RC=$?
expect_eq "asctl restore into a running daemon's dir" 75 "$RC"
expect_in "restore names the holder" "$T/restore.err" \
    "restore refused: the store in '$DIR' is in use by another process (pid $FIRST)"

log "--- SIGKILL: no stale lock, the next daemon starts and goes on"
kill9 source
start_daemon source
expect_eq "last seq after SIGKILL and restart" 3010 "$(last_seq)"
stop source

log "--- data.mdb cut to 200 KB"
PAGES=$(mdb_stat -e "$DIR" | sed -n 's/^ *Number of pages used: //p')
PSIZE=$(mdb_stat -e "$DIR" | sed -n 's/^ *Page size: //p')
NEEDED=$((PAGES * PSIZE))
[ "$NEEDED" -gt 204800 ] || fail "the store should be over 200 KB, is $NEEDED bytes"
truncate -s 204800 "$DIR/data.mdb"
DAMAGE="'$DIR/data.mdb' is 204800 bytes but its metadata says $NEEDED: the file is truncated or damaged; restore it from a backup (asctl restore)"
run_source "$T/damaged.err"
expect_eq "the daemon's exit code on a truncated store" 74 "$RC"
expect_in "it says what is wrong" "$T/damaged.err" "$DAMAGE"
expect_eq "data.mdb left as it was" 204800 "$(stat -c %s "$DIR/data.mdb")"

mkdir -p "$T/backup2"
RC=0
"$ASCTL" --config "$CONFIG" backup demo --to "$T/backup2" >/dev/null 2>"$T/backup2.err" || RC=$?
expect_eq "asctl backup of the damaged store" 74 "$RC"
expect_in "backup says what is wrong" "$T/backup2.err" "backup refused: $DAMAGE"
expect_eq "the backup dir stays empty" "" "$(ls -A "$T/backup2")"
RC=0
"$ASCTL" --config "$CONFIG" restore demo --from "$DIR" --data-dir "$T/restored" >/dev/null \
    2>"$T/restore2.err" || RC=$?
expect_eq "asctl restore from the damaged store" 74 "$RC"
expect_in "restore says what is wrong" "$T/restore2.err" \
    "restore refused: '$DIR/data.mdb' is 204800 bytes but its metadata says $NEEDED: the file is truncated or damaged; restore from another backup"
[ ! -e "$T/restored/data.mdb" ] || fail "a restore from a damaged store made a data.mdb"

log "--- the operator moves it away and restores the backup: it serves again"
mv "$DIR" "$T/damaged-demo"
"$ASCTL" --config "$CONFIG" restore demo --from "$T/backup" >/dev/null
start_daemon source
expect_eq "last seq of the restored store" 3010 "$(last_seq)"

finish
