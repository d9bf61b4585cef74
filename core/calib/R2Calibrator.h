// Calibration of R2, the per-head rotation of the value/output path, layer by layer from the o_proj
// inputs [N, num_heads·head_dim] (DartQuant's r2_base_qr.py):
//   - each row is cut into heads (head h = channels [h·head_dim, (h+1)·head_dim)); one head_dim × head_dim
//     matrix per KV-head group, shared by the num_heads/num_kv_heads query heads of the group (head h uses
//     group h / (num_heads/num_kv_heads), transformers' repeat_kv order);
//   - every group starts from the same random-sign Hadamard matrix (DartQuant repeats one start);
//   - the loss is taken over the whole rotated row (all heads), exactly as for R1;
//   - each layer is trained independently: every epoch all of the layer's items (subsetFraction 1),
//     shuffled, mini-batches of 64 items, gradient accumulation 2, SGD lr 1e-3, momentum 0.9, 10 epochs.
// Reports ProgressEvent{stage "calibrate.R2", series "R2/layer_NN"} per mini-batch, checks cancellation
// before each (jq::Error(Cancelled), nothing returned).
// Distributed: as R1 (CalibrationShard.h): each rank passes its windows' rows and gets the single-process result.
#pragma once

#include <ATen/ATen.h>

#include <vector>

#include "calib/CalibrationShard.h"
#include "calib/RotationTrainSettings.h"
#include "calib/RotationTrainer.h"
#include "common/Job.h"
#include "stats/QuantError.h"

namespace jq {

struct R2Settings {
  RotationTrainSettings train = defaultTrain();
  int64_t numHeads = 0;    // attention heads (num_attention_heads)
  int64_t numKvHeads = 0;  // KV heads (num_key_value_heads); 0 = numHeads

  static RotationTrainSettings defaultTrain() {
    RotationTrainSettings t;
    t.lr = 1e-3;
    t.subsetFraction = 1.0;
    t.accumulationSteps = 2;
    return t;
  }
};

struct R2Result {
  std::vector<at::Tensor> rotations;  // per layer [numKvHeads, head_dim, head_dim], compute device
  std::vector<double> layerLossStart, layerLoss;
  std::vector<QuantError> layerQuantStart, layerQuant;  // per-token error of the rotated o_proj input
  std::vector<LossPoint> curve;       // step restarts at 0 for every layer; `layer` tells them apart
};

class R2Calibrator {
 public:
  explicit R2Calibrator(R2Settings settings);
  const R2Settings& settings() const { return settings_; }

  // layers[i]: layer i's o_proj inputs [N_i, numHeads·head_dim], N_i a multiple of train.itemRows.
  R2Result run(const std::vector<at::Tensor>& layers, const JobContext& job = {},
               const CalibrationShard& shard = CalibrationShard::whole()) const;

 private:
  R2Settings settings_;
};

// y = x with every head rotated by its group's matrix: x [..., numHeads·head_dim], r [numKvHeads, d, d].
at::Tensor rotateHeads(const at::Tensor& x, const at::Tensor& r, int64_t numHeads);

// Loss and quantization error of given per-group rotations on one layer's o_proj inputs.
RotationEval evaluateR2(const at::Tensor& r2, const at::Tensor& layerRows, const R2Settings& settings,
                        const JobContext& job = {});

}  // namespace jq
