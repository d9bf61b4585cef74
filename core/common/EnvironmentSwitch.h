// Measurement switches read from the environment (JQ_FUSED_PROJECTIONS=1, JQ_SDPA_GQA=0, JQ_FWHT_WIDE=1, ...):
// each picks one of two code paths so that a benchmark can time both in one build. Callers read them once (into a
// function-local static), so a switch is fixed for the life of the process. Header-only: the CUDA kernels, which
// nvcc compiles apart from the core modules, use it too.
#pragma once

#include <cstdlib>
#include <cstring>

namespace jq {

// True when the environment variable `name` is set to exactly `value`.
inline bool environmentIs(const char* name, const char* value) {
  const char* v = std::getenv(name);
  return v != nullptr && std::strcmp(v, value) == 0;
}

}  // namespace jq
