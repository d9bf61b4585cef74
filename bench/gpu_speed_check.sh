#!/usr/bin/env bash
# Issue 6 on the GPU machine, everything in one call (each figure next to its reference, same GPU, same run):
#   1. build (bench/build_gpu.sh) with the CUDA Walsh-Hadamard kernel;
#   2. jq_fwht_bench: kernel vs dense product (error) and vs a device copy (bandwidth) at 128..14336;
#   3. random-weight checkpoints of the Llama-3.2-1B (and, with JQ_BENCH_8B=1, Llama-3-8B) shapes;
#   4. FP evaluation: transformers (bench/hf_eval_speed.py) vs `jointquant eval`, bf16, sdpa, same windows;
#   5. W4A4 fake-quant evaluation (quarot, RTN weights) vs our FP evaluation time.
# Usage (repo root, device machine): OUT=... bash bench/gpu_speed_check.sh   → $OUT/speed.json and logs.
set -uo pipefail
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 NCCL_NVLS_ENABLE=0
START=$(date +%s)
log() { echo "[$(( $(date +%s) - START ))s] $*" | tee -a "$OUT/progress.log" >&2; }

if [ ! -x build-gpu/bin/jointquant ] || [ "${JQ_REBUILD:-1}" = 1 ]; then
  log build; bash bench/build_gpu.sh build-gpu > "$OUT/build.log" 2>&1 || { tail -50 "$OUT/build.log"; exit 1; }
fi
JQ=build-gpu/bin/jointquant
grep -o "CUDA Walsh-Hadamard kernel enabled.*" "$OUT/build.log" | head -1
[ "${JQ_SKIP_FWHT:-0}" = 1 ] || log fwht; [ "${JQ_SKIP_FWHT:-0}" = 1 ] || build-gpu/bin/jq_fwht_bench > "$OUT/fwht.json" 2> "$OUT/fwht.err"; cat "$OUT/fwht.err"

TEXT=/tmp/eval_text.txt  # the demo test text four times over: about WikiText-2 test's length in tokens
for i in 1 2 3 4; do cat resources/demo-corpus/test.txt; printf '\n\n'; done > $TEXT

peak_of() {  # peak device memory (MiB) while a command runs, sampled by nvidia-smi
  nvidia-smi -i "${JQ_SMI_GPU:-0}" --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 > "$OUT/mem.tmp" & local s=$!
  "$@"; local rc=$?
  kill $s 2>/dev/null; wait $s 2>/dev/null; echo "$(sort -n "$OUT/mem.tmp" | tail -1)" > "$OUT/mem.peak"; return $rc
}

SHAPES="llama-3.2-1b"; [ "${JQ_BENCH_8B:-0}" = 1 ] && SHAPES="$SHAPES llama-3-8b"
for shape in $SHAPES; do
  M=/tmp/ckpt-$shape
  log "checkpoint $shape"
  [ -f $M/config.json ] || python3 tools/make_random_checkpoint.py tests/data/configs/$shape/config.json \
      .carry/llama3/tokenizer.json $M > "$OUT/ckpt-$shape.log" 2>&1 || { cat "$OUT/ckpt-$shape.log"; continue; }
  B=4; [ $shape = llama-3-8b ] && B=2
  log "hf eval $shape"
  peak_of python3 bench/hf_eval_speed.py --model $M --text $TEXT --seqlen 2048 --batch $B --dtype bfloat16 --attn sdpa \
    > "$OUT/hf-$shape.json" 2> "$OUT/hf-$shape.err"; cp "$OUT/mem.peak" "$OUT/hf-$shape.peak"; tail -1 "$OUT/hf-$shape.json"
  log "our eval $shape"
  peak_of $JQ eval --model $M --dataset $TEXT --format text --seqlen 2048 --batch $B --device cuda --dtype bfloat16 \
    --attention sdpa --quiet --json "$OUT/ours-$shape.json" > /dev/null 2> "$OUT/ours-$shape.err"
  cp "$OUT/mem.peak" "$OUT/ours-$shape.peak"; tail -3 "$OUT/ours-$shape.err"
  log "our w4a4 eval $shape"
  peak_of $JQ quantize --model $M --dataset $TEXT --format text --method quarot --weights rtn --seqlen 2048 --batch $B \
    --device cuda --dtype bfloat16 --attention sdpa --quiet --json "$OUT/w4a4-$shape.json" > /dev/null 2> "$OUT/w4a4-$shape.err"
  cp "$OUT/mem.peak" "$OUT/w4a4-$shape.peak"; tail -3 "$OUT/w4a4-$shape.err"
done
log summary
python3 - "$OUT" $SHAPES <<'PY'
import json, sys, os
out, shapes = sys.argv[1], sys.argv[2:]
def load(p):
    try: return json.load(open(p))
    except Exception as e: return {"error": str(e)}
def peak(p):
    try: return int(open(p).read().strip())
    except Exception: return None
res = {"fwht": load(f"{out}/fwht.json"), "shapes": {}}
for s in shapes:
    hf, ours, q = load(f"{out}/hf-{s}.json"), load(f"{out}/ours-{s}.json"), load(f"{out}/w4a4-{s}.json")
    r = {"transformers": hf, "ours_fp": ours, "ours_w4a4": q,
         "peak_mib": {k: peak(f"{out}/{k}-{s}.peak") for k in ("hf", "ours", "w4a4")}}
    try: r["fp_throughput_ratio_ours_to_transformers"] = ours["tokens_per_second"] / hf["tokens_per_second"]
    except Exception as e: r["fp_throughput_ratio_ours_to_transformers"] = str(e)
    try: r["w4a4_eval_time_ratio_to_fp"] = q["seconds"]["eval"] / ours["seconds"]
    except Exception as e: r["w4a4_eval_time_ratio_to_fp"] = str(e)
    res["shapes"][s] = r
json.dump(res, open(f"{out}/speed.json", "w"), indent=1)
print(json.dumps({s: {k: v for k, v in r.items() if "ratio" in k or k == "peak_mib"} for s, r in res["shapes"].items()}, indent=1))
PY
