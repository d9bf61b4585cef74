#!/usr/bin/env bash
# Configure and build jq::core + the CLI on a GPU server (no Qt): PyTorch's own LibTorch with CUDA, PCRE2 from an
# unpacked libpcre2-dev .deb under .carry/pcre2 (the GPU image has no PCRE2 headers).
# Usage: bash bench/build_gpu.sh [build-dir] [extra cmake args...]    (TARGETS="a b": build only those targets)
set -euo pipefail
BUILD=${1:-build-gpu}; shift || true
TORCH_PREFIX=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
PCRE2=$(pwd)/.carry/pcre2
# libcurl and zlib headers may be missing there too: use unpacked Debian -dev packages (.carry/curl, .carry/zlib) with
# the machine's own libcurl.so.4 and the static libz.a.
EXTRA=()
if [ ! -f /usr/include/curl/curl.h ] && [ ! -f /usr/include/x86_64-linux-gnu/curl/curl.h ] && [ -d .carry/curl ]; then
  CURLSO=$(ldconfig -p | awk '/libcurl\.so\.4 .*x86-64/{print $NF; exit}')
  [ -n "$CURLSO" ] && EXTRA+=(-DCURL_INCLUDE_DIR="$(pwd)/.carry/curl/usr/include/x86_64-linux-gnu" -DCURL_LIBRARY="$CURLSO")
fi
if [ ! -f /usr/include/zlib.h ] && [ -d .carry/zlib ]; then
  EXTRA+=(-DZLIB_INCLUDE_DIR="$(pwd)/.carry/zlib/usr/include" -DZLIB_LIBRARY="$(pwd)/.carry/zlib/usr/lib/x86_64-linux-gnu/libz.a")
fi
# core/dist finds NCCL's headers through the Python that has torch (pip's nvidia-nccl wheel); -DJQ_C10D_NCCL=OFF skips it.
EXTRA+=(-DPython3_EXECUTABLE="$(command -v python3)")
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DJQ_BUILD_GUI=OFF -DJQ_BUILD_TESTS=OFF \
  -DCMAKE_PREFIX_PATH="$TORCH_PREFIX" -DPCRE2_INCLUDE_DIR="$PCRE2/usr/include" \
  -DPCRE2_LIBRARY="$PCRE2/usr/lib/x86_64-linux-gnu/libpcre2-8.a" "${EXTRA[@]}" "$@"
# shellcheck disable=SC2086
cmake --build "$BUILD" -j"$(nproc)" ${TARGETS:+--target $TARGETS}
