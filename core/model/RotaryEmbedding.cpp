#include "model/RotaryEmbedding.h"

#include <cmath>

#include "common/Error.h"

namespace jq {

namespace {
constexpr double kPi = 3.14159265358979323846;  // Python's math.pi rounds to the same double
}  // namespace

// The expressions below mirror transformers' Python operator by operator (Python's `a / t` for a scalar a
// is `t.reciprocal() * a`, `a - t` is rsub), so that every float32 rounding happens in the same place.

at::Tensor defaultInverseFrequencies(int64_t headDim, double theta) {
  const at::Tensor exponent = at::arange(0, headDim, 2, at::TensorOptions().dtype(at::kLong)).to(at::kFloat) / headDim;
  return at::pow(theta, exponent).reciprocal() * 1.0;
}

at::Tensor llama3InverseFrequencies(const at::Tensor& invFreq, const RopeScaling& s) {
  const double oldContext = double(s.originalMaxPositionEmbeddings);
  const double lowFreqWavelen = oldContext / s.lowFreqFactor;
  const double highFreqWavelen = oldContext / s.highFreqFactor;

  const at::Tensor wavelen = invFreq.reciprocal() * (2.0 * kPi);
  at::Tensor scaled = at::where(wavelen > lowFreqWavelen, invFreq / s.factor, invFreq);
  const at::Tensor smooth =
      (wavelen.reciprocal() * oldContext - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
  const at::Tensor smoothed = at::rsub(smooth, 1) * scaled / s.factor + smooth * scaled;
  const at::Tensor medium = (wavelen < highFreqWavelen).logical_not() * (wavelen > lowFreqWavelen).logical_not();
  return at::where(medium, smoothed, scaled);
}

RotaryEmbedding::RotaryEmbedding(const LlamaConfig& config) {
  invFreq_ = defaultInverseFrequencies(config.headDim, config.ropeTheta);
  if (config.ropeScaling.type == "llama3") {
    invFreq_ = llama3InverseFrequencies(invFreq_, config.ropeScaling);
  } else if (config.ropeScaling.type != "default") {
    throw Error(ErrorKind::Unsupported, "rope type '" + config.ropeScaling.type +
                                            "' is not supported (only 'default' and 'llama3')");
  }
}

RopeCache RotaryEmbedding::compute(const at::Tensor& positions, at::ScalarType dtype, at::Device device) const {
  if (!invFreq_.defined()) throw Error(ErrorKind::Internal, "rotary embedding used before it was configured");
  if (positions.dim() != 1 && positions.dim() != 2)
    throw Error(ErrorKind::InvalidInput, "positions must be [T] or [B, T], got " + std::to_string(positions.dim()) +
                                             " dimensions");
  const at::Tensor pos = (positions.dim() == 1 ? positions.unsqueeze(0) : positions).to(device, at::kFloat);
  // [B, T, 1] * [d/2]: one float32 product per entry, as transformers' [d/2, 1] @ [1, T] matmul with K = 1.
  const at::Tensor freqs = pos.unsqueeze(-1) * invFreq_.to(device);
  const at::Tensor emb = at::cat({freqs, freqs}, -1);
  return {emb.cos().to(dtype), emb.sin().to(dtype)};
}

at::Tensor rotateHalf(const at::Tensor& x) {
  const int64_t half = x.size(-1) / 2;
  return at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

at::Tensor applyRotary(const at::Tensor& x, const RopeCache& rope) {
  const at::Tensor cos = rope.cos.unsqueeze(1);
  const at::Tensor sin = rope.sin.unsqueeze(1);
  return x * cos + rotateHalf(x) * sin;
}

}  // namespace jq
