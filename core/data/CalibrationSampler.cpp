#include "data/CalibrationSampler.h"

#include <random>
#include <string>

#include "common/Error.h"

namespace jq {

at::Tensor sampleCalibrationWindows(const std::vector<int64_t>& tokens, const CalibrationSamplerOptions& options) {
  if (options.samples <= 0 || options.seqlen <= 0)
    throw Error(ErrorKind::InvalidInput, "calibration needs a positive number of samples and sequence length");
  const int64_t n = static_cast<int64_t>(tokens.size());
  if (n < options.seqlen + 1)
    throw Error(ErrorKind::InvalidInput,
                "calibration text has " + std::to_string(n) + " tokens, fewer than one window of " +
                    std::to_string(options.seqlen) + " + 1",
                {options.textFile, {}, {}});
  std::mt19937_64 rng(options.seed);
  const uint64_t range = static_cast<uint64_t>(n - options.seqlen);  // offsets 0 .. n-seqlen-1
  at::Tensor out = at::empty({options.samples, options.seqlen}, at::kLong);
  int64_t* dst = out.data_ptr<int64_t>();
  for (int64_t s = 0; s < options.samples; ++s) {
    // Rejection sampling: an unbiased offset without std::uniform_int_distribution (whose output differs
    // between standard libraries).
    const uint64_t limit = UINT64_MAX - (UINT64_MAX % range);
    uint64_t r;
    do r = rng();
    while (r >= limit);
    const int64_t start = static_cast<int64_t>(r % range);
    std::copy(tokens.begin() + start, tokens.begin() + start + options.seqlen, dst + s * options.seqlen);
  }
  return out;
}

}  // namespace jq
