#!/usr/bin/env bash
# GPU machine, after bench/gpu_engine_check.sh built build-gpu (this script builds nothing).
# Issue 8 (interop): exports of the demo model loaded by the tools other people use.
#  1. FP-rotated export (quarot R1+R2 fused, norms fused, W16): transformers' perplexity = ours = the original's (0.1%).
#  2. W4 weights-only exports (quarot + RTN, dartquant + GPTQ): transformers' perplexity = ours (1%).
#  3. R1/R2 files: torch.load of the .pt / R.bin equals the run file and the safetensors copy exactly.
#  4. Run file datasets all documented in docs/runfile.md (h5py).
#  5. eval-rotations on the exported DartQuant file reproduces `quantize --method dartquant` (same W4A4 model).
# Everything lands in $OUT (JSON); the checkpoints themselves stay in a scratch folder.
set -uo pipefail
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
WORK=${WORK:-/tmp/jq-export-work}; rm -rf "$WORK"; mkdir -p "$WORK"
export PYTHONUNBUFFERED=1
JQ=build-gpu/bin/jointquant
DEMO=resources/demo-model; TRAIN=resources/demo-corpus/train.txt; TEST=resources/demo-corpus/test.txt
COMMON=(--model $DEMO --dataset $TEST --seqlen 512 --batch 8 --device cuda --dtype float32 --quiet)
CALIB=(--calib $TRAIN --nsamples 32 --epochs 2)

run() {  # name, command...: stdout to $OUT/name.json, stderr to $OUT/name.err, prints the status
  local name=$1; shift
  "$@" > "$OUT/$name.json" 2> "$OUT/$name.err"; local rc=$?
  echo "$name rc=$rc"
  return 0
}

run original   $JQ eval --model $DEMO --dataset $TEST --seqlen 512 --batch 8 --device cuda --dtype float32 --quiet
run fp_rotated $JQ export "${COMMON[@]}" --method quarot --w-bits 16 --out "$WORK/fp_rotated" \
                 --rotations-out "$WORK/fp_rotated_R.pt"
run w4_rtn     $JQ export "${COMMON[@]}" --method quarot --w-bits 4 --weights rtn --out "$WORK/w4_rtn" --shard-size 2MB
run w4_gptq    $JQ export "${COMMON[@]}" "${CALIB[@]}" --method dartquant --w-bits 4 --weights gptq \
                 --out "$WORK/w4_gptq_dartquant"
run refused_a4 $JQ export "${COMMON[@]}" --method quarot --a-bits 4 --out "$WORK/refused"  # must fail, no folder

# Run files with rotations, and their R1/R2 in the SpinQuant and DartQuant layouts.
run quant_dartquant $JQ quantize "${COMMON[@]}" "${CALIB[@]}" --method dartquant --run "$WORK/dartquant.h5"
run quant_quarot    $JQ quantize "${COMMON[@]}" --method quarot --run "$WORK/quarot.h5"
run rot_dart_pt     $JQ export-rotations "$WORK/dartquant.h5" --out "$WORK/dartquant_R.pt" --layout dartquant
run rot_dart_st     $JQ export-rotations "$WORK/dartquant.h5" --out "$WORK/dartquant_R.safetensors"
run rot_spin_bin    $JQ export-rotations "$WORK/quarot.h5" --out "$WORK/R.bin" --layout spinquant
run rot_spin_refuse $JQ export-rotations "$WORK/dartquant.h5" --out "$WORK/refused_R.bin" --layout spinquant
run eval_rotations  $JQ eval-rotations "${COMMON[@]}" --rotations "$WORK/dartquant_R.pt"

python3 tools/check_export.py \
  --case "fp_rotated:$WORK/fp_rotated:$OUT/fp_rotated.json:0.001" \
  --case "w4_rtn:$WORK/w4_rtn:$OUT/w4_rtn.json:0.01" \
  --case "w4_gptq_dartquant:$WORK/w4_gptq_dartquant:$OUT/w4_gptq.json:0.01" \
  --original "$OUT/original.json" \
  --rotations "$WORK/dartquant_R.pt=$WORK/dartquant.h5" \
  --rotations "$WORK/dartquant_R.pt=$WORK/dartquant_R.safetensors" \
  --rotations "$WORK/R.bin=$WORK/quarot.h5" \
  --runfile "$WORK/dartquant.h5" --doc docs/runfile.md \
  > "$OUT/check_export.json" 2> "$OUT/check_export.err"
echo "check_export rc=$?"

python3 - "$OUT" "$WORK" <<'EOF' | tee "$OUT/summary.json"
import json, os, sys
out, work = sys.argv[1], sys.argv[2]
def load(n):
    try:
        return json.load(open(os.path.join(out, n + ".json")))
    except Exception as e:
        return {"error": repr(e)}
check = load("check_export")
q, e = load("quant_dartquant"), load("eval_rotations")
summary = {
    "check_export_ok": check.get("ok"),
    "cases": [{k: c.get(k) for k in ("case", "hf_perplexity", "ours_perplexity", "relative_difference",
                                     "relative_difference_to_original", "ok")} for c in check.get("cases", [])],
    "rotations_ok": [r.get("ok") for r in check.get("rotations", [])],
    "runfile_ok": check.get("runfile", {}).get("ok"),
    "refused_a4_no_folder": not os.path.exists(os.path.join(work, "refused")),
    "refused_a4_message": open(os.path.join(out, "refused_a4.err")).read().strip()[-300:],
    "spinquant_refused_message": open(os.path.join(out, "rot_spin_refuse.err")).read().strip()[-300:],
    "eval_rotations_ppl": e.get("perplexity"), "quantize_dartquant_ppl": q.get("perplexity"),
    "eval_rotations_over_quantize": (e["perplexity"] / q["perplexity"]) if "perplexity" in e and "perplexity" in q else None,
}
print(json.dumps(summary, indent=2))
EOF
