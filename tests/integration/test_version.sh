#!/usr/bin/env bash
# Every program answers --version with "<program> <version>" and exits 0,
# the version being `git describe` of the build (or the project version).
# labels: ops
# timeout: 60
source "$(dirname "$0")/lib.sh"
setup version

programs=(services/bus/asbus tools/asctl/asctl tools/asday/asday tools/asdemo/asdemo
          tools/asoem/asoem tools/bench/asbench tools/bench/ceilbench tools/bench/jsbench)
for s in reception workshop parts kpi warranty tools ingest; do programs+=("services/$s/as-$s"); done
first=
for p in "${programs[@]}"; do
    name=${p##*/}
    rc=0
    out=$("$AS_BUILD/$p" --version 2>&1) || rc=$?
    expect_eq "$name --version exit code" 0 "$rc"
    [[ "$out" =~ ^$name\ [0-9a-f.]+(-[0-9a-z.-]+)?$ ]] || fail "$name --version printed '$out'"
    version=${out#"$name "}
    first=${first:-$version}
    expect_eq "$name version" "$first" "$version"
done
# the subcommand and global options do not hide it
expect_eq "asdemo source --version" "asdemo $first" "$("$ASDEMO" source --version)"
expect_eq "asctl --config X status --version" "asctl $first" "$("$ASCTL" --config /nonexistent status --version)"

# the .deb's version (cmake/version.cmake's OUT_DEB) on a repository of its own
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
deb_version() { # deb_version SRC: the Debian version cmake/version.cmake makes of SRC
    cmake -DSRC="$1" -DOUT="$T/v.h" -DOUT_DEB="$T/deb_version" -DFALLBACK=0.13.0 \
        -P "$SRCDIR/cmake/version.cmake" >/dev/null && cat "$T/deb_version"
}
R=$T/repo
git init -q "$R"
g() { git -C "$R" -c user.name=t -c user.email=t@t "$@"; }
echo a >"$R/a" && g add a && g commit -qm one
h=$(g rev-parse --short HEAD)
expect_eq "no tag yet" "0.13.0~dev1+g$h" "$(deb_version "$R")"
echo b >>"$R/a"
expect_eq "uncommitted changes" "0.13.0~dev1+g$h.dirty" "$(deb_version "$R")"
g commit -qam two && g tag v0.13.0
expect_eq "on the tag" "0.13.0" "$(deb_version "$R")"
echo c >>"$R/a" && g commit -qam three && g commit -q --allow-empty -m four
h=$(g rev-parse --short HEAD)
expect_eq "after the tag" "0.13.0+2.g$h" "$(deb_version "$R")"
mkdir "$T/tarball"
expect_eq "no git" "0.13.0~nogit" "$(deb_version "$T/tarball")"
expect_eq "no git: --version" '#define AS_VERSION_STRING "0.13.0-nogit"' "$(grep define "$T/v.h")"
dpkg --compare-versions "0.13.0~dev1+g$h" lt "0.13.0~dev2+gabc" &&
    dpkg --compare-versions "0.13.0~dev9+gabc" lt 0.13.0 &&
    dpkg --compare-versions 0.13.0 lt "0.13.0+2.g$h" &&
    dpkg --compare-versions "0.13.0~nogit" lt 0.13.0 || fail "the versions do not sort as upgrades"
finish
