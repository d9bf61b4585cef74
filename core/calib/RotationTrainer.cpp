#include "calib/RotationTrainer.h"

#include "calib/SeededRng.h"

#include <algorithm>
#include <cmath>

#include "calib/RotationLoss.h"
#include "common/Error.h"

namespace jq {

namespace {
}  // namespace

at::TensorOptions calibrationOptions(const RotationTrainSettings& s, const at::Tensor& data) {
  const at::Device device = s.device.empty() ? data.device() : at::Device(s.device);
  const at::ScalarType dtype = data.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
  return at::TensorOptions().device(device).dtype(dtype);
}

std::vector<at::Tensor> prepareLayerRows(const std::vector<at::Tensor>& layers, int64_t itemRows, int64_t channels,
                                         const std::string& what) {
  if (layers.empty()) throw Error(ErrorKind::InvalidInput, what + ": no layers given");
  std::vector<at::Tensor> out;
  out.reserve(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    const at::Tensor& t = layers[i];
    const ErrorContext ctx{{}, {}, int(i)};
    if (!t.defined() || t.dim() < 2 || !at::isFloatingType(t.scalar_type()))
      throw Error(ErrorKind::InvalidInput, what + " must be a floating-point tensor [rows, channels]", ctx);
    const int64_t c = t.size(-1);
    if (channels <= 0) channels = c;
    if (c != channels)
      throw Error(ErrorKind::InvalidInput,
                  what + " has " + std::to_string(c) + " channels where " + std::to_string(channels) + " were expected", ctx);
    const at::Tensor rows = t.detach().reshape({-1, c});
    if (rows.size(0) == 0 || rows.size(0) % itemRows != 0)
      throw Error(ErrorKind::InvalidInput,
                  what + " has " + std::to_string(rows.size(0)) + " rows, not a positive multiple of the item size " +
                      std::to_string(itemRows),
                  ctx);
    out.push_back(rows);
  }
  return out;
}

at::Tensor gatherItems(const std::vector<at::Tensor>& sources, const std::vector<ItemRef>& items, int64_t itemRows,
                       const at::TensorOptions& options) {
  // Each item is copied straight into the batch on the compute device: no staging copy on the host, and from
  // pinned capture memory the copies are plain asynchronous DMA (the captured rows live as long as the run). They
  // cross in their stored dtype and are converted on the device: a copy that also converts would convert on the
  // host first (bfloat16 captures took twice as long to calibrate that way).
  const int64_t channels = sources.front().size(-1);
  const at::ScalarType stored = sources.front().scalar_type();
  at::Tensor batch = at::empty({int64_t(items.size()), itemRows, channels}, options.dtype(stored));
  for (size_t i = 0; i < items.size(); ++i)
    batch[int64_t(i)].copy_(sources[size_t(items[i].source)].narrow(0, items[i].item * itemRows, itemRows),
                            /*non_blocking=*/true);
  return stored == options.dtype().toScalarType() ? batch : batch.to(options.dtype().toScalarType());
}

// Rows per forward/backward chunk: chunkRows, fewer when chunkBytes of float32 rows of this width is the bound.
int64_t chunkRowsFor(const RotationTrainSettings& s, int64_t channels) {
  const int64_t byBytes = s.chunkBytes / std::max<int64_t>(1, channels * int64_t(sizeof(float)));
  return std::max<int64_t>(1, std::min(s.chunkRows, byBytes));
}

int64_t itemsPerEpoch(int64_t items, double subsetFraction) {
  return std::max<int64_t>(1, int64_t(std::floor(double(items) * subsetFraction)));
}

RotationTrainer::RotationTrainer(const RotationTrainSettings& settings, const std::vector<at::Tensor>& sources,
                                 RotateFn rotate, const at::Tensor& start, CalibrationShard shard)
    : s_(settings),
      sources_(sources),
      rotate_(std::move(rotate)),
      shard_(shard),
      options_(start.options()),
      param_(settings.orthogonalization, start),
      lr_(settings.lr) {
  std::vector<at::Tensor> params{param_.parameter()};
  if (s_.optimizer == OptimizerKind::Sgd) {
    optimizer_ = std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(s_.lr).momentum(s_.momentum));
  } else {
    optimizer_ = std::make_unique<torch::optim::Adam>(
        params, torch::optim::AdamOptions(s_.lr).betas(std::make_tuple(s_.adamBeta1, s_.adamBeta2)).eps(s_.adamEps));
  }
  optimizer_->zero_grad();
}

void RotationTrainer::setEpoch(int epoch) {
  lr_ = s_.cosineSchedule && s_.epochs > 0 ? s_.lr * 0.5 * (1.0 + std::cos(kPi * double(epoch) / double(s_.epochs)))
                                           : s_.lr;
  for (auto& group : optimizer_->param_groups()) group.options().set_lr(lr_);
}

double RotationTrainer::trainBatch(const std::vector<BatchGroup>& groups) {
  double totalWeight = 0;
  for (const auto& g : groups)
    if (!g.items.empty()) totalWeight += g.weight;
  if (!(totalWeight > 0)) throw Error(ErrorKind::Internal, "a calibration mini-batch has no weighted items");

  const at::Tensor r = param_.matrix();
  const at::Tensor rd = r.detach().requires_grad_(true);
  const int64_t chunkItems = std::max<int64_t>(1, chunkRowsFor(s_, sources_.front().size(-1)) / s_.itemRows);
  at::Tensor value = at::zeros({}, options_);
  for (const auto& g : groups) {
    const int64_t k = int64_t(g.items.size());  // the whole (global) group: the weights are the same on every rank
    if (k == 0 || g.weight == 0.0) continue;
    const double coef = g.weight / totalWeight / double(k);
    std::vector<ItemRef> held;  // the group's items this rank holds, as indices into its own rows
    held.reserve(g.items.size());
    for (const ItemRef& it : g.items) {
      const int64_t local = shard_.localItem(it.item, sources_[size_t(it.source)].size(0) / s_.itemRows);
      if (local >= 0) held.push_back({it.source, local});
    }
    const int64_t h = int64_t(held.size());
    for (int64_t begin = 0; begin < h; begin += chunkItems) {
      const int64_t end = std::min(h, begin + chunkItems);
      const std::vector<ItemRef> chunk(held.begin() + begin, held.begin() + end);
      const at::Tensor x = gatherItems(sources_, chunk, s_.itemRows, options_);
      const at::Tensor itemLossSum = rotationLoss(s_.loss, rotate_(x, rd)) * double(end - begin);
      (itemLossSum * (coef / double(s_.accumulationSteps))).backward();
      value = value + itemLossSum.detach() * coef;
    }
  }
  at::Tensor grad = rd.grad().defined() ? rd.grad() : at::zeros_like(rd);
  if (shard_.sharded()) {
    // One collective per mini-batch: R's gradient and the batch loss, summed over ranks.
    at::Tensor packed = at::cat({grad.detach().reshape({-1}), value.detach().reshape({1}).to(grad.scalar_type())});
    shard_.allReduceSum(packed);
    grad = packed.narrow(0, 0, grad.numel()).view_as(grad);
    value = packed[grad.numel()];
  }
  r.backward(grad);
  if (++batches_ % s_.accumulationSteps == 0) {
    optimizer_->step();
    optimizer_->zero_grad();
  }
  return value.item<double>();
}

RotationEval evaluateRotation(const at::Tensor& rows, const at::Tensor& r, const RotateFn& rotate,
                              const RotationTrainSettings& s, const at::TensorOptions& options, const JobContext& job,
                              const CalibrationShard& shard) {
  at::NoGradGuard noGrad;
  const std::vector<at::Tensor> sources{rows};
  const int64_t items = rows.size(0) / s.itemRows;
  const int64_t chunkItems = std::max<int64_t>(1, chunkRowsFor(s, rows.size(-1)) / s.itemRows);
  const at::Tensor rr = r.detach().to(options.device(), options.dtype().toScalarType());
  RotationEval ev;
  at::Tensor lossSum = at::zeros({}, options.dtype(at::kDouble));
  for (int64_t begin = 0; begin < items; begin += chunkItems) {
    job.checkCancelled("rotation evaluation");
    const int64_t end = std::min(items, begin + chunkItems);
    std::vector<ItemRef> chunk;
    for (int64_t i = begin; i < end; ++i) chunk.push_back({0, i});
    const at::Tensor y = rotate(gatherItems(sources, chunk, s.itemRows, options), rr);
    lossSum += rotationLoss(s.loss, y).to(at::kDouble) * double(end - begin);
    ev.quant.add(perTokenQuantError(y, s.quantBits, s.quantClipRatio));
  }
  if (shard.sharded()) {
    std::vector<double> sums{lossSum.item<double>(), double(items), ev.quant.sumSquaredError, ev.quant.sumSquares,
                             double(ev.quant.count)};
    shard.dist->allReduceSum(sums);
    ev.quant.sumSquaredError = sums[2];
    ev.quant.sumSquares = sums[3];
    ev.quant.count = int64_t(std::llround(sums[4]));
    ev.loss = sums[0] / sums[1];
    return ev;
  }
  ev.loss = lossSum.item<double>() / double(items);
  return ev;
}

}  // namespace jq
