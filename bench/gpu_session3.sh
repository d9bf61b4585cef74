#!/usr/bin/env bash
# The session-3 GPU runs on one 2-GPU machine, in stages that each fit one device call (results under $OUT):
#   prepare   random 1B/8B checkpoints (background), build, kernels against their references (jq_fwht_bench)
#   dist      bench/gpu_dist_check.sh: 1 vs 2 GPUs (issue 9)
#   e2e       starts the Llama-3-8B-shape end-to-end run on GPU 1 in the background (setsid): capture + joint R1 +
#             R2 + GPTQ + W4A4 evaluation of a WikiText-2-sized text, with peak GPU memory sampled (issue 6)
#   speed     on GPU 0, while e2e runs: FP eval vs transformers and W4A4 vs FP (1B, 8B), the export/h5py check
#   wait      waits for e2e (at most $WAIT seconds) and collects its JSON
# Usage (repo root, device machine): OUT=... bash bench/gpu_session3.sh STAGE
set -uo pipefail
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 NCCL_NVLS_ENABLE=0
JQ=build-gpu/bin/jointquant
TRAIN=resources/demo-corpus/train.txt
TEXT=/tmp/eval_text.txt  # the demo test text four times over: about WikiText-2 test's length in tokens
E2E=/tmp/e2e            # survives between calls while the machine is held
START=$(date +%s); log() { echo "[$(( $(date +%s) - START ))s] $*" | tee -a "$OUT/progress.log" >&2; }
mkdir -p $E2E
[ -f $TEXT ] || for i in 1 2 3 4; do cat resources/demo-corpus/test.txt; printf '\n\n'; done > $TEXT

ckpt() {  # shape → /tmp/ckpt-<shape>
  local M=/tmp/ckpt-$1
  [ -f $M/config.json ] || python3 tools/make_random_checkpoint.py tests/data/configs/$1/config.json \
    .carry/llama3/tokenizer.json $M > $E2E/ckpt-$1.log 2>&1
}

case "${1:-}" in
prepare)
  setsid bash -c "$(declare -f ckpt); E2E=$E2E; ckpt llama-3.2-1b; ckpt llama-3-8b; touch $E2E/ckpt.done" \
    > /dev/null 2>&1 < /dev/null &
  log build
  bash bench/build_gpu.sh build-gpu > "$OUT/build.log" 2>&1 || { tail -60 "$OUT/build.log"; exit 1; }
  grep -o "CUDA kernels enabled.*" "$OUT/build.log" | head -1
  grep -o "JointQuant:.*c10d.*" "$OUT/build.log" | head -3
  log "kernels (new exchange FWHT + fused act quant)"
  CUDA_VISIBLE_DEVICES=0 build-gpu/bin/jq_fwht_bench > "$OUT/kernels.json" 2> "$OUT/kernels.err"; cat "$OUT/kernels.err"
  log "kernels with the earlier row-wise FWHT (same run, for the ratio)"
  CUDA_VISIBLE_DEVICES=0 JQ_FWHT_ROWWISE=1 build-gpu/bin/jq_fwht_bench > "$OUT/kernels_rowwise.json" \
    2> "$OUT/kernels_rowwise.err"; grep -v "act quant" "$OUT/kernels_rowwise.err"
  log "prepare done"; ls $E2E ;;
dist)
  for i in $(seq 1 60); do [ -f $E2E/ckpt.done ] && break; sleep 5; done
  JQ_REBUILD=0 OUT=$OUT bash bench/gpu_dist_check.sh; log "dist done" ;;
e2e)
  for i in $(seq 1 60); do [ -f $E2E/ckpt.done ] && break; sleep 5; done
  rm -f $E2E/e2e.done
  setsid bash -c "
    nvidia-smi -i 1 --query-gpu=memory.used --format=csv,noheader,nounits -lms 250 > $E2E/mem.log & S=\$!
    T0=\$(date +%s)
    CUDA_VISIBLE_DEVICES=1 $JQ quantize --model /tmp/ckpt-llama-3-8b --calib $TRAIN \
      --dataset $TEXT --format text --method joint --weights gptq --nsamples 128 --seqlen 2048 --capture-tokens 512 \
      --capture-gpu-gib 0 --batch 2 --device cuda --dtype bfloat16 --attention sdpa \
      --json $E2E/e2e.json > /dev/null 2> $E2E/e2e.err
    echo \$? > $E2E/e2e.rc; echo \$(( \$(date +%s) - T0 )) > $E2E/e2e.wall; kill \$S; sort -n $E2E/mem.log | tail -1 > $E2E/e2e.peak; touch $E2E/e2e.done" \
    > /dev/null 2>&1 < /dev/null &
  sleep 20; tail -3 $E2E/e2e.err; log "e2e started" ;;
speed)
  log "speed (GPU 0)"
  CUDA_VISIBLE_DEVICES=0 JQ_SMI_GPU=0 JQ_SKIP_FWHT=1 JQ_BENCH_8B=1 JQ_REBUILD=0 OUT=$OUT/speed bash bench/gpu_speed_check.sh > "$OUT/speed.log" 2>&1
  tail -30 "$OUT/speed.log"
  log "export + h5py (GPU 0)"
  CUDA_VISIBLE_DEVICES=0 OUT=$OUT/export bash bench/gpu_export_check.sh > "$OUT/export.log" 2>&1; tail -15 "$OUT/export.log"
  tail -2 $E2E/e2e.err; log "speed done" ;;
wait)
  for i in $(seq 1 $(( ${WAIT:-540} / 10 ))); do [ -f $E2E/e2e.done ] && break; sleep 10; done
  cp $E2E/e2e.* $E2E/mem.log "$OUT/" 2>/dev/null
  if [ -f $E2E/e2e.done ]; then
    echo "e2e rc=$(cat $E2E/e2e.rc) peak MiB=$(cat $E2E/e2e.peak)"
    python3 -c "import json;d=json.load(open('$E2E/e2e.json'));print(json.dumps({k:d.get(k) for k in ('seconds','capture','perplexity','final_loss','calibration_seconds')},indent=1))"
    echo "wall seconds: $(cat $E2E/e2e.wall)"
  else
    echo "e2e still running"; tail -5 $E2E/e2e.err
  fi ;;
lite)
  # The memory fixes after the e2e run (capture borrows the method's model, cached blocks released between stages,
  # 1 GiB calibration chunks): the whole 8B pipeline with GPTQ, 2 R1/R2 epochs and 256 tokens per window (to fit one call), one GPU.
  ( ckpt llama-3-8b ) & C=$!
  log build; bash bench/build_gpu.sh build-gpu > "$OUT/build.log" 2>&1 || { tail -60 "$OUT/build.log"; exit 1; }
  wait $C; log "checkpoint ready"
  nvidia-smi -i 0 --query-gpu=memory.used --format=csv,noheader,nounits -lms 250 > "$OUT/lite_mem.log" & S=$!
  T0=$(date +%s)
  CUDA_VISIBLE_DEVICES=0 $JQ quantize --model /tmp/ckpt-llama-3-8b --calib $TRAIN --dataset $TEXT --format text \
    --method joint --weights gptq --epochs 2 --nsamples 128 --seqlen 2048 --capture-tokens 256 --capture-host-gib 60 --capture-gpu-gib 0 \
    --batch 2 --device cuda --dtype bfloat16 --attention sdpa --json "$OUT/lite.json" > /dev/null 2> "$OUT/lite.err"
  echo "rc=$? wall=$(( $(date +%s) - T0 ))s peak MiB=$(sort -n "$OUT/lite_mem.log" | tail -1)"; kill $S
  python3 -c "import json;d=json.load(open('$OUT/lite.json'));print(json.dumps({k:d.get(k) for k in ('seconds','capture','perplexity')}))"
  log "lite done" ;;
*) echo "usage: $0 prepare|dist|e2e|speed|wait|lite" >&2; exit 2 ;;
esac
