#!/usr/bin/env bash
# Issue 9 on a 2-GPU machine, everything in one call (each 2-GPU figure next to its 1-GPU reference, same machine):
#   1. build (bench/build_gpu.sh) and check that the NCCL backend of core/dist was found;
#   2. demo model, FP32: eval on 1 GPU vs `--nproc 2` (perplexity relative difference, acceptance 1e-4);
#   3. demo model: `quantize --method joint` on 1 vs 2 GPUs, R1/R2 from the run files (export-rotations → torch):
#      max |difference| (acceptance: float tolerance); once with FP weights/activations (perplexity must agree too)
#      and once W4A4 (perplexity reported; 4-bit rounding may flip on 1e-7 rotation differences);
#   4. Llama-3-8B shape (random weights, tools/make_random_checkpoint.py): FP bf16 eval on 1 vs 2 GPUs → speed-up,
#      per-GPU peak memory (nvidia-smi sampling) against `jointquant plan` for the same settings.
# Usage (repo root, device machine; carries .carry/pcre2 .carry/llama3 .carry/curl .carry/zlib):
#   OUT=... bash bench/gpu_dist_check.sh        → $OUT/dist.json and logs.   JQ_REBUILD=0 reuses build-gpu.
set -uo pipefail
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 NCCL_NVLS_ENABLE=0
START=$(date +%s)
log() { echo "[$(( $(date +%s) - START ))s] $*" | tee -a "$OUT/progress.log" >&2; }

if [ ! -x build-gpu/bin/jointquant ] || [ "${JQ_REBUILD:-1}" = 1 ]; then
  log build; bash bench/build_gpu.sh build-gpu > "$OUT/build.log" 2>&1 || { tail -50 "$OUT/build.log"; exit 1; }
fi
JQ=build-gpu/bin/jointquant
grep -o "JointQuant: c10d backends.*" "$OUT/build.log" | head -1 | tee "$OUT/backends.txt"
grep -q nccl "$OUT/backends.txt" || log "WARNING: NCCL backend not built; the 2-GPU runs will fail"
NGPU=$(nvidia-smi -L | wc -l); log "GPUs: $NGPU"

DEMO=resources/demo-model; TRAIN=resources/demo-corpus/train.txt; TEST=resources/demo-corpus/test.txt
peak_of() {  # per-GPU peak memory (MiB) while a command runs → $OUT/mem.peak as "i:MiB i:MiB"
  nvidia-smi --query-gpu=index,memory.used --format=csv,noheader,nounits -lms 100 > "$OUT/mem.tmp" & local s=$!
  "$@"; local rc=$?
  kill $s 2>/dev/null; wait $s 2>/dev/null
  python3 -c "
import collections,sys
m=collections.defaultdict(int)
for l in open('$OUT/mem.tmp'):
  try: i,v=[int(x) for x in l.split(',')]; m[i]=max(m[i],v)
  except ValueError: pass
print(' '.join(f'{i}:{v}' for i,v in sorted(m.items())))" > "$OUT/mem.peak"; return $rc
}

log "demo eval 1 vs 2 GPUs"
E="eval --model $DEMO --dataset $TEST --format text --seqlen 512 --batch 4 --device cuda --dtype float32 --quiet"
$JQ $E --json "$OUT/demo_eval_1.json" > /dev/null 2> "$OUT/demo_eval_1.err" || tail -5 "$OUT/demo_eval_1.err"
$JQ $E --nproc 2 --json "$OUT/demo_eval_2.json" > /dev/null 2> "$OUT/demo_eval_2.err" || tail -5 "$OUT/demo_eval_2.err"

for kind in fp w4a4; do
  BITS=""; [ $kind = fp ] && BITS="--w-bits 16 --a-bits 16"
  for n in 1 2; do
    log "demo joint ($kind) on $n GPU(s)"
    rm -f "$OUT/joint_${kind}_$n.h5"
    $JQ quantize --model $DEMO --calib $TRAIN --dataset $TEST --format text --method joint --nsamples 32 --seqlen 512 \
      --batch 8 --max-windows 16 --device cuda --dtype float32 $BITS --nproc $n --quiet --run "$OUT/joint_${kind}_$n.h5" \
      --json "$OUT/joint_${kind}_$n.json" > /dev/null 2> "$OUT/joint_${kind}_$n.err" || tail -5 "$OUT/joint_${kind}_$n.err"
    $JQ export-rotations "$OUT/joint_${kind}_$n.h5" --out "/tmp/rot_${kind}_$n.pt" > /dev/null 2>> "$OUT/joint_${kind}_$n.err"
  done
done

M8=/tmp/ckpt-llama-3-8b
log "checkpoint llama-3-8b"
[ -f $M8/config.json ] || python3 tools/make_random_checkpoint.py tests/data/configs/llama-3-8b/config.json \
    .carry/llama3/tokenizer.json $M8 > "$OUT/ckpt-8b.log" 2>&1 || tail -5 "$OUT/ckpt-8b.log"
TEXT=/tmp/eval_text.txt  # the demo test text four times over: about WikiText-2 test's length in tokens
for i in 1 2 3 4; do cat $TEST; printf '\n\n'; done > $TEXT
E8="eval --model $M8 --dataset $TEXT --format text --seqlen 2048 --batch 2 --device cuda --dtype bfloat16 --attention sdpa --quiet"
for n in 1 2; do
  log "8B eval on $n GPU(s)"
  T0=$(date +%s%N)
  peak_of $JQ $E8 --nproc $n --json "$OUT/8b_eval_$n.json" > /dev/null 2> "$OUT/8b_eval_$n.err" || tail -5 "$OUT/8b_eval_$n.err"
  awk "BEGIN{print ($(date +%s%N) - $T0) / 1e9}" > "$OUT/8b_eval_$n.wall"; cp "$OUT/mem.peak" "$OUT/8b_eval_$n.peak"
  cat "$OUT/8b_eval_$n.peak"
done
GIB=$(nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits | head -1 | awk '{print $1/1024}')
for n in 1 2; do
  $JQ plan --model $M8 --gpus $n --gpu-gib "$GIB" --method fp --seqlen 2048 --batch 2 --attention sdpa \
    --dtype bfloat16 --placement device > "$OUT/8b_plan_$n.json" 2>> "$OUT/8b_plan.err"
done

log summary
python3 - "$OUT" <<'PY'
import json, sys, os
out = sys.argv[1]
def load(p):
    try: return json.load(open(p))
    except Exception as e: return {"error": f"{p}: {e}"}
def rel(a, b):
    try: return abs(a - b) / abs(a)
    except Exception as e: return str(e)
def peaks(p):
    try: return {int(k): int(v) for k, v in (x.split(":") for x in open(p).read().split())}
    except Exception: return {}
res = {"backends": open(f"{out}/backends.txt").read().strip() if os.path.exists(f"{out}/backends.txt") else None}
e1, e2 = load(f"{out}/demo_eval_1.json"), load(f"{out}/demo_eval_2.json")
res["demo_eval"] = {"ppl_1gpu": e1.get("perplexity"), "ppl_2gpu": e2.get("perplexity"),
                    "relative_difference": rel(e1.get("perplexity"), e2.get("perplexity")),
                    "acceptance_1e-4": isinstance(rel(e1.get("perplexity"), e2.get("perplexity")), float)
                    and rel(e1.get("perplexity"), e2.get("perplexity")) < 1e-4}
try:
    import torch
except Exception as e:
    torch = None; res["torch_error"] = str(e)
for kind in ("fp", "w4a4"):
    j1, j2 = load(f"{out}/joint_{kind}_1.json"), load(f"{out}/joint_{kind}_2.json")
    r = {"ppl_1gpu": j1.get("perplexity"), "ppl_2gpu": j2.get("perplexity"),
         "ppl_relative_difference": rel(j1.get("perplexity"), j2.get("perplexity")),
         "final_loss_1gpu": j1.get("final_loss"), "final_loss_2gpu": j2.get("final_loss"),
         "calibration_seconds_1gpu": j1.get("calibration_seconds"), "calibration_seconds_2gpu": j2.get("calibration_seconds")}
    if torch is not None:
        try:
            a, b = torch.load(f"/tmp/rot_{kind}_1.pt"), torch.load(f"/tmp/rot_{kind}_2.pt")
            flat = lambda d: d.items() if isinstance(d, dict) else [("R", d)]
            diffs = {k: float((v.double() - dict(flat(b))[k].double()).abs().max()) for k, v in flat(a)}
            r["max_abs_diff_per_tensor"] = {k: diffs[k] for k in sorted(diffs)[:4]}
            r["max_abs_diff_R1_R2"] = max(diffs.values())
        except Exception as e:
            r["rotation_compare_error"] = str(e)
    res[f"demo_joint_{kind}"] = r
s1, s2 = load(f"{out}/8b_eval_1.json"), load(f"{out}/8b_eval_2.json")
w = {n: float(open(f"{out}/8b_eval_{n}.wall").read()) if os.path.exists(f"{out}/8b_eval_{n}.wall") else None for n in (1, 2)}
r8 = {"eval_1gpu": s1, "eval_2gpu": s2, "wall_seconds": w,
      "ppl_relative_difference": rel(s1.get("perplexity"), s2.get("perplexity")),
      "peak_mib_1gpu": peaks(f"{out}/8b_eval_1.peak"), "peak_mib_2gpu": peaks(f"{out}/8b_eval_2.peak")}
try: r8["speedup_eval_seconds"] = s1["seconds"] / s2["seconds"]
except Exception as e: r8["speedup_eval_seconds"] = str(e)
try: r8["speedup_wall"] = w[1] / w[2]
except Exception as e: r8["speedup_wall"] = str(e)
for n in (1, 2):
    p = load(f"{out}/8b_plan_{n}.json")
    r8[f"plan_{n}gpu"] = {k: p.get(k) for k in ("peak_gpu_gib", "peak_stage", "fits", "weight_gib", "placement")}
    pk = r8[f"peak_mib_{n}gpu"]
    if pk and isinstance(p.get("peak_gpu_bytes"), int):
        meas = max(pk.values()) * 2**20
        r8[f"plan_{n}gpu"]["measured_peak_gib"] = meas / 2**30
        r8[f"plan_{n}gpu"]["plan_over_measured"] = p["peak_gpu_bytes"] / meas
res["llama3_8b"] = r8
json.dump(res, open(f"{out}/dist.json", "w"), indent=1)
print(json.dumps({k: v for k, v in res.items() if k != "llama3_8b"}, indent=1))
print(json.dumps({k: v for k, v in r8.items() if k not in ("eval_1gpu", "eval_2gpu")}, indent=1))
PY
log done
