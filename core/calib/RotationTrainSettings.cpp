#include "calib/RotationTrainSettings.h"

#include <cmath>

#include "common/Error.h"

namespace jq {

const char* toString(RotationLoss v) { return v == RotationLoss::Whip ? "whip" : "swd_uniform"; }
const char* toString(Orthogonalization v) { return v == Orthogonalization::QrOrth ? "qr_orth" : "cayley"; }
const char* toString(RotationInit v) { return v == RotationInit::Hadamard ? "hadamard" : "random"; }
const char* toString(OptimizerKind v) { return v == OptimizerKind::Sgd ? "sgd" : "adam"; }

namespace {
template <typename E>
E parseEnum(const std::string& s, std::initializer_list<E> values, const char* what) {
  std::string names;
  for (E v : values) {
    if (s == toString(v)) return v;
    names += (names.empty() ? "" : ", ") + std::string(toString(v));
  }
  throw Error(ErrorKind::InvalidInput, std::string("unknown ") + what + " '" + s + "' (expected " + names + ")");
}
[[noreturn]] void bad(const std::string& message) { throw Error(ErrorKind::InvalidInput, message); }
}  // namespace

RotationLoss parseRotationLoss(const std::string& s) {
  return parseEnum(s, {RotationLoss::Whip, RotationLoss::SwdUniform}, "rotation loss");
}
Orthogonalization parseOrthogonalization(const std::string& s) {
  return parseEnum(s, {Orthogonalization::QrOrth, Orthogonalization::Cayley}, "orthogonalization");
}
RotationInit parseRotationInit(const std::string& s) {
  return parseEnum(s, {RotationInit::Hadamard, RotationInit::Random}, "rotation initialisation");
}
OptimizerKind parseOptimizerKind(const std::string& s) {
  return parseEnum(s, {OptimizerKind::Sgd, OptimizerKind::Adam}, "optimizer");
}

void validate(const RotationTrainSettings& s) {
  if (!(s.lr > 0.0) || !std::isfinite(s.lr)) bad("calibration lr must be a positive number");
  if (s.momentum < 0.0 || s.momentum >= 1.0) bad("calibration momentum must be in [0, 1)");
  if (s.adamBeta1 < 0.0 || s.adamBeta1 >= 1.0 || s.adamBeta2 < 0.0 || s.adamBeta2 >= 1.0 || !(s.adamEps > 0.0))
    bad("Adam needs betas in [0, 1) and eps > 0");
  if (s.epochs < 0) bad("calibration epochs must be >= 0");
  if (s.batchItems < 1) bad("calibration batchItems must be >= 1");
  if (!(s.subsetFraction > 0.0) || s.subsetFraction > 1.0) bad("calibration subsetFraction must be in (0, 1]");
  if (s.accumulationSteps < 1) bad("calibration accumulationSteps must be >= 1");
  if (s.itemRows < 1) bad("calibration itemRows must be >= 1");
  if (s.chunkRows < 1) bad("calibration chunkRows must be >= 1");
  if (s.chunkBytes < 1) bad("calibration chunkBytes must be >= 1");
  if (s.quantBits < 2 || s.quantBits > 16) bad("calibration quantBits must be in [2, 16]");
  if (!(s.quantClipRatio > 0.0)) bad("calibration quantClipRatio must be > 0");
}

}  // namespace jq
