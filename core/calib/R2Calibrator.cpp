#include "calib/R2Calibrator.h"

#include <algorithm>
#include <cstdio>

#include "calib/RotationInit.h"
#include "calib/SeededRng.h"
#include "common/Error.h"

namespace jq {

namespace {

int64_t kvHeads(const R2Settings& s) { return s.numKvHeads > 0 ? s.numKvHeads : s.numHeads; }

void checkHeads(const R2Settings& s) {
  if (s.numHeads < 1) throw Error(ErrorKind::InvalidInput, "R2 needs numHeads >= 1");
  if (s.numKvHeads < 0 || s.numHeads % kvHeads(s) != 0)
    throw Error(ErrorKind::InvalidInput, "R2 needs numHeads (" + std::to_string(s.numHeads) +
                                             ") to be a multiple of numKvHeads (" + std::to_string(s.numKvHeads) + ")");
}

int64_t headDimOf(const R2Settings& s, int64_t hidden) {
  if (hidden % s.numHeads != 0)
    throw Error(ErrorKind::InvalidInput, "R2 data has " + std::to_string(hidden) + " channels, not a multiple of " +
                                             std::to_string(s.numHeads) + " heads");
  return hidden / s.numHeads;
}

}  // namespace

at::Tensor rotateHeads(const at::Tensor& x, const at::Tensor& r, int64_t numHeads) {
  const int64_t groups = r.size(0), d = r.size(-1);
  const int64_t perGroup = numHeads / groups;
  std::vector<int64_t> outShape(x.sizes().begin(), x.sizes().end());
  const int64_t m = x.numel() / (numHeads * d);
  // [m, groups, perGroup, d] → [groups, m·perGroup, d]: one matrix product per group.
  const at::Tensor xg = x.reshape({m, groups, perGroup, d}).permute({1, 0, 2, 3}).reshape({groups, m * perGroup, d});
  return at::bmm(xg, r).reshape({groups, m, perGroup, d}).permute({1, 0, 2, 3}).reshape(outShape);
}

R2Calibrator::R2Calibrator(R2Settings settings) : settings_(std::move(settings)) {
  validate(settings_.train);
  checkHeads(settings_);
}

R2Result R2Calibrator::run(const std::vector<at::Tensor>& layers, const JobContext& job,
                           const CalibrationShard& shard) const {
  const RotationTrainSettings& s = settings_.train;
  const std::vector<at::Tensor> rows = prepareLayerRows(layers, s.itemRows, 0, "R2 data");
  const int numLayers = int(rows.size());
  const int64_t headDim = headDimOf(settings_, rows[0].size(1));
  const int64_t groups = kvHeads(settings_);
  const int64_t numHeads = settings_.numHeads;
  const RotateFn rotate = [numHeads](const at::Tensor& x, const at::Tensor& r) { return rotateHeads(x, r, numHeads); };
  const at::TensorOptions options = calibrationOptions(s, rows[0]);
  SeededRng rng(s.seed);

  int64_t totalSteps = 0;
  for (const auto& x : rows) {
    const int64_t n = itemsPerEpoch(shard.globalItems(x.size(0) / s.itemRows), s.subsetFraction);
    totalSteps += int64_t(s.epochs) * ((n + s.batchItems - 1) / s.batchItems);
  }

  R2Result res;
  int64_t progress = 0;
  for (int l = 0; l < numLayers; ++l) {
    const at::Tensor start = initialRotation(s.init, headDim, rng, options).unsqueeze(0).repeat({groups, 1, 1});
    char series[32];
    std::snprintf(series, sizeof series, "R2/layer_%02d", l);
    const int64_t items = shard.globalItems(rows[size_t(l)].size(0) / s.itemRows);
    RotationTrainer trainer(s, {rows[size_t(l)]}, rotate, start, shard);
    int64_t step = 0;
    for (int epoch = 0; epoch < s.epochs; ++epoch) {
      trainer.setEpoch(epoch);
      const std::vector<int64_t> order = rng.sample(items, itemsPerEpoch(items, s.subsetFraction));
      for (size_t b = 0; b < order.size(); b += size_t(s.batchItems)) {
        job.checkCancelled("R2 calibration");
        BatchGroup g;
        for (size_t k = b; k < std::min(order.size(), b + size_t(s.batchItems)); ++k) g.items.push_back({0, order[k]});
        const double loss = trainer.trainBatch({g});
        res.curve.push_back({step, epoch, l, loss, trainer.lr()});
        ProgressEvent e;
        e.stage = "calibrate.R2";
        e.current = ++progress;
        e.total = totalSteps;
        e.detail = "layer " + std::to_string(l + 1) + "/" + std::to_string(numLayers) + ", epoch " +
                   std::to_string(epoch + 1) + "/" + std::to_string(s.epochs);
        e.series = series;
        e.step = double(step++);
        e.value = loss;
        job.report(e);
      }
    }
    const at::Tensor r2 = trainer.current();
    const RotationEval atStart = evaluateRotation(rows[size_t(l)], start, rotate, s, options, job, shard);
    const RotationEval atEnd = evaluateRotation(rows[size_t(l)], r2, rotate, s, options, job, shard);
    res.rotations.push_back(r2);
    res.layerLossStart.push_back(atStart.loss);
    res.layerQuantStart.push_back(atStart.quant);
    res.layerLoss.push_back(atEnd.loss);
    res.layerQuant.push_back(atEnd.quant);
  }
  return res;
}

RotationEval evaluateR2(const at::Tensor& r2, const at::Tensor& layerRows, const R2Settings& settings,
                        const JobContext& job) {
  validate(settings.train);
  checkHeads(settings);
  const std::vector<at::Tensor> rows = prepareLayerRows({layerRows}, settings.train.itemRows, 0, "R2 data");
  const int64_t headDim = headDimOf(settings, rows[0].size(1));
  if (!r2.defined() || r2.dim() != 3 || r2.size(0) != kvHeads(settings) || r2.size(1) != headDim || r2.size(2) != headDim)
    throw Error(ErrorKind::InvalidInput, "R2 must be [" + std::to_string(kvHeads(settings)) + ", " +
                                             std::to_string(headDim) + ", " + std::to_string(headDim) + "]");
  const int64_t numHeads = settings.numHeads;
  const RotateFn rotate = [numHeads](const at::Tensor& x, const at::Tensor& r) { return rotateHeads(x, r, numHeads); };
  return evaluateRotation(rows[0], r2, rotate, settings.train, calibrationOptions(settings.train, rows[0]), job);
}

}  // namespace jq
