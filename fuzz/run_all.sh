#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each one, ONE AT A TIME, for SECONDS seconds, then
# prints one line per target: executions, exec/s, coverage, peak RSS and findings (crash/leak/timeout/oom files).
#
#   fuzz/run_all.sh 600                   # the acceptance run: 10 minutes per target
#   fuzz/run_all.sh 30 fuzz_config        # one target, briefly
#
# Environment: BUILD (default build-fuzz), JOBS (default 2: the build machine is shared), CXX_FOR_FUZZ (clang++-14),
# FUZZ_ARGS (extra libFuzzer flags, e.g. "-fork=1 -ignore_timeouts=1" to go on past a hang inside a library, see
# fuzz/known-hangs/; the timeout is still written to the artifacts and counted as a finding).
# New corpus entries go to $BUILD/fuzz/work/<target>/ (the committed seeds in fuzz/corpus/ are only read);
# findings to $BUILD/fuzz/artifacts/, logs to $BUILD/fuzz/logs/. Exit status 1 when any target found something.
set -euo pipefail

SECONDS_PER_TARGET=${1:?usage: fuzz/run_all.sh SECONDS [TARGET...]}
shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-fuzz}
JOBS=${JOBS:-2}
CXX_FOR_FUZZ=${CXX_FOR_FUZZ:-clang++-14}
CC_FOR_FUZZ=${CC_FOR_FUZZ:-${CXX_FOR_FUZZ/clang++/clang}}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(fuzz_safetensors fuzz_config fuzz_tokenizer_json fuzz_tokenizer_encode fuzz_runfile)

cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$CC_FOR_FUZZ" -DCMAKE_CXX_COMPILER="$CXX_FOR_FUZZ" \
  -DJQ_BUILD_FUZZ=ON -DJQ_SANITIZE=ON -DJQ_BUILD_GUI=OFF -DJQ_BUILD_TESTS=OFF -DJQ_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD" --target jq_fuzzers -j "$JOBS"

FUZZ=$BUILD/fuzz
mkdir -p "$FUZZ/artifacts" "$FUZZ/logs" "$ROOT/fuzz/corpus/runfile"
[ -f "$ROOT/fuzz/corpus/runfile/small.h5" ] || "$FUZZ/make_runfile_seed" "$ROOT/fuzz/corpus/runfile/small.h5"
python3 "$ROOT/fuzz/make_seeds.py" >/dev/null

# LibTorch and libhdf5 are not instrumented; their allocations are still tracked by ASan, and neither leaks per
# input, so leak detection stays on. UBSan findings must stop the run to be reported as crashes.
# fast_unwind_on_malloc=0: libhdf5 has no frame pointers, so only the slow unwinder gives the full allocation stacks
# the suppressions below match on.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:fast_unwind_on_malloc=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# Leaks inside libhdf5's own error paths (fuzz/lsan.supp, each entry explained there); our code's leaks still count.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/fuzz/lsan.supp}
export OMP_NUM_THREADS=1

summary=()
status=0
for t in "${TARGETS[@]}"; do
  name=${t#fuzz_}
  work=$FUZZ/work/$name
  mkdir -p "$work"
  log=$FUZZ/logs/$t.log
  echo "== $t: ${SECONDS_PER_TARGET}s (log $log)" >&2
  before=$(ls "$FUZZ/artifacts" | grep -c "^$t-" || true)
  set +e
  # -timeout: one input taking longer than 10 s is a hang; -rss_limit_mb: a parser must not balloon on a small file.
  "$FUZZ/$t" "$work" "$ROOT/fuzz/corpus/$name" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$FUZZ/artifacts/$t-" ${FUZZ_ARGS:-} >"$log" 2>&1
  rc=$?
  set -e
  after=$(ls "$FUZZ/artifacts" | grep -c "^$t-" || true)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
  corpus=$(ls "$work" | wc -l)
  findings=$((after - before))
  [ "$rc" -eq 0 ] && [ "$findings" -eq 0 ] || status=1
  summary+=("$(printf '%-22s rc=%-3s execs=%-10s exec/s=%-7s %-20s corpus=%-6s peak_rss_mb=%-6s findings=%s' \
    "$t" "$rc" "${execs:-?}" "${rate:-?}" "${cov:-cov: ?}" "$corpus" "${rss:-?}" "$findings")")
done

echo
echo "fuzz summary (${SECONDS_PER_TARGET}s per target, artifacts in $FUZZ/artifacts):"
printf '%s\n' "${summary[@]}"
exit $status
