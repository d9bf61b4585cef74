#!/usr/bin/env bash
# GPU machine: build core + CLI + bench against PyTorch's LibTorch with CUDA, then compare our forward pass and
# perplexity with transformers on CUDA (fp32 and bf16, eager and sdpa) and time FP evaluation against transformers.
# Writes $OUT/engine_check.json and logs. Usage: bash bench/gpu_engine_check.sh
set -uo pipefail
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
BUILD=build-gpu
TORCH_PREFIX=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
PCRE2=$(pwd)/.carry/pcre2
cmake -S . -B $BUILD -G Ninja -DCMAKE_BUILD_TYPE=Release -DJQ_BUILD_GUI=OFF -DJQ_BUILD_TESTS=OFF \
  -DCMAKE_PREFIX_PATH="$TORCH_PREFIX" -DPCRE2_INCLUDE_DIR="$PCRE2/usr/include" \
  -DPCRE2_LIBRARY="$PCRE2/usr/lib/x86_64-linux-gnu/libpcre2-8.a" > "$OUT/build.log" 2>&1
( time cmake --build $BUILD -j16 -- -k 0 ) >> "$OUT/build.log" 2>&1
echo "build rc=$?"; grep -E "error|FAILED" "$OUT/build.log" | head -40
[ -x $BUILD/bin/jq_golden_check ] || exit 1
{
  for dt in float32 bfloat16; do
    for att in eager sdpa; do
      $BUILD/bin/jq_golden_check --device cuda --dtype $dt --attention $att --ref-device cuda
    done
  done
} > "$OUT/golden_cuda.jsonl" 2>&1
cat "$OUT/golden_cuda.jsonl"
$BUILD/bin/jointquant eval --model resources/demo-model --dataset resources/demo-corpus/test.txt --seqlen 2048 \
  --device cuda --dtype float32 --quiet --json "$OUT/eval_cuda_fp32.json" > /dev/null && cat "$OUT/eval_cuda_fp32.json"
