#include "model/LlamaModel.h"

#include "common/Log.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <tuple>
#include <sstream>

#include "common/Error.h"
#include "io/SafetensorsFile.h"

namespace jq {

// Where build() gets its tensors from: a checkpoint on disk or an in-memory map. Shapes and dtypes are
// available without reading data, so everything is checked before the first byte is loaded.
struct LlamaModel::Source {
  struct Meta {
    std::vector<int64_t> shape;
    std::string dtype;  // for messages
    bool floating = false;
  };
  std::string label;     // the checkpoint (or "in-memory tensors"), named when a tensor is missing
  std::string configLabel;
  bool mapped = false;   // tensors alias read-only memory maps
  std::vector<std::string> names;
  std::function<bool(const std::string&)> has;
  std::function<Meta(const std::string&)> meta;
  std::function<at::Tensor(const std::string&)> tensor;
  std::function<std::string(const std::string&)> fileOf;
};

namespace {

constexpr int kNoLayer = -1;

std::string shapeText(const std::vector<int64_t>& shape) {
  std::ostringstream s;
  s << '[';
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << ']';
  return s.str();
}

std::string gib(int64_t bytes) {
  std::ostringstream s;
  s.precision(3);
  s << double(bytes) / double(int64_t(1) << 30) << " GiB";
  return s.str();
}

ErrorContext context(const std::string& file, const std::string& tensor, int layer) {
  ErrorContext c;
  c.file = file;
  c.tensor = tensor;
  if (layer != kNoLayer) c.layer = layer;
  return c;
}

// Fills defaults that a hand-made LlamaConfig may leave at zero and rejects what the runtime cannot run.
LlamaConfig normalizedConfig(LlamaConfig c, const std::string& label) {
  if (c.numKeyValueHeads <= 0) c.numKeyValueHeads = c.numAttentionHeads;
  if (c.headDim <= 0 && c.numAttentionHeads > 0) c.headDim = c.hiddenSize / c.numAttentionHeads;
  auto invalid = [&](const std::string& what) { throw Error(ErrorKind::InvalidInput, what, context(label, "", kNoLayer)); };
  if (c.vocabSize <= 0 || c.hiddenSize <= 0 || c.intermediateSize <= 0 || c.numHiddenLayers <= 0 ||
      c.numAttentionHeads <= 0 || c.headDim <= 0)
    invalid("the config needs positive vocab_size, hidden_size, intermediate_size, num_hidden_layers, "
            "num_attention_heads and head_dim");
  if (c.headDim % 2 != 0) invalid("head_dim " + std::to_string(c.headDim) + " must be even for rotary embeddings");
  if (c.numAttentionHeads % c.numKeyValueHeads != 0)
    invalid("num_attention_heads " + std::to_string(c.numAttentionHeads) + " is not a multiple of num_key_value_heads " +
            std::to_string(c.numKeyValueHeads));
  if (c.hiddenAct != "silu")
    throw Error(ErrorKind::Unsupported, "hidden_act '" + c.hiddenAct + "' is not supported (only silu)",
                context(label, "", kNoLayer));
  return c;
}

struct Expected {
  std::string name;
  std::vector<int64_t> shape;
  int layer;
  at::Tensor* target;
};

bool allFinite(const at::Tensor& t) {
  // Chunks bound the temporary boolean tensor on 100M-element embeddings.
  const at::Tensor flat = t.reshape({-1});
  const int64_t n = flat.numel(), chunk = int64_t(1) << 24;
  for (int64_t s = 0; s < n; s += chunk)
    if (!at::isfinite(flat.narrow(0, s, std::min(chunk, n - s))).all().item<bool>()) return false;
  return true;
}


struct LayerShapes {
  int64_t h, q, kv, inter;
};
LayerShapes layerShapes(const LlamaConfig& c) {
  return {c.hiddenSize, c.numAttentionHeads * c.headDim, c.numKeyValueHeads * c.headDim, c.intermediateSize};
}

int64_t layerParameters(const LlamaConfig& c) {
  const LayerShapes s = layerShapes(c);
  int64_t n = s.h * s.q + 2 * s.h * s.kv + s.q * s.h + 3 * s.h * s.inter + 2 * s.h;
  if (c.attentionBias) n += s.q + 2 * s.kv + s.h;
  if (c.mlpBias) n += 2 * s.inter + s.h;
  return n;
}

std::vector<int64_t> expectedShape(const LlamaConfig& c, LinearKind kind, bool bias) {
  const LayerShapes s = layerShapes(c);
  int64_t out = 0, in = 0;
  switch (kind) {
    case LinearKind::QProj: out = s.q, in = s.h; break;
    case LinearKind::KProj:
    case LinearKind::VProj: out = s.kv, in = s.h; break;
    case LinearKind::OProj: out = s.h, in = s.q; break;
    case LinearKind::GateProj:
    case LinearKind::UpProj: out = s.inter, in = s.h; break;
    case LinearKind::DownProj: out = s.h, in = s.inter; break;
    case LinearKind::LmHead: out = c.vocabSize, in = s.h; break;
  }
  return bias ? std::vector<int64_t>{out} : std::vector<int64_t>{out, in};
}

bool hasBias(const LlamaConfig& c, LinearKind kind) {
  switch (kind) {
    case LinearKind::QProj:
    case LinearKind::KProj:
    case LinearKind::VProj:
    case LinearKind::OProj: return c.attentionBias;
    case LinearKind::GateProj:
    case LinearKind::UpProj:
    case LinearKind::DownProj: return c.mlpBias;
    case LinearKind::LmHead: return false;
  }
  return false;
}

std::string describeShapes(const LlamaConfig& c) {
  return "hidden_size " + std::to_string(c.hiddenSize) + ", " + std::to_string(c.numAttentionHeads) + " heads / " +
         std::to_string(c.numKeyValueHeads) + " KV heads of head_dim " + std::to_string(c.headDim) +
         ", intermediate_size " + std::to_string(c.intermediateSize) + ", vocab_size " + std::to_string(c.vocabSize);
}

}  // namespace

at::ScalarType modelDtypeFromName(const std::string& name) {
  if (name == "float32" || name == "fp32" || name == "float") return at::kFloat;
  if (name == "bfloat16" || name == "bf16") return at::kBFloat16;
  if (name == "float16" || name == "fp16" || name == "half") return at::kHalf;
  throw Error(ErrorKind::Unsupported, "model dtype '" + name + "' is not supported (float32, bfloat16 or float16)");
}

LlamaModel::LlamaModel() = default;
LlamaModel::LlamaModel(LlamaModel&&) noexcept = default;
LlamaModel& LlamaModel::operator=(LlamaModel&&) noexcept = default;
LlamaModel::~LlamaModel() = default;

int64_t LlamaModel::weightBytes(const LlamaConfig& config, at::ScalarType dtype) {
  const LlamaConfig c = normalizedConfig(config, "config");
  const int64_t embed = c.vocabSize * c.hiddenSize;
  const int64_t params = embed + c.numHiddenLayers * layerParameters(c) + c.hiddenSize + (c.tieWordEmbeddings ? 0 : embed);
  return params * int64_t(c10::elementSize(dtype));
}

int64_t LlamaModel::largestPieceBytes(const LlamaConfig& config, at::ScalarType dtype) {
  const LlamaConfig c = normalizedConfig(config, "config");
  return std::max(layerParameters(c), c.vocabSize * c.hiddenSize) * int64_t(c10::elementSize(dtype));
}

LlamaModel LlamaModel::load(const std::string& dir, const ModelOptions& options, const JobContext& job) {
  namespace fs = std::filesystem;
  const std::string configPath = (fs::path(dir) / "config.json").string();
  if (!fs::exists(configPath))
    throw Error(ErrorKind::NotFound, "the model folder has no config.json", context(dir, "", kNoLayer));
  const LlamaConfig config = LlamaConfig::fromFile(configPath);
  auto store = std::make_shared<TensorStore>(TensorStore::openDirectory(dir));

  Source src;
  const fs::path index = fs::path(dir) / "model.safetensors.index.json";
  src.label = fs::exists(index) ? index.string() : (fs::path(dir) / "model.safetensors").string();
  src.configLabel = configPath;
  src.mapped = true;
  src.names = store->names();
  src.has = [store](const std::string& n) { return store->has(n); };
  src.meta = [store](const std::string& n) {
    const TensorInfo& info = store->info(n);
    const bool floating = info.dtype == "F32" || info.dtype == "F16" || info.dtype == "BF16" || info.dtype == "F64";
    return Source::Meta{info.shape, info.dtype, floating};
  };
  src.tensor = [store](const std::string& n) { return store->tensor(n); };
  src.fileOf = [store](const std::string& n) { return store->fileOf(n); };
  return build(config, src, options, job);
}

LlamaModel LlamaModel::fromTensors(const LlamaConfig& config, std::map<std::string, at::Tensor> tensors,
                                   const ModelOptions& options) {
  auto map = std::make_shared<std::map<std::string, at::Tensor>>(std::move(tensors));
  Source src;
  src.label = "in-memory tensors";
  src.configLabel = "in-memory config";
  for (const auto& kv : *map) src.names.push_back(kv.first);
  src.has = [map](const std::string& n) { return map->count(n) > 0; };
  src.meta = [map](const std::string& n) {
    const at::Tensor& t = map->at(n);
    return Source::Meta{t.sizes().vec(), std::string(c10::toString(t.scalar_type())),
                        at::isFloatingType(t.scalar_type())};
  };
  src.tensor = [map](const std::string& n) { return map->at(n); };
  src.fileOf = [](const std::string&) { return std::string("in-memory tensors"); };
  return build(config, src, options, JobContext{});
}

LlamaModel LlamaModel::build(const LlamaConfig& rawConfig, const Source& src, const ModelOptions& options,
                             const JobContext& job) {
  LlamaModel m;
  m.ropeByLength_ = std::make_shared<RopeByLength>();
  m.config_ = normalizedConfig(rawConfig, src.configLabel);
  m.options_ = options;
  m.dtype_ = options.dtype ? *options.dtype : modelDtypeFromName(m.config_.dtype);
  if (m.dtype_ != at::kFloat && m.dtype_ != at::kBFloat16 && m.dtype_ != at::kHalf)
    throw Error(ErrorKind::Unsupported, std::string("model dtype ") + c10::toString(m.dtype_) +
                                            " is not supported (float32, bfloat16 or float16)");
  if (options.attention == AttentionImpl::Sdpa && !sdpaAvailable()) {
    JQ_WARN("this LibTorch has no scaled_dot_product_attention (needs >= 2.0); using eager attention");
    m.options_.attention = AttentionImpl::Eager;
  }
  try {
    m.rotary_ = RotaryEmbedding(m.config_);
  } catch (const Error& e) {
    throw Error(e.kind(), e.message(), context(src.configLabel, "", kNoLayer));
  }
  const LlamaConfig& c = m.config_;
  const bool tied = c.tieWordEmbeddings;

  // Every tensor the config implies, with its destination.
  m.layers_.resize(size_t(c.numHiddenLayers));
  std::vector<Expected> expected;
  expected.push_back({"model.embed_tokens.weight", {c.vocabSize, c.hiddenSize}, kNoLayer, &m.embed_});
  for (int i = 0; i < int(c.numHiddenLayers); ++i) {
    DecoderLayer& l = m.layers_[size_t(i)];
    const std::string p = "model.layers." + std::to_string(i);
    expected.push_back({p + ".input_layernorm.weight", {c.hiddenSize}, i, &l.inputNorm});
    for (LinearKind kind : kLayerLinearKinds) {
      expected.push_back({checkpointName(i, kind), expectedShape(c, kind, false), i, &l.linear(kind).weight});
      if (hasBias(c, kind))
        expected.push_back({checkpointName(i, kind, true), expectedShape(c, kind, true), i, &l.linear(kind).bias});
    }
    expected.push_back({p + ".post_attention_layernorm.weight", {c.hiddenSize}, i, &l.postAttentionNorm});
  }
  expected.push_back({"model.norm.weight", {c.hiddenSize}, kNoLayer, &m.norm_});
  if (!tied) expected.push_back({"lm_head.weight", {c.vocabSize, c.hiddenSize}, kNoLayer, &m.lmHead_.weight});

  for (const Expected& e : expected) {
    if (!src.has(e.name)) {
      std::string why = "the checkpoint has no tensor '" + e.name + "', which " + src.configLabel + " requires";
      if (e.name == "lm_head.weight") why += " (tie_word_embeddings is false)";
      throw Error(ErrorKind::NotFound, why, context(src.label, e.name, e.layer));
    }
    const Source::Meta meta = src.meta(e.name);
    if (!meta.floating)
      throw Error(ErrorKind::InvalidInput, "has dtype " + meta.dtype + "; weights must be floating point",
                  context(src.fileOf(e.name), e.name, e.layer));
    if (meta.shape != e.shape)
      throw Error(ErrorKind::InvalidInput,
                  "has shape " + shapeText(meta.shape) + " but " + src.configLabel + " (" + describeShapes(c) +
                      ") needs " + shapeText(e.shape),
                  context(src.fileOf(e.name), e.name, e.layer));
  }

  std::set<std::string> used;
  for (const Expected& e : expected) used.insert(e.name);
  std::vector<std::string> ignored;
  for (const std::string& n : src.names)
    if (!used.count(n) && n.find("rotary_emb.inv_freq") == std::string::npos &&
        !(tied && n == "lm_head.weight"))
      ignored.push_back(n);
  if (!ignored.empty())
    JQ_WARN(src.label << ": ignoring " << ignored.size() << " tensor(s) the config does not use, e.g. '"
                      << ignored.front() << "'");

  const int64_t total = weightBytes(c, m.dtype_);
  if (options.placement == WeightPlacement::Host)
    JQ_INFO(src.label << ": " << gib(total) << " of " << c10::toString(m.dtype_) << " weights stay on the host; up to "
                      << gib(largestPieceBytes(c, m.dtype_)) << " at a time on " << options.device.str());
  else
    JQ_INFO(src.label << ": " << gib(total) << " of " << c10::toString(m.dtype_) << " weights on " << options.device.str());
  job.report("load", 0, int64_t(expected.size()), "needs " + gib(total) + " for the weights");

  const bool host = options.placement == WeightPlacement::Host;
  if (!host) {
    // The one-GEMM groups' buffers come first and the weights are read straight into their rows: packing after
    // loading would leave the caching allocator holding the freed originals (GBs on an 8B model).
    const at::TensorOptions onDevice = at::TensorOptions().device(options.device).dtype(m.dtype_);
    const LayerShapes sh = layerShapes(c);
    for (DecoderLayer& l : m.layers_) {
      allocatePackedLinears({{&l.qProj, sh.q}, {&l.kProj, sh.kv}, {&l.vProj, sh.kv}}, sh.h, onDevice);
      allocatePackedLinears({{&l.gateProj, sh.inter}, {&l.upProj, sh.inter}}, sh.h, onDevice);
    }
  }
  auto requireFinite = [&](const at::Tensor& t, const at::Tensor& raw, const Expected& e) {
    if (!options.checkFinite || allFinite(t)) return;
    const bool overflow = allFinite(raw);
    throw Error(ErrorKind::InvalidInput,
                overflow ? std::string("overflows ") + c10::toString(m.dtype_) + " (values beyond its range)"
                         : "contains NaN or Inf values",
                context(src.fileOf(e.name), e.name, e.layer));
  };
  for (size_t k = 0; k < expected.size(); ++k) {
    const Expected& e = expected[k];
    job.checkCancelled("load");
    const at::Tensor raw = src.tensor(e.name);
    if (e.target->defined()) {  // a row block of a packed group (above)
      e.target->copy_(raw.to(options.device));
      requireFinite(*e.target, raw, e);
      job.report("load", int64_t(k + 1), int64_t(expected.size()), e.name);
      continue;
    }
    // Transfer in the file's dtype and convert on the target: half the bytes over PCIe for bf16 -> fp32.
    at::Tensor t = host ? raw.to(at::kCPU, m.dtype_) : raw.to(options.device).to(m.dtype_);
    // Device placement owns its memory, so weights can be updated in place; Host placement keeps the map.
    if (src.mapped && !host && t.is_alias_of(raw)) t = t.clone();
    requireFinite(t, raw, e);
    *e.target = t;
    job.report("load", int64_t(k + 1), int64_t(expected.size()), e.name);
  }
  if (tied) m.lmHead_.weight = m.embed_;
  return m;
}

DecoderLayer& LlamaModel::layer(int i) {
  return const_cast<DecoderLayer&>(static_cast<const LlamaModel*>(this)->layer(i));
}

const DecoderLayer& LlamaModel::layer(int i) const {
  if (i < 0 || i >= numLayers())
    throw Error(ErrorKind::InvalidInput,
                "layer " + std::to_string(i) + " does not exist (the model has " + std::to_string(numLayers()) + ")");
  return layers_[size_t(i)];
}

bool LlamaModel::embeddingsTied() const { return lmHead_.weight.defined() && lmHead_.weight.is_same(embed_); }

void LlamaModel::untieEmbeddings() {
  if (embeddingsTied()) lmHead_.weight = embed_.clone();
}

void LlamaModel::moveWeightsTo(at::Device target) {
  const bool tied = embeddingsTied();
  auto move = [&](at::Tensor& t) {
    if (t.defined()) t = t.to(target);
  };
  const bool home = target == device() && options_.placement == WeightPlacement::Device;
  for (DecoderLayer& l : layers_) {
    if (home && l.qProj.weight.defined() && l.qProj.weight.device() != target) {
      packLinears({&l.qProj, &l.kProj, &l.vProj}, target, dtype_);
      packLinears({&l.gateProj, &l.upProj}, target, dtype_);
    }
    for (LinearKind kind : kLayerLinearKinds) {
      move(l.linear(kind).weight);
      move(l.linear(kind).bias);
    }
    move(l.inputNorm);
    move(l.postAttentionNorm);
  }
  move(embed_);
  move(norm_);
  move(lmHead_.bias);
  if (tied)
    lmHead_.weight = embed_;
  else
    move(lmHead_.weight);
}

void LlamaModel::validate() const {
  const LlamaConfig& c = config_;
  auto check = [&](const at::Tensor& t, const std::string& name, const std::vector<int64_t>& shape, int layer,
                   bool optional) {
    if (!t.defined()) {
      if (optional) return;
      throw Error(ErrorKind::InvalidInput, "is missing from the model", context("model", name, layer));
    }
    if (!at::isFloatingType(t.scalar_type()))
      throw Error(ErrorKind::InvalidInput, std::string("has dtype ") + c10::toString(t.scalar_type()),
                  context("model", name, layer));
    if (t.sizes().vec() != shape)
      throw Error(ErrorKind::InvalidInput, "has shape " + shapeText(t.sizes().vec()) + ", expected " + shapeText(shape),
                  context("model", name, layer));
  };
  check(embed_, "model.embed_tokens.weight", {c.vocabSize, c.hiddenSize}, kNoLayer, false);
  for (int i = 0; i < numLayers(); ++i) {
    const DecoderLayer& l = layers_[size_t(i)];
    const std::string p = "model.layers." + std::to_string(i);
    check(l.inputNorm, p + ".input_layernorm.weight", {c.hiddenSize}, i, false);
    check(l.postAttentionNorm, p + ".post_attention_layernorm.weight", {c.hiddenSize}, i, false);
    for (LinearKind kind : kLayerLinearKinds) {
      check(l.linear(kind).weight, checkpointName(i, kind), expectedShape(c, kind, false), i, false);
      check(l.linear(kind).bias, checkpointName(i, kind, true), expectedShape(c, kind, true), i, true);
    }
  }
  check(norm_, "model.norm.weight", {c.hiddenSize}, kNoLayer, false);
  check(lmHead_.weight, "lm_head.weight", {c.vocabSize, c.hiddenSize}, kNoLayer, false);
  check(lmHead_.bias, "lm_head.bias", {c.vocabSize}, kNoLayer, true);
}

int64_t LlamaModel::parameterBytes() const {
  int64_t total = tensorBytes(embed_) + tensorBytes(norm_) + tensorBytes(lmHead_.bias);
  if (!embeddingsTied()) total += tensorBytes(lmHead_.weight);
  for (const DecoderLayer& l : layers_) total += l.parameterBytes();
  return total;
}

std::map<std::string, at::Tensor> LlamaModel::stateDict() const {
  std::map<std::string, at::Tensor> out;
  out["model.embed_tokens.weight"] = embed_;
  for (int i = 0; i < numLayers(); ++i) {
    const DecoderLayer& l = layers_[size_t(i)];
    const std::string p = "model.layers." + std::to_string(i);
    out[p + ".input_layernorm.weight"] = l.inputNorm;
    out[p + ".post_attention_layernorm.weight"] = l.postAttentionNorm;
    for (LinearKind kind : kLayerLinearKinds) {
      out[checkpointName(i, kind)] = l.linear(kind).weight;
      if (l.linear(kind).hasBias()) out[checkpointName(i, kind, true)] = l.linear(kind).bias;
    }
  }
  out["model.norm.weight"] = norm_;
  if (!embeddingsTied()) out["lm_head.weight"] = lmHead_.weight;
  if (lmHead_.hasBias()) out["lm_head.bias"] = lmHead_.bias;
  return out;
}

int LlamaModel::addHook(HookPoint point, LinearHook hook) {
  const int id = nextHookId_++;
  hooks_.push_back({id, point, std::move(hook)});
  return id;
}

void LlamaModel::removeHook(int id) {
  hooks_.erase(std::remove_if(hooks_.begin(), hooks_.end(), [id](const HookEntry& h) { return h.id == id; }),
               hooks_.end());
}

void LlamaModel::clearHooks() { hooks_.clear(); }

void LlamaModel::runHooks(HookPoint point, int layer, LinearKind kind, const at::Tensor& x) const {
  for (const HookEntry& h : hooks_)
    if (h.point == point && h.hook) h.hook(layer, kind, x);
}

at::Tensor LlamaModel::runLinear(int layer, LinearKind kind, const Linear& linear, const at::Tensor& x) const {
  const at::Tensor in = linear.inputTransform ? linear.inputTransform(x) : x;
  runHooks(HookPoint::LinearInput, layer, kind, in);
  at::Tensor out = at::linear(in, linear.weight, linear.bias);
  runHooks(HookPoint::LinearOutput, layer, kind, out);
  return out;
}

at::Tensor LlamaModel::embed(const at::Tensor& ids) const {
  if (!ids.defined() || (ids.dim() != 1 && ids.dim() != 2) || ids.numel() == 0 ||
      !at::isIntegralType(ids.scalar_type(), /*includeBool=*/false))
    throw Error(ErrorKind::InvalidInput, "token ids must be a non-empty integer tensor [T] or [B, T]");
  const at::Tensor idx = ids.dim() == 1 ? ids.unsqueeze(0) : ids;
  const bool host = options_.placement == WeightPlacement::Host;
  // Checked where the ids are: ids on the host (as evaluation passes them) cost the GPU no synchronisation.
  const at::Tensor checked = idx.to(at::kLong);
  if (at::logical_or(checked < 0, checked >= config_.vocabSize).any().item<bool>()) {
    const at::Tensor bad = checked.masked_select(at::logical_or(checked < 0, checked >= config_.vocabSize));
    throw Error(ErrorKind::InvalidInput, "token id " + std::to_string(bad[0].item<int64_t>()) +
                                             " is outside the vocabulary of " + std::to_string(config_.vocabSize));
  }
  // Host placement gathers the rows on the host: the table never crosses to the device, the result is the same.
  const at::Tensor local = host ? checked.to(at::kCPU) : checked.to(device());
  if (host) return at::embedding(embed_.to(at::kCPU, dtype_), local).to(device());
  return at::embedding(embed_.to(device(), dtype_), local);
}

RopeCache LlamaModel::rope(const at::Tensor& positions) const { return rotary_.compute(positions, dtype_, device()); }

struct LlamaModel::RopeByLength {
  std::mutex mutex;
  std::map<int64_t, RopeCache> byLength;
};

RopeCache LlamaModel::rope(int64_t seqLen) const {
  if (!ropeByLength_) return rope(at::arange(seqLen, at::TensorOptions().dtype(at::kLong)));
  std::lock_guard<std::mutex> lock(ropeByLength_->mutex);
  auto it = ropeByLength_->byLength.find(seqLen);
  if (it == ropeByLength_->byLength.end()) {
    if (ropeByLength_->byLength.size() >= 8) ropeByLength_->byLength.clear();  // a few lengths at a time at most
    it = ropeByLength_->byLength.emplace(seqLen, rope(at::arange(seqLen, at::TensorOptions().dtype(at::kLong)))).first;
  }
  return it->second;
}

DecoderLayer LlamaModel::layerOnDevice(int i) const { return layer(i).to(device(), dtype_); }

at::Tensor LlamaModel::layerForward(int i, const at::Tensor& hidden, const RopeCache& rope) const {
  // Under Device placement this copy shares every tensor (to() is a no-op); under Host it is the one
  // layer's transfer, freed when the call returns.
  return layerForward(i, layerOnDevice(i), hidden, rope);
}

void LlamaModel::requireRunnable() const {
  if (!matmulSupported(dtype_, device()))
    throw Error(ErrorKind::Unsupported, std::string("this LibTorch cannot multiply ") + c10::toString(dtype_) +
                                            " matrices on " + device().str() +
                                            " (LibTorch 1.x has no float16 matmul on the CPU); use bfloat16 or "
                                            "float32 there, or run on CUDA");
}

at::Tensor LlamaModel::layerForward(int i, const DecoderLayer& w, const at::Tensor& hidden,
                                    const RopeCache& rope) const {
  requireRunnable();
  const LlamaConfig& c = config_;
  if (hidden.dim() != 3 || hidden.size(2) != c.hiddenSize)
    throw Error(ErrorKind::InvalidInput,
                "hidden states must be [B, T, " + std::to_string(c.hiddenSize) + "], got " +
                    shapeText(hidden.sizes().vec()),
                context("", "", i));
  const int64_t b = hidden.size(0), t = hidden.size(1);
  const int64_t heads = c.numAttentionHeads, kvHeads = c.numKeyValueHeads, d = c.headDim;
  if (!rope.cos.defined() || rope.cos.dim() != 3 || rope.cos.size(1) != t || rope.cos.size(2) != d ||
      (rope.cos.size(0) != 1 && rope.cos.size(0) != b))
    throw Error(ErrorKind::InvalidInput, "the rope cache does not match the hidden states' batch and length",
                context("", "", i));

  const at::Tensor x = rmsNorm(hidden, w.inputNorm, c.rmsNormEps);
  // Hooks see every projection apart, so they turn the one-GEMM groups off.
  const at::Tensor qkv = hooks_.empty() ? fusedWeight({&w.qProj, &w.kProj, &w.vProj}) : at::Tensor();
  at::Tensor q, k, v;
  if (qkv.defined()) {
    const at::Tensor all = at::linear(x, qkv);
    q = all.narrow(-1, 0, heads * d);
    k = all.narrow(-1, heads * d, kvHeads * d);
    v = all.narrow(-1, (heads + kvHeads) * d, kvHeads * d);
  } else {
    q = runLinear(i, LinearKind::QProj, w.qProj, x);
    k = runLinear(i, LinearKind::KProj, w.kProj, x);
    v = runLinear(i, LinearKind::VProj, w.vProj, x);
  }
  q = q.reshape({b, t, heads, d}).transpose(1, 2);
  k = k.reshape({b, t, kvHeads, d}).transpose(1, 2);
  v = v.reshape({b, t, kvHeads, d}).transpose(1, 2);
  q = applyRotary(q, rope);
  k = applyRotary(k, rope);
  if (w.qkTransform) std::tie(q, k) = w.qkTransform(q, k);
  if (w.valueTransform) v = w.valueTransform(v);
  const at::Tensor attn =
      causalAttention(q, k, v, options_.attention).transpose(1, 2).contiguous().reshape({b, t, heads * d});
  const at::Tensor h = hidden + runLinear(i, LinearKind::OProj, w.oProj, attn);

  const at::Tensor y = rmsNorm(h, w.postAttentionNorm, c.rmsNormEps);
  const at::Tensor gateUp = hooks_.empty() ? fusedWeight({&w.gateProj, &w.upProj}) : at::Tensor();
  at::Tensor gate, up;
  if (gateUp.defined()) {
    const at::Tensor both = at::linear(y, gateUp);
    gate = both.narrow(-1, 0, c.intermediateSize);
    up = both.narrow(-1, c.intermediateSize, c.intermediateSize);
  } else {
    gate = runLinear(i, LinearKind::GateProj, w.gateProj, y);
    up = runLinear(i, LinearKind::UpProj, w.upProj, y);
  }
  return h + runLinear(i, LinearKind::DownProj, w.downProj, at::silu(gate).mul_(up));
}

at::Tensor LlamaModel::finalNorm(const at::Tensor& hidden) const {
  return rmsNorm(hidden, norm_.to(device(), dtype_), config_.rmsNormEps);
}

at::Tensor LlamaModel::head(const at::Tensor& normed) const {
  requireRunnable();
  Linear onDevice = lmHead_;
  onDevice.weight = lmHead_.weight.to(device(), dtype_);
  if (lmHead_.bias.defined()) onDevice.bias = lmHead_.bias.to(device(), dtype_);
  return runLinear(numLayers(), LinearKind::LmHead, onDevice, normed);
}

at::Tensor LlamaModel::forward(const at::Tensor& ids) const { return forward(ids, ForwardOptions{}).logits; }

ForwardOutput LlamaModel::forward(const at::Tensor& ids, const ForwardOptions& options) const {
  ForwardOutput out;
  at::Tensor h = embed(ids);
  const int64_t b = h.size(0), t = h.size(1);
  RopeCache cache;
  if (options.positions.defined()) {
    const at::Tensor& p = options.positions;
    if (p.size(-1) != t || (p.dim() == 2 && p.size(0) != 1 && p.size(0) != b))
      throw Error(ErrorKind::InvalidInput, "positions " + shapeText(p.sizes().vec()) + " do not match token ids " +
                                               shapeText({b, t}));
    cache = rope(p);
  } else {
    cache = rope(t);
  }
  if (options.outputHiddenStates) out.hiddenStates.push_back(h);
  for (int i = 0; i < numLayers(); ++i) {
    h = layerForward(i, h, cache);
    if (options.outputHiddenStates && i + 1 < numLayers()) out.hiddenStates.push_back(h);
  }
  const at::Tensor normed = finalNorm(h);
  if (options.outputHiddenStates) out.hiddenStates.push_back(normed);
  out.logits = head(normed);
  return out;
}

}  // namespace jq
