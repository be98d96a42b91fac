#!/usr/bin/env bash
# Builds everything with AddressSanitizer and UndefinedBehaviorSanitizer (g++) into
# build-asan/ and runs the ctest suite there: the C++ tests and the Python tests, which
# then drive the sanitized sco-sim, except those labelled "long" (statistical tests with
# many runs and plotting tests; their C++ paths are the ones the other tests drive) and
# those labelled "unsanitized" (they run no binary of this tree).
# Any report fails the test that triggered it (UBSan halts on the first error;
# LeakSanitizer runs at every exit).
#
#   ./scripts/sanitize.sh [CTEST ARGS...]     e.g. -R python.test_bad_inputs
#   SCO_SANITIZE_ALL=1 ./scripts/sanitize.sh  also the "long" tests (about 20 more minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

./scripts/install-deps.sh
B=build-asan
# Warnings are test.sh's business: g++ -O2 with sanitizers gives false -Wmaybe-uninitialized
# and -Wstringop-overflow warnings, so -Werror stays off here.
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
# -g1 (line tables, no variables) instead of RelWithDebInfo's -g: the reports' stacks keep
# their file:line, and the build takes less time; a unity build as in test.sh (files
# compiled in batches: the same code, instrumented the same way; docs/robustness.md, "CI time").
# The test executables' own files at -O1 (SCO_TEST_COMPILE_OPTIONS, tests/CMakeLists.txt):
# instrumented alike, and the libraries and sco-sim they drive stay at -O2.
# shellcheck disable=SC2046  # "-G Ninja" is two words (sco_generator, scripts/lib.sh)
cmake $(sco_generator "$B") -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCO_BUILD_TESTS=ON \
      -DSCO_WERROR=OFF -DSCO_TEST_PCH=ON -DCMAKE_UNITY_BUILD=ON -DSCO_TEST_COMPILE_OPTIONS=-O1 \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
      -DCMAKE_CXX_FLAGS="$SAN" -DCMAKE_C_FLAGS="$SAN" \
      -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$B" -j"$(nproc)"

# Inherited by every sco-sim and test binary that ctest starts (also through pytest).
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
cd "$B"
# Sanitized binaries run 2-5x slower: the timeouts of tests/CMakeLists.txt (900 s per
# C++ test, 1200 s per Python file) leave room; --timeout raises any lower one.
# The tests labelled "long" (tests/CMakeLists.txt) are left out unless SCO_SANITIZE_ALL=1;
# those labelled "unsanitized" always (they run no binary of this tree: test.sh runs them).
skip=(-LE '^(long|unsanitized)$')
[ "${SCO_SANITIZE_ALL:-0}" = 1 ] && skip=(-LE '^unsanitized$')
ctest --output-on-failure -j"$(nproc)" --timeout 1800 "${skip[@]}" "$@"
