#!/usr/bin/env bash
# labels: deb slow
# timeout: 900
# The .deb on a clean Debian 12: a minimal bookworm (debootstrap
# --variant=minbase: the essential packages and apt, no systemd, no
# libraries of ours) in a folder of the build tree; `dpkg -i` the package in
# it (chroot), which stops on its missing dependencies, and `apt-get install
# -f` takes exactly what Depends names from the mirror: so a dependency the
# package forgot fails this test. Then, offline: the user aftersales, the
# site config, the units enabled; `systemd-analyze verify` and `security
# --offline=true --root=` on the installed units. Then the tree boots under
# systemd-nspawn with systemd as PID 1, which starts the enabled units for
# real, with their sandbox (SystemCallFilter, ProtectSystem, PrivateUsers,
# ...): each is active (Type=notify: READY), `asctl status` answers inside,
# an advisor's command goes through and its event reaches the workshop, and
# nothing in the units' journal is a warning or error. `dpkg -r` stops and
# disables them and nothing else, and leaves the stores, config and user;
# `dpkg -P` removes the config and still leaves the stores.
#
# The bootstrapped tree is cached as a tarball (AS_DEB_CACHE, default
# ${XDG_CACHE_HOME:-~/.cache}/aftersales), keyed by ISO week and mirror
# (AS_DEB_MIRROR, default http://deb.debian.org/debian), with the packages
# apt fetched: a warm run takes about a minute, a cold one a minute more.
# A mirror that cannot be reached fails the test, saying so.
. "$(dirname "$0")/lib.sh"
setup deb_clean

# A sanitizer build is no package anyone ships (its programs need /proc at
# every start for LeakSanitizer, which a chroot does not have): the gcc
# build's run is the test.
if grep -q '^AS_SANITIZE:BOOL=ON' "$AS_BUILD/CMakeCache.txt"; then
    log "SKIPPED: a sanitizer build (AS_SANITIZE=ON) makes no package to install"
    exit 0
fi
for tool in cpack dpkg-deb debootstrap systemd-nspawn nsenter jq; do
    command -v "$tool" >/dev/null ||
        { fail "$tool is missing: run deploy/install-deps.sh (debootstrap, systemd-container)"; finish; }
done
[ "$(id -u)" = 0 ] || { fail "needs root (chroot, debootstrap, systemd-nspawn)"; finish; }
MIRROR=${AS_DEB_MIRROR:-http://deb.debian.org/debian}
CACHE=${AS_DEB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aftersales}
KEY=$(date -u +%G-W%V)-$(printf '%s' "$MIRROR" | md5sum | cut -c1-8)
TARBALL=$CACHE/bookworm-min-$KEY.tar
ARCHIVES=$CACHE/apt-archives-$KEY
# under the build tree, as the brief of this test says; gone when it passes
R=$AS_BUILD/deb-clean/root
NSPAWN_LOG=$T/nspawn.log
cleanup_root() {
    if [ -n "${NSPAWN_PID:-}" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
        kill -TERM "$NSPAWN_PID" 2>/dev/null || true # nspawn powers the container off
        for _ in $(seq 50); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$NSPAWN_PID" 2>/dev/null || true
    fi
    [ "$FAILURES" -eq 0 ] && rm -rf "$AS_BUILD/deb-clean"
}
trap 'cleanup_root; teardown' EXIT
rm -rf "$AS_BUILD/deb-clean"
mkdir -p "$R" "$CACHE" "$ARCHIVES"

# --- the package, as test_deb.sh builds it
PREFIX=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$AS_BUILD/CMakeCache.txt")
(cd "$T" && cpack -G DEB --config "$AS_BUILD/CPackConfig.cmake" -B "$T/pkg" >"$T/cpack.log" 2>&1) ||
    { fail "cpack failed: $(tail -5 "$T/cpack.log")"; finish; }
DEB=$(ls "$T"/pkg/aftersales_*.deb)
VERSION=$(dpkg-deb -f "$DEB" Version)
log "built ${DEB##*/}; Depends: $(dpkg-deb -f "$DEB" Depends)"
expect_eq "package version is the build's" "$(cat "$AS_BUILD/generated/deb_version")" "$VERSION"
[[ "${DEB##*/}" == "aftersales_${VERSION}_"*.deb ]] || fail "the file name ${DEB##*/} does not carry $VERSION"

# --- a clean bookworm: from the cache, else debootstrap (and cache it)
started=$SECONDS
if [ -f "$TARBALL" ]; then
    tar -C "$R" -xf "$TARBALL"
    log "bookworm minbase from the cache $TARBALL ($((SECONDS - started)) s)"
else
    if ! debootstrap --variant=minbase bookworm "$R" "$MIRROR" >"$T/debootstrap.log" 2>&1; then
        fail "debootstrap of bookworm from $MIRROR failed (is the mirror reachable? set AS_DEB_MIRROR):" \
            "$(grep -E '^(E|W):' "$T/debootstrap.log" | tail -3)"
        finish
    fi
    rm -rf "$R"/var/cache/apt/archives/*.deb
    tar -C "$R" -cf "$TARBALL.tmp" . && mv "$TARBALL.tmp" "$TARBALL"
    find "$CACHE" -maxdepth 1 -name 'bookworm-min-*.tar' ! -name "${TARBALL##*/}" -delete
    find "$CACHE" -maxdepth 1 -name 'apt-archives-*' ! -name "${ARCHIVES##*/}" -exec rm -rf {} +
    log "debootstrap --variant=minbase bookworm from $MIRROR took $((SECONDS - started)) s; cached"
fi
for p in systemd libzmq5 liblmdb0 libjs-chart.js; do
    chroot "$R" dpkg-query -W "$p" >/dev/null 2>&1 && fail "the clean tree already has $p"
done
cp /etc/resolv.conf "$R/etc/resolv.conf"
cp -n "$ARCHIVES"/*.deb "$R/var/cache/apt/archives/" 2>/dev/null || true
in_chroot() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }

# --- dpkg -i: stops on the dependencies; apt-get install -f takes them from Depends
cp "$DEB" "$R/tmp/aftersales.deb"
if in_chroot dpkg -i /tmp/aftersales.deb >"$T/dpkg-i.log" 2>&1; then
    fail "dpkg -i installed without any dependency in a minimal tree?"
fi
grep -q 'dependency problems' "$T/dpkg-i.log" || fail "dpkg -i: $(tail -3 "$T/dpkg-i.log")"
started=$SECONDS
if ! in_chroot apt-get update -q >"$T/apt-update.log" 2>&1; then
    fail "apt-get update from $MIRROR failed (is the mirror reachable?): $(tail -3 "$T/apt-update.log")"
    finish
fi
in_chroot apt-get install -f -y -q --no-install-recommends >"$T/apt-install.log" 2>&1 ||
    fail "apt-get install -f failed: $(tail -5 "$T/apt-install.log")"
cp -n "$R"/var/cache/apt/archives/*.deb "$ARCHIVES/" 2>/dev/null || true
log "apt-get install -f: $(grep -c '^Setting up' "$T/apt-install.log") packages set up in $((SECONDS - started)) s"
status=$(in_chroot dpkg-query -W -f '${Status} ${Version}' aftersales 2>&1) || true
expect_eq "aftersales installed" "install ok installed $VERSION" "$status"
[ "$FAILURES" -eq 0 ] || finish

# --- offline: the user, the config, the units enabled, every program loads
in_chroot getent passwd aftersales >/dev/null || fail "no user aftersales"
in_chroot getent group aftersales >/dev/null || fail "no group aftersales"
SITE=/etc/aftersales/site.ini
[ "$PREFIX" = /usr ] || SITE=$PREFIX/etc/aftersales/site.ini
expect_eq "site.ini mode and group" "640 aftersales" "$(in_chroot stat -c '%a %G' "$SITE" 2>&1)"
UNITS="asbus@bus.service aftersales-ingest@crm.service asoem.service aftersales-ingest@sales.service"
for s in reception workshop parts kpi warranty tools; do UNITS="$UNITS aftersales@$s.service"; done
for u in $UNITS; do
    expect_eq "$u" enabled "$(systemctl --root="$R" is-enabled "$u" 2>&1)"
done
for p in asbus asctl asday asdemo asoem as-reception as-workshop as-parts as-kpi as-warranty as-tools \
    as-ingest as-web; do
    out=$(in_chroot "$PREFIX/bin/$p" --version 2>&1) || fail "$p does not run in the clean tree: $out"
done
expect_eq "the installed programs' version" "$("$ASCTL" --version | sed 's/^asctl //')" \
    "$(in_chroot "$PREFIX/bin/as-reception" --version 2>&1 | sed 's/^as-reception //')"
[ -f "$R/usr/share/zoneinfo/Asia/Shanghai" ] || fail "no zoneinfo (tzdata) for the site's local time"
expect_eq "as-web's Chart.js (libjs-chart.js)" yes \
    "$([ -f "$R/usr/share/javascript/chart.js/chart.umd.js" ] || [ -d "$R/usr/share/javascript/chart.js" ] && echo yes)"
in_chroot runuser -u aftersales -- "$PREFIX/bin/as-reception" --config "$SITE" --check-config >"$T/check.log" 2>&1 ||
    fail "the installed site.ini does not check: $(cat "$T/check.log")"

# systemd-analyze on the units as installed, from the host with --root
for u in $UNITS; do
    score=$(systemd-analyze security --offline=true --root="$R" "$u" 2>&1 |
        sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }'; then
        log "ok: $u exposure $score (offline, installed)"
    else
        fail "$u: exposure '${score}' (offline, installed)"
    fi
done

# --- boot it: systemd as PID 1 in the tree starts the enabled units
systemd-nspawn -q --register=no --keep-unit --private-network -D "$R" --boot >"$NSPAWN_LOG" 2>&1 &
NSPAWN_PID=$!
LEADER=
leader() {
    LEADER=$(cat /proc/"$NSPAWN_PID"/task/*/children 2>/dev/null | awk '{print $1}')
    [ -n "$LEADER" ] && [ "$(cat /proc/"$LEADER"/comm 2>/dev/null)" = systemd ]
}
WAIT_SECONDS=60 wait_for "systemd-nspawn boots the tree (log: $NSPAWN_LOG)" leader || finish
inside() { nsenter -t "$LEADER" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
booted() {
    state=$(inside systemctl is-system-running 2>/dev/null) || true
    [ "$state" = running ] || [ "$state" = degraded ]
}
WAIT_SECONDS=90 wait_for "the container reaches multi-user" booted || true
log "container: $state"
expect_eq "/var/lib/aftersales" "700 aftersales" "$(inside stat -c '%a %U' /var/lib/aftersales 2>&1)"
expect_eq "/var/backups/aftersales" "700 aftersales" "$(inside stat -c '%a %U' /var/backups/aftersales 2>&1)"
for u in $UNITS; do
    expect_eq "$u under systemd" active "$(inside systemctl is-active "$u" 2>&1)"
done
inside systemctl --failed --no-legend --plain --no-pager >"$T/failed" 2>&1 || true
[ -s "$T/failed" ] && fail "failed units: $(cat "$T/failed")"
for u in $UNITS; do
    out=$(inside systemd-analyze verify --man=no "$u" 2>&1) || fail "$u: verify (installed) failed: $out"
    [ -z "$out" ] || fail "$u: verify (installed) says: $out"
done
for u in aftersales@reception.service asbus@bus.service; do
    score=$(inside systemd-analyze security "$u" 2>&1 |
        sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    awk -v s="${score:-99}" 'BEGIN { exit !(s <= 3.0) }' && log "ok: $u exposure $score (running)" ||
        fail "$u: exposure '$score' (running)"
done

asctl_in() { inside runuser -u aftersales -- "$PREFIX/bin/asctl" --config "$SITE" "$@"; }
status_ok() { asctl_in --json status >"$T/status.json" 2>"$T/status.err"; }
WAIT_SECONDS=30 wait_for "asctl status answers inside" status_ok || log "$(cat "$T/status.err")"
asctl_in status >"$T/status.txt" 2>&1 || true
cat "$T/status.txt" >&2
for s in reception workshop parts kpi warranty tools oem crm sales; do
    grep -qw "$s" "$T/status.txt" || fail "asctl status does not show $s"
done
out=$(asctl_in --actor adv-wang call reception.customer.register customer_id=c-deb-1 name="Li Wei" \
    phone=13800000001 2>&1) || fail "an advisor's command in the installed site: $out"
applied() {
    asctl_in --json status >"$T/status.json" 2>/dev/null &&
        jq -e '[.services[] | select(.service == "workshop") | .offsets[] |
            select(.source == "reception@local") | .applied_seq][0] >= 1' "$T/status.json" >/dev/null
}
WAIT_SECONDS=30 wait_for "the reception's event reaches its consumers" applied ||
    log "status: $(cat "$T/status.json")"
inside journalctl -q --no-pager -p warning -u 'aftersales@*' -u 'asbus@*' -u 'aftersales-ingest@*' \
    -u asoem.service >"$T/journal-warn" 2>&1 || true
if [ -s "$T/journal-warn" ]; then
    fail "warnings in the units' journal: $(head -20 "$T/journal-warn")"
fi

# the gateway for the browser pages (not enabled by the package: it listens
# on 127.0.0.1 in the example; see deploy/README.md) starts from its unit
# and serves the pages and the Chart.js of libjs-chart.js
inside systemctl start aftersales@web.service || fail "aftersales@web does not start"
http_get() { # http_get PATH: the status line of GET PATH from as-web, inside
    inside bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 &&
        printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" "$1" >&3 && head -1 <&3 | tr -d "\r"' _ "$1"
}
expect_eq "as-web GET /app.js" "HTTP/1.1 200 OK" "$(http_get /app.js 2>&1)"
expect_eq "as-web GET /js/chart.js/chart.min.js" "HTTP/1.1 200 OK" "$(http_get /js/chart.js/chart.min.js 2>&1)"
inside systemctl stop aftersales@web.service

# a config error stops the unit (exit 78, RestartPreventExitStatus) instead of
# restarting it every 2 s; mended, it starts again
cp "$R$SITE" "$T/site.ini.good"
printf '\n[tools]\nfolows = workshop\n' >>"$R$SITE"
inside systemctl restart aftersales@tools.service >/dev/null 2>&1 && fail "tools started with a bad config"
stopped() { [ "$(inside systemctl is-active aftersales@tools.service 2>&1)" = failed ]; }
WAIT_SECONDS=20 wait_for "tools fails on a bad config" stopped || true
sleep 3 # RestartSec=2: a restart would have come by now
expect_eq "tools on a bad config: result, exit, restarts" "exit-code 78 0" \
    "$(inside systemctl show -P Result aftersales@tools.service) $(inside systemctl show -P ExecMainStatus \
        aftersales@tools.service) $(inside systemctl show -P NRestarts aftersales@tools.service)"
inside journalctl -q --no-pager -u aftersales@tools.service -g folows >/dev/null 2>&1 ||
    fail "the journal does not name the bad key"
cat "$T/site.ini.good" >"$R$SITE"
inside systemctl restart aftersales@tools.service || fail "tools does not start again, mended"
expect_eq "tools mended" active "$(inside systemctl is-active aftersales@tools.service 2>&1)"

# --- dpkg -r: the aftersales units stop and are disabled; nothing else stops
inside systemctl is-active systemd-journald.service >/dev/null || fail "journald not running before dpkg -r"
inside dpkg -r aftersales >"$T/dpkg-r.log" 2>&1 || fail "dpkg -r: $(tail -3 "$T/dpkg-r.log")"
for u in $UNITS; do
    st=$(inside systemctl is-active "$u" 2>&1) || true
    [ "$st" = active ] && fail "$u still runs after dpkg -r"
    [ -e "$R/etc/systemd/system/multi-user.target.wants/$u" ] || [ -L "$R/etc/systemd/system/multi-user.target.wants/$u" ] &&
        fail "$u is still enabled (a dangling link) after dpkg -r"
done
expect_eq "journald after dpkg -r" active "$(inside systemctl is-active systemd-journald.service 2>&1)"
[ -f "$R/var/lib/aftersales/reception/data.mdb" ] || fail "dpkg -r removed the reception's store"
[ -f "$R$SITE" ] || fail "dpkg -r removed $SITE"
in_chroot getent passwd aftersales >/dev/null || fail "dpkg -r removed the user"
[ -e "$R$PREFIX/bin/as-reception" ] && fail "dpkg -r left the programs"
inside dpkg -P aftersales >"$T/dpkg-p.log" 2>&1 || fail "dpkg -P: $(tail -3 "$T/dpkg-p.log")"
[ -f "$R$SITE" ] && fail "dpkg -P left $SITE"
[ -f "$R/var/lib/aftersales/reception/data.mdb" ] || fail "dpkg -P removed the reception's store"
inside systemctl poweroff >/dev/null 2>&1 || true
for _ in $(seq 100); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.2; done
kill -0 "$NSPAWN_PID" 2>/dev/null && fail "the container did not power off"
finish
