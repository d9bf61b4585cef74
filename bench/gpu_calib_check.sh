#!/usr/bin/env bash
# Issue 4 on the GPU machine (after bench/gpu_speed_check.sh built build-gpu and made /tmp/ckpt-llama-3.2-1b):
#   1. R1 calibration cross-check against DartQuant's own train_R1 (fetched into .carry/dartquant, never committed)
#      on exactly our captured data and start rotation: demo model and the 1B shape;
#   2. `compare` on the demo model with 3 seeds, and once on the 1B shape (timings, peak memory).
set -uo pipefail
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
JQ=build-gpu/bin/jointquant
DEMO=resources/demo-model; TRAIN=resources/demo-corpus/train.txt; TEST=resources/demo-corpus/test.txt
L1B=/tmp/ckpt-llama-3.2-1b
START=$(date +%s); log() { echo "[$(( $(date +%s) - START ))s] $*" | tee -a "$OUT/progress.log" >&2; }

xcheck() {  # name model nsamples seqlen dtype
  local name=$1 model=$2 n=$3 s=$4 dt=$5
  log "dartquant cross-check $name"
  $JQ quantize --model $model --calib $TRAIN --dataset $TEST --method dartquant --no-r2 --nsamples $n --seqlen $s \
    --batch 4 --device cuda --dtype $dt --max-windows 4 --quiet --dump-r1-data /tmp/r1_$name.safetensors \
    --json "$OUT/xcheck_ours_$name.json" > /dev/null 2> "$OUT/xcheck_$name.err"
  python3 tools/dartquant_r1_crosscheck.py --dump /tmp/r1_$name.safetensors --ours "$OUT/xcheck_ours_$name.json" \
    --dartquant .carry/dartquant --lr 1.5e-3 > "$OUT/xcheck_$name.json" 2>> "$OUT/xcheck_$name.err"
  python3 -c "import json;d=json.load(open('$OUT/xcheck_$name.json'));print('$name', {k:d[k] for k in ('whip_sum_start','whip_sum_ours','whip_sum_dartquant','relative_difference','seconds_ours','seconds_dartquant','speedup_ours_vs_dartquant')})" || tail -5 "$OUT/xcheck_$name.err"
  rm -f /tmp/r1_$name.safetensors
}
xcheck demo $DEMO 32 512 float32
[ -f $L1B/config.json ] && xcheck l1b $L1B 16 2048 bfloat16

for seed in 0 1 2; do
  log "demo compare seed $seed"
  $JQ compare --model $DEMO --calib $TRAIN --dataset $TEST --methods fp,rtn,smoothquant,quarot,dartquant,independent,joint \
    --nsamples 32 --seqlen 512 --batch 8 --seed $seed --device cuda --dtype float32 --quiet \
    --json "$OUT/compare_seed$seed.json" --csv "$OUT/compare_seed$seed.csv" > /dev/null 2> "$OUT/compare_seed$seed.err"
  cat "$OUT/compare_seed$seed.csv" || tail -5 "$OUT/compare_seed$seed.err"
done
if [ -f $L1B/config.json ]; then
  log "1B compare"
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 > "$OUT/mem_l1b.tmp" & S=$!
  $JQ compare --model $L1B --calib $TRAIN --dataset $TEST --methods fp,rtn,quarot,dartquant,independent,joint \
    --nsamples 16 --seqlen 2048 --batch 4 --device cuda --dtype bfloat16 --attention sdpa --quiet \
    --json "$OUT/compare_l1b.json" --csv "$OUT/compare_l1b.csv" > /dev/null 2> "$OUT/compare_l1b.err"
  kill $S; echo "1B compare peak MiB: $(sort -n "$OUT/mem_l1b.tmp" | tail -1)" | tee "$OUT/compare_l1b.peak"
  cat "$OUT/compare_l1b.csv" || tail -5 "$OUT/compare_l1b.err"
fi
log done
