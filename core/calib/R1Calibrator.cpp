#include "calib/R1Calibrator.h"

#include <algorithm>
#include <cmath>

#include "calib/RotationInit.h"
#include "calib/SeededRng.h"
#include "common/Error.h"

namespace jq {

const char* toString(R1Mode v) {
  switch (v) {
    case R1Mode::DartQuant: return "dartquant";
    case R1Mode::Independent: return "independent";
    case R1Mode::Joint: return "joint";
  }
  return "dartquant";
}

R1Mode parseR1Mode(const std::string& s) {
  for (R1Mode m : {R1Mode::DartQuant, R1Mode::Independent, R1Mode::Joint})
    if (s == toString(m)) return m;
  throw Error(ErrorKind::InvalidInput, "unknown R1 mode '" + s + "' (expected dartquant, independent, joint)");
}

namespace {

at::Tensor rotateR1(const at::Tensor& x, const at::Tensor& r) { return at::matmul(x, r); }

// Splits `order` into consecutive mini-batches of at most `batch` items of one source.
std::vector<std::vector<ItemRef>> batchesOf(const std::vector<ItemRef>& order, int64_t batch) {
  std::vector<std::vector<ItemRef>> out;
  for (size_t b = 0; b < order.size(); b += size_t(batch))
    out.emplace_back(order.begin() + b, order.begin() + std::min(order.size(), b + size_t(batch)));
  return out;
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Joint mode takes as many optimizer steps per epoch as independent mode takes over all its layers, so the two
// differ in what each step minimises (one layer's loss vs the sum over layers), not in how often R1 moves.
int64_t jointStepsPerEpoch(const std::vector<int64_t>& items, const RotationTrainSettings& s) {
  int64_t steps = 0;
  for (int64_t n : items) steps += ceilDiv(itemsPerEpoch(n, s.subsetFraction), s.batchItems);
  return steps;
}

}  // namespace

R1Calibrator::R1Calibrator(R1Settings settings) : settings_(std::move(settings)) { validate(settings_.train); }

R1Result R1Calibrator::run(const std::vector<at::Tensor>& layers, const JobContext& job,
                           const CalibrationShard& shard) const {
  const RotationTrainSettings& s = settings_.train;
  const std::vector<at::Tensor> rows = prepareLayerRows(layers, s.itemRows, 0, "R1 data");
  const int numLayers = int(rows.size());
  const int64_t hidden = rows[0].size(1);

  std::vector<double> weights = settings_.layerWeights;
  if (weights.empty()) weights.assign(size_t(numLayers), 1.0);
  if (int(weights.size()) != numLayers)
    throw Error(ErrorKind::InvalidInput, "R1 layerWeights has " + std::to_string(weights.size()) +
                                             " entries for " + std::to_string(numLayers) + " layers");
  double weightSum = 0;
  for (double w : weights) {
    if (!(w >= 0.0) || !std::isfinite(w)) throw Error(ErrorKind::InvalidInput, "R1 layerWeights must be >= 0");
    weightSum += w;
  }
  if (settings_.mode == R1Mode::Joint && !(weightSum > 0))
    throw Error(ErrorKind::InvalidInput, "R1 layerWeights are all zero");

  const at::TensorOptions options = calibrationOptions(s, rows[0]);
  SeededRng rng(s.seed);
  const at::Tensor start = initialRotation(s.init, hidden, rng, options);
  std::vector<int64_t> items(static_cast<size_t>(numLayers));
  // Global item counts: the draws are the single-process ones on every rank (CalibrationShard.h).
  for (int l = 0; l < numLayers; ++l) items[size_t(l)] = shard.globalItems(rows[size_t(l)].size(0) / s.itemRows);

  int64_t totalSteps = 0;
  if (settings_.mode == R1Mode::DartQuant) {
    int64_t pooled = 0;
    for (int64_t n : items) pooled += n;
    totalSteps = int64_t(s.epochs) * ceilDiv(itemsPerEpoch(pooled, s.subsetFraction), s.batchItems);
  } else if (settings_.mode == R1Mode::Independent) {
    for (int64_t n : items) totalSteps += int64_t(s.epochs) * ceilDiv(itemsPerEpoch(n, s.subsetFraction), s.batchItems);
  } else {
    totalSteps = int64_t(s.epochs) * jointStepsPerEpoch(items, s);
  }

  R1Result res;
  res.mode = settings_.mode;
  res.start = start;
  const std::string series = std::string(toString(settings_.mode)) + "/R1";
  int64_t step = 0;
  auto trainStep = [&](RotationTrainer& trainer, const std::vector<BatchGroup>& groups, int epoch, int layer) {
    job.checkCancelled("R1 calibration");
    const double loss = trainer.trainBatch(groups);
    res.curve.push_back({step, epoch, layer, loss, trainer.lr()});
    ProgressEvent e;
    e.stage = "calibrate.R1";
    e.current = step + 1;
    e.total = totalSteps;
    e.detail = "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(s.epochs) +
               (layer >= 0 ? ", layer " + std::to_string(layer + 1) + "/" + std::to_string(numLayers) : "");
    e.series = series;
    e.step = double(step);
    e.value = loss;
    job.report(e);
    ++step;
  };

  switch (settings_.mode) {
    case R1Mode::DartQuant: {
      std::vector<ItemRef> pool;
      for (int l = 0; l < numLayers; ++l)
        for (int64_t i = 0; i < items[size_t(l)]; ++i) pool.push_back({l, i});
      RotationTrainer trainer(s, rows, rotateR1, start, shard);
      for (int epoch = 0; epoch < s.epochs; ++epoch) {
        trainer.setEpoch(epoch);
        std::vector<ItemRef> order;
        for (int64_t k : rng.sample(int64_t(pool.size()), itemsPerEpoch(int64_t(pool.size()), s.subsetFraction)))
          order.push_back(pool[size_t(k)]);
        for (auto& batch : batchesOf(order, s.batchItems)) trainStep(trainer, {{std::move(batch), 1.0}}, epoch, -1);
      }
      res.r1 = trainer.current();
      break;
    }
    case R1Mode::Independent: {
      at::Tensor current = start;
      for (int l = 0; l < numLayers; ++l) {
        RotationTrainer trainer(s, rows, rotateR1, current, shard);
        for (int epoch = 0; epoch < s.epochs; ++epoch) {
          trainer.setEpoch(epoch);
          std::vector<ItemRef> order;
          for (int64_t k : rng.sample(items[size_t(l)], itemsPerEpoch(items[size_t(l)], s.subsetFraction)))
            order.push_back({l, k});
          for (auto& batch : batchesOf(order, s.batchItems)) trainStep(trainer, {{std::move(batch), 1.0}}, epoch, l);
        }
        current = trainer.current();
        res.perLayerR1.push_back(current);
      }
      res.r1 = current;
      break;
    }
    case R1Mode::Joint: {
      RotationTrainer trainer(s, rows, rotateR1, start, shard);
      for (int epoch = 0; epoch < s.epochs; ++epoch) {
        trainer.setEpoch(epoch);
        std::vector<std::vector<int64_t>> drawn(static_cast<size_t>(numLayers));
        for (int l = 0; l < numLayers; ++l)
          drawn[size_t(l)] = rng.sample(items[size_t(l)], itemsPerEpoch(items[size_t(l)], s.subsetFraction));
        const int64_t steps = jointStepsPerEpoch(items, s);
        for (int64_t st = 0; st < steps; ++st) {
          std::vector<BatchGroup> groups(static_cast<size_t>(numLayers));
          for (int l = 0; l < numLayers; ++l) {
            // Each step takes the next min(batchItems, draw) items of every layer's draw, wrapping around.
            const auto& d = drawn[size_t(l)];
            const int64_t n = int64_t(d.size());
            const int64_t count = std::min<int64_t>(s.batchItems, n);
            const int64_t first = (st * s.batchItems) % n;
            groups[size_t(l)].weight = weights[size_t(l)];
            if (weights[size_t(l)] == 0.0) continue;
            for (int64_t j = 0; j < count; ++j) groups[size_t(l)].items.push_back({l, d[size_t((first + j) % n)]});
          }
          trainStep(trainer, groups, epoch, -1);
        }
      }
      res.r1 = trainer.current();
      break;
    }
  }

  for (int l = 0; l < numLayers; ++l) {
    job.report("calibrate.R1", step, totalSteps, "evaluating layer " + std::to_string(l + 1) + "/" + std::to_string(numLayers));
    const RotationEval atStart = evaluateRotation(rows[size_t(l)], start, rotateR1, s, options, job, shard);
    const RotationEval atEnd = evaluateRotation(rows[size_t(l)], res.r1, rotateR1, s, options, job, shard);
    res.layerLossStart.push_back(atStart.loss);
    res.layerQuantStart.push_back(atStart.quant);
    res.layerLoss.push_back(atEnd.loss);
    res.layerQuant.push_back(atEnd.quant);
    if (settings_.mode == R1Mode::Independent)
      res.layerOwnLoss.push_back(
          evaluateRotation(rows[size_t(l)], res.perLayerR1[size_t(l)], rotateR1, s, options, job, shard).loss);
  }
  return res;
}

std::vector<RotationEval> evaluateR1(const at::Tensor& r1, const std::vector<at::Tensor>& layers,
                                     const RotationTrainSettings& settings, const JobContext& job,
                                     const CalibrationShard& shard) {
  validate(settings);
  const std::vector<at::Tensor> rows = prepareLayerRows(layers, settings.itemRows, 0, "R1 data");
  const int64_t hidden = rows[0].size(1);
  if (!r1.defined() || r1.dim() != 2 || r1.size(0) != hidden || r1.size(1) != hidden)
    throw Error(ErrorKind::InvalidInput, "R1 must be [" + std::to_string(hidden) + ", " + std::to_string(hidden) + "]");
  const at::TensorOptions options = calibrationOptions(settings, rows[0]);
  std::vector<RotationEval> out;
  for (const auto& x : rows) out.push_back(evaluateRotation(x, r1, rotateR1, settings, options, job, shard));
  return out;
}

}  // namespace jq
