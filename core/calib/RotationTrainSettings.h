// The knobs shared by R1 and R2 calibration. Plain fields only: the pipeline serialises them to JSON
// (the enum <-> string helpers below give the spellings). Defaults are DartQuant's published R1 settings
// (calibrater/calibrate_model.sh: SGD, lr 1.5e-3, momentum 0.9, 10 epochs, batch 64 items, 10 % of the
// items each epoch, no gradient accumulation, random-sign Hadamard start, no cosine schedule).
#pragma once

#include <cstdint>
#include <string>

namespace jq {

// What "uniform enough for a 4-bit quantizer" is measured by (calib/RotationLoss.h has the formulas).
enum class RotationLoss { Whip, SwdUniform };

// How the unconstrained parameter Z becomes an orthogonal R (calib/OrthogonalParam.h).
enum class Orthogonalization { QrOrth, Cayley };

// Hadamard: QuaRot's random-sign Hadamard diag(s)·H_nᵀ/√n (DartQuant's `--init_mode hadamard`);
// Random: a Haar-random orthogonal matrix (QR of a Gaussian matrix with the signs of diag(R) fixed).
enum class RotationInit { Hadamard, Random };

enum class OptimizerKind { Sgd, Adam };

struct RotationTrainSettings {
  RotationLoss loss = RotationLoss::Whip;
  Orthogonalization orthogonalization = Orthogonalization::QrOrth;
  RotationInit init = RotationInit::Hadamard;
  OptimizerKind optimizer = OptimizerKind::Sgd;
  double lr = 1.5e-3;
  double momentum = 0.9;         // SGD only
  double adamBeta1 = 0.9;        // Adam only (torch defaults)
  double adamBeta2 = 0.999;
  double adamEps = 1e-8;
  bool cosineSchedule = false;   // lr·(1+cos(π·epoch/epochs))/2, stepped once per epoch (CosineAnnealingLR)
  int epochs = 10;
  int batchItems = 64;           // items per mini-batch
  double subsetFraction = 0.1;   // share of the items drawn (without replacement) each epoch
  int accumulationSteps = 1;     // mini-batches per optimizer step
  int64_t itemRows = 2048;       // rows of one item: one (calibration window, layer, module) sequence
  uint64_t seed = 0;
  int64_t chunkRows = 131072;    // rows pushed through one forward/backward at most (memory bound only)
  int64_t chunkBytes = int64_t(1) << 30;  // and at most this many bytes of float32 rows (Llama-3-8B: 65536 rows):
                                          // a chunk's autograd working set is a few times this on the device
  std::string device;            // where to compute ("cuda", "cuda:1", "cpu"); empty = the data's device
  int quantBits = 4;             // per-token activation quantizer of the reported quantization error
  double quantClipRatio = 1.0;
};

// One point of a loss curve (one mini-batch).
struct LossPoint {
  int64_t step = 0;  // mini-batch index since the start of the run
  int epoch = 0;
  int layer = -1;    // the layer being optimized; -1 when all layers are (dartquant, joint modes)
  double loss = 0;   // the mini-batch loss, not divided by accumulationSteps
  double lr = 0;
};

const char* toString(RotationLoss v);
const char* toString(Orthogonalization v);
const char* toString(RotationInit v);
const char* toString(OptimizerKind v);
// Inverse of toString(); throws jq::Error(InvalidInput) listing the accepted names.
RotationLoss parseRotationLoss(const std::string& s);
Orthogonalization parseOrthogonalization(const std::string& s);
RotationInit parseRotationInit(const std::string& s);
OptimizerKind parseOptimizerKind(const std::string& s);

// Throws jq::Error(InvalidInput) naming the first field out of range.
void validate(const RotationTrainSettings& s);

}  // namespace jq
