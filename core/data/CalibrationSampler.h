// Calibration windows: random fixed-length slices of a tokenized training text, drawn with a seeded generator
// (GPTQ/QuaRot draw 128 windows of 2048 tokens from the train split). Reproducible for a given seed on every
// platform (std::mt19937_64 and our own integer mapping, no implementation-defined distributions).
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

namespace jq {

struct CalibrationSamplerOptions {
  int64_t samples = 128;
  int64_t seqlen = 2048;
  uint64_t seed = 0;
  std::string textFile;  // where the tokens came from, named in errors (may be empty)
};

// Returns int64 [samples, seqlen]. Each window starts at a uniform offset in [0, N - seqlen - 1], as GPTQ's
// `random.randint(0, N - seqlen - 1)`. Throws jq::Error(InvalidInput) when the text has fewer than seqlen + 1
// tokens (naming both numbers) or an option is not positive.
at::Tensor sampleCalibrationWindows(const std::vector<int64_t>& tokens, const CalibrationSamplerOptions& options);

}  // namespace jq
