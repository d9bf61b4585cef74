#!/usr/bin/env bash
# One device call that runs every GPU check of this round within a time budget, then packs $OUT/all.tgz
# (the device tool returns at most 8 files). Order: cheap interop checks first, then speed, then calibration.
set -u
OUT=${OUT:-/tmp/out}; W=/tmp/o; mkdir -p $W/export
BUDGET=${BUDGET:-540}; T0=$(date +%s)
left() { echo $(( BUDGET - ($(date +%s) - T0) )); }
bash bench/build_gpu.sh build-gpu > $W/build.log 2>&1 || { tail -40 $W/build.log; }
echo "[build $(( $(date +%s) - T0 ))s]"; grep -o "CUDA Walsh-Hadamard kernel enabled" $W/build.log | head -1
OUT=$W/export timeout 120 bash bench/gpu_export_check.sh 2>&1 | tail -25
timeout 60 python3 tools/make_hub_cache.py --out /tmp/jq-hf --jointquant build-gpu/bin/jointquant > $W/hub.log 2>&1; echo "hub rc=$?"; tail -8 $W/hub.log
echo "[interop done $(( $(date +%s) - T0 ))s]"
OUT=$W JQ_REBUILD=0 JQ_BENCH_8B=1 timeout $(( $(left) - 150 )) bash bench/gpu_speed_check.sh 2>&1 | tail -40
echo "[speed done $(( $(date +%s) - T0 ))s]"
OUT=$W timeout $(( $(left) )) bash bench/gpu_calib_check.sh 2>&1 | tail -40
echo "[all done $(( $(date +%s) - T0 ))s]"
cp $W/speed.json $W/fwht.json $OUT/ 2>/dev/null
(cd $W && tar czf $OUT/all.tgz --exclude='*.safetensors' .)
