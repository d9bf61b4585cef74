#include "pipeline/ModelQuantizer.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/Error.h"
#include "common/Log.h"
#include "common/Stopwatch.h"
#include "model/LlamaModel.h"
#include "quant/ActQuantizer.h"
#include "quant/Gptq.h"
#include "quant/WeightQuantizer.h"

namespace jq {

WeightQuantSummary quantizeWeightsRtn(LlamaModel& model, const WeightQuantConfig& config, const JobContext& job) {
  validate(config);
  const Stopwatch watch;
  at::NoGradGuard noGrad;
  for (int i = 0; i < model.numLayers(); ++i) {
    job.checkCancelled("RTN weight quantization");
    for (LinearKind kind : kLayerLinearKinds) {
      Linear& lin = model.layer(i).linear(kind);
      at::Tensor w = lin.weight.to(model.device());
      lin.weight = quantizeWeightRtn(w, config).weight.to(lin.weight.device());
    }
    job.report("rtn", i + 1, model.numLayers(), "layer " + std::to_string(i + 1) + "/" + std::to_string(model.numLayers()));
  }
  return {watch.seconds(), 0.0};
}

WeightQuantSummary quantizeWeightsGptq(LlamaModel& model, const at::Tensor& calib, const WeightQuantConfig& config,
                                       const GptqConfig& gptq, int64_t batchSize, const JobContext& job) {
  validate(config);
  validate(gptq);
  if (calib.dim() != 2 || calib.scalar_type() != at::kLong)
    throw Error(ErrorKind::InvalidInput, "GPTQ calibration windows must be int64 [samples, seqlen]");
  const Stopwatch watch;
  at::NoGradGuard noGrad;
  WeightQuantSummary summary;
  const int64_t n = calib.size(0), seqlen = calib.size(1);
  batchSize = std::max<int64_t>(1, batchSize);

  std::vector<at::Tensor> hidden;  // the current layer's inputs, one tensor per batch of windows
  for (int64_t b = 0; b < n; b += batchSize)
    hidden.push_back(model.embed(calib.slice(0, b, std::min(n, b + batchSize)).to(model.device())));
  const RopeCache rope = model.rope(seqlen);

  // QuaRot's true-sequential groups; the first kind of each group names the shared input.
  const std::vector<std::vector<LinearKind>> groups = {
      {LinearKind::QProj, LinearKind::KProj, LinearKind::VProj},
      {LinearKind::OProj},
      {LinearKind::GateProj, LinearKind::UpProj},
      {LinearKind::DownProj}};
  const int64_t steps = int64_t(model.numLayers()) * int64_t(groups.size());
  int64_t step = 0;
  for (int i = 0; i < model.numLayers(); ++i) {
    DecoderLayer onDevice = model.layerOnDevice(i);
    for (const auto& group : groups) {
      job.checkCancelled("GPTQ");
      const LinearKind inputKind = group.front();
      GptqHessian hessian(onDevice.linear(inputKind).inFeatures());
      const int hook = model.addHook(HookPoint::LinearInput, [&](int layer, LinearKind kind, const at::Tensor& x) {
        if (layer == i && kind == inputKind) hessian.addBatch(x);
      });
      try {
        for (const at::Tensor& h : hidden) model.layerForward(i, onDevice, h, rope);
      } catch (...) {
        model.removeHook(hook);
        throw;
      }
      model.removeHook(hook);
      const at::Tensor H = hessian.hessian();
      for (LinearKind kind : group) {
        Linear& lin = onDevice.linear(kind);
        ErrorContext where{"", checkpointName(i, kind), i};
        GptqResult r = gptqQuantize(lin.weight, H, config, gptq, JobContext{{}, job.cancel}, where);
        summary.gptqLoss += r.loss;
        lin.weight = r.weight;
      }
      ++step;
      job.report("gptq", step, steps, "layer " + std::to_string(i + 1) + "/" + std::to_string(model.numLayers()));
    }
    for (at::Tensor& h : hidden) h = model.layerForward(i, onDevice, h, rope);
    for (LinearKind kind : kLayerLinearKinds) {
      Linear& stored = model.layer(i).linear(kind);
      stored.weight = onDevice.linear(kind).weight.to(stored.weight.device());
    }
  }
  summary.seconds = watch.seconds();
  return summary;
}

namespace {

// q/k/v (and gate/up) read the same tensor: quantize it once and hand the result to each of the `consumers`.
// The memo holds the input only until its last consumer took the result, so no activation outlives its layer;
// an input it has not seen (another tensor, or a transform earlier in the chain) is simply quantized afresh.
class SharedInputQuantizer {
 public:
  SharedInputQuantizer(ActQuantConfig config, int consumers) : config_(config), consumers_(consumers) {}

  at::Tensor operator()(const at::Tensor& x) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (in_.defined() && in_.unsafeGetTensorImpl() == x.unsafeGetTensorImpl() && in_._version() == x._version()) {
      at::Tensor out = out_;
      if (++served_ >= consumers_) in_ = out_ = at::Tensor();
      return out;
    }
    at::Tensor out = fakeQuantizeActivations(x, config_);
    in_ = x;
    out_ = out;
    served_ = 1;
    return out;
  }

 private:
  ActQuantConfig config_;
  int consumers_;
  std::mutex mutex_;
  at::Tensor in_, out_;
  int served_ = 0;
};

}  // namespace

void attachActivationQuantizers(LlamaModel& model, const ActQuantConfig& config) {
  validate(config);
  if (config.bits >= 16) return;
  for (int i = 0; i < model.numLayers(); ++i) {
    DecoderLayer& L = model.layer(i);
    auto attach = [&](std::initializer_list<LinearKind> readers) {
      auto shared = std::make_shared<SharedInputQuantizer>(config, int(readers.size()));
      for (LinearKind kind : readers)
        L.linear(kind).appendInputTransform([shared](const at::Tensor& x) { return (*shared)(x); });
    };
    attach({LinearKind::QProj, LinearKind::KProj, LinearKind::VProj});
    attach({LinearKind::OProj});
    attach({LinearKind::GateProj, LinearKind::UpProj});
    attach({LinearKind::DownProj});
  }
}

void attachKvCacheQuantizers(LlamaModel& model, const KvQuantConfig& k, const KvQuantConfig& v) {
  validate(k);
  validate(v);
  const int64_t hd = model.config().headDim;
  for (int i = 0; i < model.numLayers(); ++i) {
    DecoderLayer& L = model.layer(i);
    if (k.bits < 16) {
      QkTransform previous = L.qkTransform;
      L.qkTransform = [previous, k, hd](const at::Tensor& q, const at::Tensor& key) {
        auto qk = previous ? previous(q, key) : std::make_pair(q, key);
        return std::make_pair(qk.first, fakeQuantizeKvCache(qk.second, hd, k));
      };
    }
    if (v.bits < 16) {
      TensorTransform previous = L.valueTransform;
      L.valueTransform = [previous, v, hd](const at::Tensor& x) {
        return fakeQuantizeKvCache(previous ? previous(x) : x, hd, v);
      };
    }
  }
}

}  // namespace jq
