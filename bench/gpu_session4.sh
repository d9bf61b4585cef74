#!/usr/bin/env bash
# The session-4 GPU runs for issue 6 on one single-GPU machine, in stages that each fit one device call (results
# under $OUT; state that must survive between calls lives in /tmp/s4, kept while the machine is held):
#   kernels  random 1B/8B checkpoints (background), build, jq_fwht_bench with the chosen kernels, each forced to 64
#            and to 32 elements per thread (JQ_FWHT_E), and the earlier row-wise kernel (JQ_FWHT_ROWWISE=1)
#   speed    FP evaluation vs transformers and W4A4 vs FP (1B, 8B) via bench/gpu_speed_check.sh; the 8B W4A4
#            evaluation once more with the row-wise kernel, whose perplexity must match (the new 28·512 core runs on
#            the tensor cores); then starts the full-settings 8B end-to-end run in the background (setsid)
#   wait     waits for the end-to-end run (at most $WAIT seconds) and collects its JSON, memory timeline and peak
# Usage (repo root, device machine): OUT=... bash bench/gpu_session4.sh STAGE
set -uo pipefail
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
JQ=build-gpu/bin/jointquant
TRAIN=resources/demo-corpus/train.txt
TEXT=/tmp/eval_text.txt  # the demo test text four times over: about WikiText-2 test's length in tokens
S4=/tmp/s4
START=$(date +%s); log() { echo "[$(( $(date +%s) - START ))s] $*" | tee -a "$OUT/progress.log" >&2; }
mkdir -p $S4
[ -f $TEXT ] || for i in 1 2 3 4; do cat resources/demo-corpus/test.txt; printf '\n\n'; done > $TEXT

ckpt() {  # shape → /tmp/ckpt-<shape>
  local M=/tmp/ckpt-$1
  [ -f $M/config.json ] || python3 tools/make_random_checkpoint.py tests/data/configs/$1/config.json \
    .carry/llama3/tokenizer.json $M > $S4/ckpt-$1.log 2>&1
}

summary() {  # kernels.json of each variant → one line per size and dtype
  python3 - "$OUT" "$@" <<'PY'
import json, sys, os
out, names = sys.argv[1], sys.argv[2:]
runs = {}
for n in names:
    try: runs[n] = {(r["n"], r["dtype"]): r for r in json.load(open(f"{out}/kernels_{n}.json"))["results"]}
    except Exception as e: print(n, "missing:", e)
keys = sorted({k for r in runs.values() for k in r})
print("    n dtype     " + "  ".join(f"{n:>16s}" for n in runs) + "   rel.err (first)")
for k in keys:
    cells = []
    for n, r in runs.items():
        x = r.get(k)
        cells.append(f"{x['kernel_GBps']/x['copy_GBps']:.2f} ({x['kernel_GBps']:.0f})" if x else "-")
    first = next(r[k] for r in runs.values() if k in r)
    print(f"{k[0]:6d} {k[1]:8s}  " + "  ".join(f"{c:>16s}" for c in cells) + f"   {first['max_rel_error_vs_dense']:.2e}")
PY
}

case "${1:-}" in
prepare|kernels)
  nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv,noheader | tee "$OUT/gpu.txt"
  [ -f $S4/ckpt.done ] || setsid bash -c "$(declare -f ckpt); S4=$S4; ckpt llama-3.2-1b; ckpt llama-3-8b; touch $S4/ckpt.done" \
    > /dev/null 2>&1 < /dev/null &
  log build
  bash bench/build_gpu.sh build-gpu ${CMAKE_EXTRA:-} > "$OUT/build.log" 2>&1 || { grep -E "error|Error" "$OUT/build.log" | head -40; tail -30 "$OUT/build.log"; exit 1; }
  grep -o "JointQuant: CUDA kernels enabled.*" "$OUT/build.log" | head -1
  # With CMAKE_EXTRA=-DCMAKE_CUDA_FLAGS=-Xptxas=-v: registers and spills of the exchange kernels.
  grep -A2 "fwhtRowsExchange" "$OUT/build.log" | grep -E "Compiling entry|Used|spill" | head -80 > "$OUT/ptxas.txt" || true
  # Each variant in the same run: the chosen kernels, each forced to 64 or 32 elements per thread, and the
  # earlier row-wise kernel (JQ_FWHT_ROWWISE=1).
  for v in chosen ${VARIANTS:-e64 e32} rowwise; do
    case $v in chosen) E=();; e64) E=(JQ_FWHT_E=64);; e32) E=(JQ_FWHT_E=32);; wide) E=(JQ_FWHT_WIDE=1);; rowwise) E=(JQ_FWHT_ROWWISE=1);; esac
    log "kernels: $v"
    env "${E[@]}" build-gpu/bin/jq_fwht_bench > "$OUT/kernels_$v.json" 2> "$OUT/kernels_$v.err"
    [ $v = chosen ] && tail -12 "$OUT/kernels_$v.err"
  done
  summary chosen ${VARIANTS:-e64 e32} rowwise | tee "$OUT/kernels_summary.txt"
  tar czf "$OUT/kernels.tgz" -C "$OUT" $(cd "$OUT" && ls kernels_*.json kernels_*.err) && rm -f "$OUT"/kernels_*.json "$OUT"/kernels_*.err
  log "kernels done" ;;
speed)
  for i in $(seq 1 60); do [ -f $S4/ckpt.done ] && break; sleep 5; done
  JQ_SMI_GPU=0 JQ_SKIP_FWHT=1 JQ_BENCH_8B=1 JQ_REBUILD=0 OUT=$OUT/speed bash bench/gpu_speed_check.sh > "$OUT/speed.log" 2>&1
  tail -22 "$OUT/speed.log"
  # A second sample of both tools (the ratio moved by ±2 % between sessions), and ours with the opt-in one-GEMM
  # projection groups, same machine, right after.
  [ "${SAMPLES2:-1}" = 1 ] && for shape in llama-3.2-1b llama-3-8b; do
    B=4; [ $shape = llama-3-8b ] && B=2
    python3 bench/hf_eval_speed.py --model /tmp/ckpt-$shape --text $TEXT --seqlen 2048 --batch $B --dtype bfloat16 \
      --attn sdpa > "$OUT/speed/hf-$shape-2.json" 2> /dev/null
    for v in "JQ_NONE=1" "JQ_FUSED_PROJECTIONS=1"; do
      tag=$(echo $v | tr ' =' '__')
      env $v $JQ eval --model /tmp/ckpt-$shape --dataset $TEXT --format text --seqlen 2048 --batch $B --device cuda \
        --dtype bfloat16 --attention sdpa --quiet --json "$OUT/speed/ours-$shape-$tag.json" > /dev/null 2>&1
    done
    python3 -c "
import json; o='$OUT/speed/'; s='$shape'
t=lambda f: json.load(open(o+f))['tokens_per_second']
hf=[t(f'hf-{s}.json'), t(f'hf-{s}-2.json')]; us=[t(f'ours-{s}.json'), t(f'ours-{s}-JQ_NONE_1.json')]
print(s, 'transformers', [round(x) for x in hf], 'ours', [round(x) for x in us], 'ratio of means', round(sum(us)/sum(hf), 4),
      'fused groups', round(t(f'ours-{s}-JQ_FUSED_PROJECTIONS_1.json')))"
  done
  tar czf "$OUT/speed.tgz" -C "$OUT" speed speed.log; rm -rf "$OUT/speed"
  [ "${E2E:-1}" = 1 ] && bash "$0" e2e-start; true ;;
e2e-start)
  rm -f $S4/e2e.done
  setsid bash -c "
    nvidia-smi -i 0 --query-gpu=memory.used --format=csv,noheader,nounits -lms 250 > $S4/mem.log & S=\$!
    T0=\$(date +%s)
    $JQ quantize --model /tmp/ckpt-llama-3-8b --calib $TRAIN \
      --dataset $TEXT --format text --method joint --weights gptq --nsamples 128 --seqlen 2048 --capture-tokens 512 \
      --capture-gpu-gib 0 --batch 2 --device cuda --dtype bfloat16 --attention sdpa \
      --json $S4/e2e.json > /dev/null 2> $S4/e2e.err
    echo \$? > $S4/e2e.rc; echo \$(( \$(date +%s) - T0 )) > $S4/e2e.wall; kill \$S; sort -n $S4/mem.log | tail -1 > $S4/e2e.peak; touch $S4/e2e.done" \
    > /dev/null 2>&1 < /dev/null &
  sleep 15; tail -3 $S4/e2e.err; log "e2e started" ;;
wait)
  for i in $(seq 1 $(( ${WAIT:-540} / 10 ))); do [ -f $S4/e2e.done ] && break; sleep 10; done
  cp $S4/e2e.* "$OUT/" 2>/dev/null; gzip -c $S4/mem.log > "$OUT/e2e_mem.log.gz"
  if [ -f $S4/e2e.done ]; then
    echo "e2e rc=$(cat $S4/e2e.rc) wall=$(cat $S4/e2e.wall)s nvidia-smi peak MiB=$(cat $S4/e2e.peak)"
    python3 -c "import json;d=json.load(open('$S4/e2e.json'));print(json.dumps({k:d.get(k) for k in ('seconds','peak_device_mib','capture','perplexity','final_loss','calibration_seconds')},indent=1))"
  else
    echo "e2e still running"; tail -5 $S4/e2e.err
  fi ;;
*) echo "usage: $0 kernels|speed|e2e-start|wait" >&2; exit 2 ;;
esac
