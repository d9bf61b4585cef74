#!/usr/bin/env bash
# The session-6 device check for issue 7: the run-file reader now opens files as a SWMR reader (libhdf5's
# metadata accumulator off). On the GPU machine's own libhdf5 and LibTorch 2.x, build jq_runfile_read_bench only
# (core/io and what it links), read every damaged file of tests/data/fuzz-regressions/ and the fuzz seed with it
# (each must end in a jq::Error, the seed be accepted, nothing crash), and time reading an 8B-shaped run file.
# Usage (repo root, device machine): OUT=... bash bench/gpu_session6.sh
set -uo pipefail
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
START=$(date +%s); log() { echo "[$(( $(date +%s) - START ))s] $*" | tee -a "$OUT/progress.log" >&2; }
grep -h "H5_VERS_INFO" /usr/include/hdf5/serial/H5public.h /usr/include/H5public.h 2>/dev/null | head -1 | tee "$OUT/hdf5_version.txt"
log build
TARGETS=jq_runfile_read_bench bash bench/build_gpu.sh build-gpu -DJQ_BUILD_BENCH=ON > "$OUT/build.log" 2>&1 \
  || { grep -E "error" "$OUT/build.log" | head -40; tail -30 "$OUT/build.log"; exit 1; }
BENCH=build-gpu/bin/jq_runfile_read_bench
ldd $BENCH | grep -i hdf5 | tee "$OUT/hdf5_library.txt"
log read damaged files
$BENCH --read tests/data/fuzz-regressions/*.h5 fuzz/corpus/runfile/*.h5 > "$OUT/read_damaged.json" 2> "$OUT/read_damaged.stderr"
echo "read rc=$?" | tee -a "$OUT/progress.log"
log time 8B-shaped run file
$BENCH --repeats 7 --path /tmp/jq-runfile-bench.h5 > "$OUT/read_bench.json" 2> "$OUT/read_bench.stderr"
echo "bench rc=$?" | tee -a "$OUT/progress.log"
log done
