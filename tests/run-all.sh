#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test:
#   0. every C file formatted as .clang-format says;
#   1. gcc build: every unit and integration test (ctest);
#   2. clang build with AddressSanitizer + UndefinedBehaviorSanitizer: every
#      test again (skip with AS_NO_SANITIZE=1);
#   3. the libFuzzer targets, each for AS_FUZZ_SECONDS (default 30; 0 skips).
# Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${AS_NO_INSTALL:-0}" != 1 ]; then
    bash deploy/install-deps.sh
fi
jobs=$(nproc)

echo "== clang-format (the house style in .clang-format)"
git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror
# ctest runs tests three at a time on two cores: they mostly wait on daemons
# (the whole gcc pass used ~0.7 of a core at -j4), and the slow ones start
# first (COST in tests/integration/CMakeLists.txt). -j4 passed twice on a
# loaded machine, but with two suites at once some browser scripts acted on
# an element the page was re-rendering (stale element): a race of theirs that
# more load shows more often
parallel=${AS_TEST_PARALLEL:-3}

# test_deb runs cpack on the built tree: without its "build all first" step,
# so a commit made while the tests run (the version comes from git describe)
# cannot relink the programs under the tests still running
no_rebuild=-DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON

echo "== gcc build"
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=gcc "$no_rebuild" >/dev/null
cmake --build build-test -j"$jobs"
(cd build-test && ctest --output-on-failure -j"$parallel")

if [ "${AS_NO_SANITIZE:-0}" != 1 ]; then
    echo "== clang build with ASan + UBSan"
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DAS_SANITIZE=ON \
        -DAS_FUZZ=ON "$no_rebuild" >/dev/null
    cmake --build build-asan -j"$jobs"
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$parallel" \
        -LE fuzz)
fi

seconds=${AS_FUZZ_SECONDS:-30}
if [ "$seconds" -gt 0 ] && [ "${AS_NO_SANITIZE:-0}" != 1 ]; then
    echo "== fuzzing, ${seconds}s per target"
    bash tests/fuzz/run.sh build-asan "$seconds"
fi
echo "== all tests passed"
