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
finish
