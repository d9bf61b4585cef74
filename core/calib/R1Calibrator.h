// Calibration of R1, the rotation of the residual stream, from captured activations: for every layer i,
// the rows that enter q_proj and up_proj after norm fusion (concatenated), [N_i, hidden].
//
// Three ways to spend the optimisation (DESIGN.md, "Independent vs joint R1"):
//   dartquant    all layers' items pooled; each epoch a random subsetFraction of them, shuffled, in
//                mini-batches of batchItems (DartQuant's r1_base_qr.py). DartQuant's script means to draw
//                a fresh random 10 % each epoch but hands the drawn indices to RandomSampler, which then
//                samples positions 0…k−1, i.e. always the first 10 % of its sorted file list; here the draw
//                really is random each epoch.
//   independent  greedy, layer by layer: R1_0 is trained on layer 0's items alone from the start rotation,
//                R1_i on layer i's items alone starting from R1_{i−1} (fresh optimizer state, epochs and
//                subset per layer). Every R1_i is kept; the model's R1 is the last one, R1_{L−1}, the only
//                one that has seen (in order) every layer.
//   joint        one R1 on the weighted mean over layers of the per-layer losses, every layer contributing
//                to every step: each epoch draws subsetFraction of every layer's items, a step takes the next
//                batchItems of them from each layer (cycling through the draw), loss = Σ_i w_i·L_i / Σ_i w_i
//                (layerWeights, default all 1). An epoch has as many steps as independent mode's epoch summed
//                over layers, so both modes move R1 equally often; a joint step costs L times the rows.
// Every mode reports each mini-batch's loss as ProgressEvent{stage "calibrate.R1", series "<mode>/R1"},
// checks cancellation before each mini-batch (a cancelled run throws jq::Error(Cancelled) and returns
// nothing), and ends by evaluating the start and final R1 on every layer's full data.
// Distributed: with a CalibrationShard every rank passes the rows of its own calibration windows and gets the R1 of
// the single-process run on all windows (CalibrationShard.h says how); every rank must call run() together.
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "calib/CalibrationShard.h"
#include "calib/RotationTrainSettings.h"
#include "calib/RotationTrainer.h"
#include "common/Job.h"
#include "stats/QuantError.h"

namespace jq {

enum class R1Mode { DartQuant, Independent, Joint };
const char* toString(R1Mode v);              // "dartquant", "independent", "joint"
R1Mode parseR1Mode(const std::string& s);    // throws jq::Error(InvalidInput)

struct R1Settings {
  R1Mode mode = R1Mode::DartQuant;
  RotationTrainSettings train;      // defaults: DartQuant's R1 settings
  std::vector<double> layerWeights; // joint mode; empty = all 1, else one non-negative weight per layer
};

struct R1Result {
  R1Mode mode = R1Mode::DartQuant;
  at::Tensor r1;                        // [hidden, hidden] on the compute device (float32, float64 for f64 data)
  at::Tensor start;                     // the start rotation, same device and dtype
  std::vector<at::Tensor> perLayerR1;   // independent: R1_i after layer i; empty otherwise
  // Evaluated on every layer's full data (loss = mean over the layer's items, see RotationTrainer.h):
  std::vector<double> layerLossStart;   // the start rotation (random-sign Hadamard or random)
  std::vector<double> layerLoss;        // the final r1
  std::vector<double> layerOwnLoss;     // independent: R1_i on layer i; empty otherwise
  std::vector<QuantError> layerQuantStart;  // per-token fake-quantization error of x·R (settings' bits)
  std::vector<QuantError> layerQuant;
  std::vector<LossPoint> curve;         // one point per mini-batch
};

class R1Calibrator {
 public:
  explicit R1Calibrator(R1Settings settings);
  const R1Settings& settings() const { return settings_; }

  // layers[i]: layer i's rows [N_i, hidden] (or any shape whose last dimension is hidden), on any device;
  // N_i a multiple of train.itemRows. Throws jq::Error(InvalidInput) naming the layer for bad data.
  R1Result run(const std::vector<at::Tensor>& layers, const JobContext& job = {},
               const CalibrationShard& shard = CalibrationShard::whole()) const;

 private:
  R1Settings settings_;
};

// Loss and quantization error of a given R1 on each layer's data (e.g. the joint R1 against each layer's
// own optimum). Uses settings' loss, itemRows, chunkRows, device and quantizer.
std::vector<RotationEval> evaluateR1(const at::Tensor& r1, const std::vector<at::Tensor>& layers,
                                     const RotationTrainSettings& settings, const JobContext& job = {},
                                     const CalibrationShard& shard = CalibrationShard::whole());

}  // namespace jq
