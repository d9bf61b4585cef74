#!/usr/bin/env bash
# The whole test suite (ctest -LE slow) built with AddressSanitizer + UndefinedBehaviorSanitizer (JQ_SANITIZE=ON)
# in its own folder, then run. One command:   tools/run_sanitizers.sh
#
# Environment: BUILD (default build-asan), JOBS (default 2), GUI (ON/OFF, default ON: the gui tests run offscreen),
# CXX_FOR_ASAN (default clang++-14 when installed, else the default compiler: gcc 12 needs over 13 minutes for one
# core module with -fsanitize=address,undefined -O2 -g where clang 14 needs about 3),
# TESTS (space-separated test names: build and run only those, e.g. "tst_safetensors tst_runfile"; default all),
# CTEST_ARGS (extra ctest arguments), TEST_TIMEOUT (seconds per test, default 5400: on the shared 2-core machine,
# side by side, tst_perplexity took 2003 s and tst_quantization_pipeline 2568 s under ASan; the build sets Qt
# Test's own per-function watchdog above this, see tests/CMakeLists.txt). Prints the wall time of build and tests; exits non-zero when the build fails or any test
# (or sanitizer) fails.
#
# LibTorch, Qt, libhdf5 and the OpenMP runtime are not instrumented. ASan still sees their heap, so the options
# below exist for what they do, not to hide our errors:
#  - allocator_may_return_null=1: tst_out_of_memory asks LibTorch's CPU allocator for 1 PiB on purpose; without
#    it ASan aborts on the request instead of returning NULL, and LibTorch never gets to throw its own error.
#  - LSan suppressions (tools/lsan.supp): libhdf5's own leaks on the damaged files tst_fuzz_regressions opens on
#    purpose. Each entry names a libhdf5 function, never a jq:: one; a leak in our code still fails the run.
#  - UBSan stops at the first finding (halt_on_error) so that a report is a failed test, not a line in a log.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-asan}
JOBS=${JOBS:-2}
GUI=${GUI:-ON}
if [ -z "${CXX_FOR_ASAN:-}" ] && command -v clang++-14 >/dev/null; then CXX_FOR_ASAN=clang++-14; fi
COMPILERS=()
[ -z "${CXX_FOR_ASAN:-}" ] || COMPILERS=(-DCMAKE_CXX_COMPILER="$CXX_FOR_ASAN" -DCMAKE_C_COMPILER="${CXX_FOR_ASAN/clang++/clang}")

t0=$(date +%s)
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJQ_SANITIZE=ON -DJQ_BUILD_GUI="$GUI" "${COMPILERS[@]}" \
  -DJQ_BUILD_BENCH=OFF -DJQ_BUILD_TESTS=ON -DJQ_BUILD_SLOW_TESTS=OFF >/dev/null
if [ -n "${TESTS:-}" ]; then
  # shellcheck disable=SC2086
  cmake --build "$BUILD" -j "$JOBS" --target ${TESTS}
  CTEST_ARGS="${CTEST_ARGS:-} -R ^($(echo $TESTS | tr ' ' '|'))\$"
else
  cmake --build "$BUILD" -j "$JOBS"
fi
t1=$(date +%s)

export ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1:detect_leaks=1:strict_init_order=1:detect_stack_use_after_return=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tools/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
set +e
# shellcheck disable=SC2086
(cd "$BUILD" && ctest -LE slow -j "$JOBS" --timeout "${TEST_TIMEOUT:-5400}" --output-on-failure ${CTEST_ARGS:-})
rc=$?
set -e
t2=$(date +%s)
echo "run_sanitizers: build $((t1 - t0)) s, tests $((t2 - t1)) s, total $((t2 - t0)) s; ctest exit $rc"
exit $rc
