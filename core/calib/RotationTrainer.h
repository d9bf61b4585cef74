// The training loop shared by R1Calibrator and R2Calibrator: one orthogonal parameter, one optimizer,
// mini-batches made of whole items, and a memory-bounded forward/backward.
//
// Data model: each source (a layer's captured rows, flattened to [N, C]) is a sequence of items of
// `itemRows` consecutive rows — one item is one (calibration window, layer, module) sequence, as in
// DartQuant's r1_train files. A mini-batch is a list of groups of items; the batch loss is
//     Σ_g w_g · loss(items of g) / Σ_g w_g,      loss(items) = mean over the items of the per-item loss,
// i.e. DartQuant's loss when there is one group (for Whip: the mean over all rows of the batch), and the
// weighted mean of per-layer losses in joint mode (normalised by Σw so one lr suits every mode).
//
// Memory: R = R(Z) is built once per batch; the items go through y = rotate(x, R) in chunks of at most
// `chunkRows` rows, each chunk's loss is back-propagated to a detached copy of R, and the summed gradient
// is pushed through R(Z) (the QR or the Cayley solve) once. The result equals one big backward.
//
// Optimizer steps happen after every `accumulationSteps` mini-batches, the loss being divided by that
// number first (DartQuant's accumulation); a partial group left at the end of training is dropped, as in
// DartQuant (whose leftover gradient also carries over epoch boundaries, as it does here).
//
// Sharded data (CalibrationShard): the sources hold this rank's items only; mini-batches name global items. Each rank
// back-propagates the items it holds with the same global weights, and the gradient with respect to R (and the
// batch loss) is summed over ranks before it is pushed through R(Z), so every rank steps identically.
#pragma once

#include <ATen/ATen.h>
#include <torch/optim.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "calib/CalibrationShard.h"
#include "calib/OrthogonalParam.h"
#include "calib/RotationTrainSettings.h"
#include "common/Job.h"
#include "stats/QuantError.h"

namespace jq {

struct ItemRef {
  int source = 0;
  int64_t item = 0;
};

struct BatchGroup {
  std::vector<ItemRef> items;
  double weight = 1.0;
};

// y = rotate(x, R) for a chunk x [k, itemRows, C]; returns [k, itemRows, C].
using RotateFn = std::function<at::Tensor(const at::Tensor& x, const at::Tensor& r)>;

// Where and in which dtype calibration computes: settings.device (or the data's device), float64 for
// float64 data and float32 otherwise (DartQuant casts activations to float32).
at::TensorOptions calibrationOptions(const RotationTrainSettings& s, const at::Tensor& data);

// Checks and flattens per-layer data to [N_i, C]: floating, same C (= `channels` when > 0), N_i > 0 and a
// multiple of itemRows. Errors name the layer and `what` ("R1 data", "R2 data").
std::vector<at::Tensor> prepareLayerRows(const std::vector<at::Tensor>& layers, int64_t itemRows, int64_t channels,
                                         const std::string& what);

// Stacks the referenced items into [k, itemRows, C] on `options`' device and dtype.
at::Tensor gatherItems(const std::vector<at::Tensor>& sources, const std::vector<ItemRef>& items, int64_t itemRows,
                       const at::TensorOptions& options);

class RotationTrainer {
 public:
  RotationTrainer(const RotationTrainSettings& settings, const std::vector<at::Tensor>& sources, RotateFn rotate,
                  const at::Tensor& start, CalibrationShard shard = CalibrationShard::whole());

  void setEpoch(int epoch);  // applies the cosine schedule, if any
  double lr() const { return lr_; }
  double trainBatch(const std::vector<BatchGroup>& groups);  // returns the batch loss
  at::Tensor current() const { return param_.current(); }

 private:
  RotationTrainSettings s_;
  std::vector<at::Tensor> sources_;
  RotateFn rotate_;
  CalibrationShard shard_;
  at::TensorOptions options_;
  OrthogonalParam param_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  double lr_ = 0;
  int64_t batches_ = 0;
};

// Loss (mean over the source's items) and quantization error of y = rotate(x, R) over a whole source,
// without gradients, in chunks of chunkRows. Checks `job` for cancellation between chunks. Sharded: `rows` are this
// rank's items, and loss and error are those of all ranks' items (the same on every rank).
struct RotationEval {
  double loss = 0;
  QuantError quant;
};
RotationEval evaluateRotation(const at::Tensor& rows, const at::Tensor& r, const RotateFn& rotate,
                              const RotationTrainSettings& s, const at::TensorOptions& options, const JobContext& job,
                              const CalibrationShard& shard = CalibrationShard::whole());

// Items drawn each epoch: max(1, floor(items · subsetFraction)).
int64_t itemsPerEpoch(int64_t items, double subsetFraction);

}  // namespace jq
