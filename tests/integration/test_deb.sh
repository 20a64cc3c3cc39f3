#!/usr/bin/env bash
# labels: ops
# timeout: 300
# `cpack -G DEB` builds one package: every program, the units, the sysusers.d
# and tmpfiles.d entries and the example config under the install prefix;
# its control file depends on the runtime libraries and systemd; its
# postinst makes the user (systemd-sysusers) and enables a single-host site.
# Its version is the build's (cmake/version.cmake). test_deb_clean.sh installs
# it on a clean Debian 12 and boots it.
. "$(dirname "$0")/lib.sh"
setup deb
for tool in cpack dpkg-deb dpkg-shlibdeps; do
    command -v "$tool" >/dev/null || { log "SKIPPED: $tool is missing"; exit 0; }
done
PREFIX=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$AS_BUILD/CMakeCache.txt")
(cd "$T" && cpack -G DEB --config "$AS_BUILD/CPackConfig.cmake" -B "$T/pkg" >"$T/cpack.log" 2>&1) ||
    fail "cpack failed: $(tail -5 "$T/cpack.log")"
DEB=$(ls "$T"/pkg/aftersales_*.deb)
log "built ${DEB##*/} ($(du -k "$DEB" | cut -f1) KB)"
dpkg-deb --info "$DEB" >"$T/info"
dpkg-deb --contents "$DEB" | awk '{print $NF}' | sed 's|^\./|/|' >"$T/contents"
for f in bin/asbus bin/asctl bin/asday bin/asdemo bin/asoem bin/as-reception bin/as-workshop \
    bin/as-parts bin/as-kpi bin/as-warranty bin/as-tools bin/as-ingest \
    lib/systemd/system/aftersales@.service lib/systemd/system/asbus@.service \
    lib/systemd/system/aftersales-ingest@.service lib/systemd/system/asoem.service \
    lib/sysusers.d/aftersales.conf \
    lib/tmpfiles.d/aftersales.conf; do
    grep -qx "$PREFIX/$f" "$T/contents" || fail "the package has no $PREFIX/$f"
done
grep -q '/aftersales/site.ini.example$' "$T/contents" || fail "the package has no site.ini.example"
grep -q "lib/systemd/system" "$T/contents" && ! grep -q "/test_" "$T/contents" ||
    fail "the package holds test programs"
depends=$(sed -n 's/^ Depends: //p' "$T/info")
log "Depends: $depends"
for lib in libzmq5 liblmdb0 libuv1 libprotobuf-c1 libinih1 libjansson4 libsodium23 libsystemd0 systemd \
    libjs-chart.js tzdata; do
    [[ ",$depends," == *"$lib"* ]] || fail "Depends does not name $lib"
done
dpkg-deb --ctrl-tarfile "$DEB" | tar -x -C "$T" ./postinst ./prerm ./postrm
expect_eq "package version" "$(cat "$AS_BUILD/generated/deb_version")" "$(dpkg-deb -f "$DEB" Version)"
grep -q 'purge' "$T/postrm" || fail "postrm does nothing on purge"
grep -q "systemd-sysusers $PREFIX/lib/sysusers.d/aftersales.conf" "$T/postinst" ||
    fail "postinst does not make the user"
grep -q 'systemctl enable' "$T/postinst" || fail "postinst enables no unit"
expect_eq "postinst mode" 755 "$(stat -c %a "$T/postinst")"
finish
