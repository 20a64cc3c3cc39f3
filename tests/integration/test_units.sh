#!/usr/bin/env bash
# labels: ops
# timeout: 120
# `cmake --install` into a temp DESTDIR puts every program, the units, the
# sysusers.d and tmpfiles.d entries and the example config in place; each
# unit names the install prefix, is Type=notify with a watchdog, does not
# restart on a config error (78), passes `systemd-analyze verify` without a
# word and scores at most 3.0 in `systemd-analyze security --offline=true`.
# The example config passes `--check-config`.
. "$(dirname "$0")/lib.sh"
setup units

if ! command -v systemd-analyze >/dev/null; then
    log "SKIPPED: systemd-analyze is missing (Debian package systemd)"
    exit 0
fi
ROOT=$T/root
DESTDIR=$ROOT cmake --install "$AS_BUILD" >"$T/install.log"
PREFIX=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$AS_BUILD/CMakeCache.txt")
for p in asbus asctl asday asdemo asoem as-reception as-workshop as-parts as-kpi as-warranty as-tools as-ingest; do
    [ -x "$ROOT$PREFIX/bin/$p" ] || fail "$p is not installed in $PREFIX/bin"
done
UNITS=$ROOT$PREFIX/lib/systemd/system
[ -f "$ROOT$PREFIX/lib/sysusers.d/aftersales.conf" ] || fail "no sysusers.d entry"
grep -q '^u aftersales ' "$ROOT$PREFIX/lib/sysusers.d/aftersales.conf" || fail "sysusers.d makes no user aftersales"
grep -q '^d /var/lib/aftersales 0700 aftersales' "$ROOT$PREFIX/lib/tmpfiles.d/aftersales.conf" ||
    fail "tmpfiles.d makes no /var/lib/aftersales"
EXAMPLE=$(find "$ROOT" -name site.ini.example)
[ -n "$EXAMPLE" ] || fail "no site.ini.example installed"
AS_RUN_DIR=$T "$ROOT$PREFIX/bin/as-reception" --config "$EXAMPLE" --check-config >"$T/check.log" 2>&1 ||
    fail "the example config does not check: $(cat "$T/check.log")"

# instance NAME UNIT: the unit as systemd would run NAME, with its programs
# looked for in the temp install tree (verify checks that they exist)
instance() {
    sed "s|$PREFIX/bin/|$ROOT$PREFIX/bin/|g" "$UNITS/$2" >"$T/verify/$1"
}
mkdir "$T/verify"
instance aftersales@reception.service aftersales@.service
instance aftersales-ingest@crm.service aftersales-ingest@.service
instance asbus@bus.service asbus@.service
instance asdemo@source.service asdemo@.service
instance asoem.service asoem.service
for u in aftersales@.service aftersales-ingest@.service asbus@.service asdemo@.service asoem.service; do
    grep -q "^ExecStart=$PREFIX/bin/" "$UNITS/$u" || fail "$u does not run from $PREFIX/bin"
    grep -q '^Type=notify$' "$UNITS/$u" || fail "$u is not Type=notify"
    grep -q '^WatchdogSec=' "$UNITS/$u" || fail "$u has no watchdog"
    grep -q '^RestartPreventExitStatus=.*\b78\b' "$UNITS/$u" || fail "$u restarts on a config error"
done
for f in "$T"/verify/*.service; do
    u=${f##*/}
    out=$(cd "$T/verify" && systemd-analyze verify --man=no "$f" 2>&1) || fail "$u: verify failed: $out"
    [ -z "$out" ] && log "ok: $u verifies" || fail "$u: verify says: $out"
    score=$(systemd-analyze security --offline=true "$f" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    [ -n "$score" ] || fail "$u: no security score"
    if awk -v s="${score:-99}" 'BEGIN { exit !(s <= 3.0) }'; then
        log "ok: $u exposure $score"
    else
        fail "$u: exposure $score is above 3.0"
    fi
done
finish
