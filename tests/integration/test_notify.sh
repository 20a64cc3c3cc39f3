#!/usr/bin/env bash
# labels: ops
# timeout: 90
# Type=notify as systemd sees it (astest_notify plays systemd): a daemon
# sends READY=1 once its store is open and it serves, then feeds the
# watchdog (WATCHDOG=1 at half of WATCHDOG_USEC) from its loop, and
# STOPPING=1 on SIGTERM, exiting 0; the bus does the same; a daemon with a
# bad config exits 78 (the units' RestartPreventExitStatus) without READY.
. "$(dirname "$0")/lib.sh"
setup notify
NOTIFY="$AS_BUILD/tests/integration/astest_notify"

start_bus bus
"$NOTIFY" "$T/notify.sock" --watchdog 400 "$ASDEMO" source --config "$CONFIG" >"$T/notified" 2>>"$T/source.log" &&
    rc=0 || rc=$?
expect_eq "the daemon's exit status after SIGTERM" 0 "$rc"
expect_eq "READY=1 sent" 1 "$(grep -c '^READY=1$' "$T/notified")"
grep -q '^STATUS=serving demo@test$' "$T/notified" || fail "no STATUS line: $(cat "$T/notified")"
[ "$(grep -c '^WATCHDOG=1$' "$T/notified")" -ge 2 ] || fail "the watchdog was not fed: $(cat "$T/notified")"
expect_eq "the first notification" READY=1 "$(head -1 "$T/notified")"
expect_eq "the last notification" STOPPING=1 "$(tail -1 "$T/notified")"
# the store was open before READY: its data.mdb exists
[ -f "$T/data/demo/data.mdb" ] || fail "no store in $T/data/demo"

log "--- no watchdog asked: no WATCHDOG=1"
"$NOTIFY" "$T/notify.sock" "$ASDEMO" source --config "$CONFIG" >"$T/notified2" 2>>"$T/source.log" || true
expect_eq "WATCHDOG=1 without WatchdogSec" 0 "$(grep -c '^WATCHDOG=1$' "$T/notified2" || true)"
expect_eq "READY=1 sent" 1 "$(grep -c '^READY=1$' "$T/notified2")"

log "--- the bus"
stop bus
"$NOTIFY" "$T/notify.sock" "$ASBUS" --config "$CONFIG" --name bus >"$T/notified3" 2>>"$T/bus.log" && rc=0 || rc=$?
expect_eq "asbus exit status after SIGTERM" 0 "$rc"
expect_eq "asbus READY=1" 1 "$(grep -c '^READY=1$' "$T/notified3")"

log "--- a config error: exit 78, never ready"
printf '[site]\nname = test\nfolows = x\n' >"$T/bad.ini"
"$NOTIFY" "$T/notify.sock" "$ASDEMO" source --config "$T/bad.ini" >"$T/notified4" 2>"$T/bad.log" && rc=0 || rc=$?
expect_eq "exit status on a config error" 78 "$rc"
expect_eq "READY=1 on a config error" 0 "$(grep -c '^READY=1$' "$T/notified4" || true)"
finish
