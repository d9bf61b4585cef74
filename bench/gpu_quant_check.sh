#!/usr/bin/env bash
# GPU machine, after bench/gpu_engine_check.sh built build-gpu:
#  1. issue 3 cross-check: tools/reference_quant.py (minimal W4A4 reference on transformers) vs `jointquant quantize`
#     on the demo model, fp32, seqlen 512: fp, rtn, quarot (RTN weights);
#  2. issue 3/4 benchmark: a random-weight Llama-3.2-1B-shaped checkpoint: quarot+gptq and joint, stage timings and
#     peak device memory (nvidia-smi sampling);
#  3. issue 4: compare on the demo model (all methods) with 3 seeds.
set -uo pipefail
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
JQ=build-gpu/bin/jointquant
DEMO=resources/demo-model; TRAIN=resources/demo-corpus/train.txt; TEST=resources/demo-corpus/test.txt

python3 tools/reference_quant.py --model $DEMO --text $TEST --seqlen 512 > "$OUT/reference_quant.json" 2> "$OUT/reference_quant.err"
cat "$OUT/reference_quant.json"
for m in fp rtn quarot; do
  $JQ quantize --model $DEMO --dataset $TEST --method $m --seqlen 512 --batch 8 --device cuda --dtype float32 --quiet \
    --json "$OUT/ours_$m.json" > /dev/null 2>> "$OUT/ours.err" && python3 -c "import json;d=json.load(open('$OUT/ours_$m.json'));print('$m', d['perplexity'])"
done

peak() {  # run a command while sampling device memory; prints the peak MiB
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 > "$OUT/mem.tmp" & local s=$!
  "$@"; local rc=$?
  kill $s; sort -n "$OUT/mem.tmp" | tail -1 > "$OUT/mem.peak"; echo "peak_mib=$(cat "$OUT/mem.peak") rc=$rc"
}
python3 tools/make_random_checkpoint.py tests/data/configs/llama-3.2-1b/config.json .carry/llama3/tokenizer.json /tmp/l1b > "$OUT/l1b.log" 2>&1
for m in quarot joint; do
  w=gptq
  peak $JQ quantize --model /tmp/l1b --calib $TRAIN --dataset $TEST --method $m --weights $w --nsamples 16 --seqlen 2048 \
    --batch 4 --device cuda --dtype bfloat16 --epochs 2 --quiet --json "$OUT/l1b_$m.json" > /dev/null 2> "$OUT/l1b_$m.err"
  python3 -c "import json;d=json.load(open('$OUT/l1b_$m.json'));print('1B $m', d['seconds'], d['calibration_seconds'])"
done

for seed in 0 1 2; do
  $JQ compare --model $DEMO --calib $TRAIN --dataset $TEST --methods fp,rtn,smoothquant,quarot,dartquant,independent,joint \
    --nsamples 32 --seqlen 512 --batch 8 --seed $seed --device cuda --dtype float32 --quiet \
    --json "$OUT/compare_seed$seed.json" --csv "$OUT/compare_seed$seed.csv" > /dev/null 2> "$OUT/compare_seed$seed.err"
  cat "$OUT/compare_seed$seed.csv"
done
