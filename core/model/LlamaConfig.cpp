#include "model/LlamaConfig.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

#include "common/Error.h"
#include "common/JsonInteger.h"

namespace jq {

namespace {

using nlohmann::json;

// Field access that names the file and the field in every complaint. `null` means absent, as in transformers,
// where `rope_scaling: null` and `head_dim: null` simply select the defaults.
class FieldReader {
 public:
  FieldReader(const json& object, std::string source, std::string prefix = {})
      : obj_(object), source_(std::move(source)), prefix_(std::move(prefix)) {}

  bool present(const char* key) const {
    const auto it = obj_.find(key);
    return it != obj_.end() && !it->is_null();
  }

  const json& raw(const char* key) const { return obj_.at(key); }

  std::string path(const char* key) const { return prefix_ + key; }

  [[noreturn]] void invalid(const char* key, const std::string& what) const {
    throwInvalid(source_, "field '" + path(key) + "' " + what);
  }

  int64_t requiredInt(const char* key) const {
    if (!present(key)) invalid(key, "is missing (required for a Llama model)");
    return integer(key);
  }
  int64_t optionalInt(const char* key, int64_t fallback) const { return present(key) ? integer(key) : fallback; }

  double optionalNumber(const char* key, double fallback) const {
    if (!present(key)) return fallback;
    const json& v = obj_.at(key);
    if (!v.is_number()) invalid(key, "must be a number, got " + std::string(v.type_name()));
    return v.get<double>();
  }
  double requiredNumber(const char* key) const {
    if (!present(key)) invalid(key, "is missing");
    return optionalNumber(key, 0.0);
  }

  bool optionalBool(const char* key, bool fallback) const {
    if (!present(key)) return fallback;
    const json& v = obj_.at(key);
    if (!v.is_boolean()) invalid(key, "must be true or false, got " + std::string(v.type_name()));
    return v.get<bool>();
  }

  std::string optionalString(const char* key, const std::string& fallback) const {
    if (!present(key)) return fallback;
    const json& v = obj_.at(key);
    if (!v.is_string()) invalid(key, "must be a string, got " + std::string(v.type_name()));
    return v.get<std::string>();
  }

  // A token id may be one integer or a list of them (generation configs of instruct models).
  std::vector<int64_t> tokenIds(const char* key) const {
    if (!present(key)) return {};
    const json& v = obj_.at(key);
    std::vector<int64_t> ids;
    const auto take = [&](const json& e) {
      const std::optional<int64_t> id = jsonInt64(e);
      if (!id) invalid(key, "holds a token id beyond 64 bits, " + e.dump());
      ids.push_back(*id);
    };
    if (v.is_number_integer()) {
      take(v);
    } else if (v.is_array()) {
      for (const json& e : v) {
        if (!e.is_number_integer()) invalid(key, "must be an integer or a list of integers");
        take(e);
      }
    } else {
      invalid(key, "must be an integer or a list of integers, got " + std::string(v.type_name()));
    }
    for (int64_t id : ids)
      if (id < 0) invalid(key, "holds a negative token id " + std::to_string(id));
    return ids;
  }

 private:
  int64_t integer(const char* key) const {
    const json& v = obj_.at(key);
    // JSON has one number type; an integral float (e.g. 4096.0) is what some tools write and means the same.
    if (const std::optional<int64_t> i = jsonInt64(v)) return *i;
    if (v.is_number_float()) {
      const double d = v.get<double>();
      if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e15) return static_cast<int64_t>(d);
    }
    if (v.is_number_unsigned()) invalid(key, "is beyond 64 bits: " + v.dump());
    invalid(key, "must be an integer, got " + (v.is_number() ? v.dump() : std::string(v.type_name())));
  }

  const json& obj_;
  std::string source_;
  std::string prefix_;
};

bool isSupportedDtype(const std::string& d) { return d == "float32" || d == "bfloat16" || d == "float16"; }

// Reads `rope_parameters` (transformers 5) or `rope_scaling` (transformers 4) into `cfg`.
void readRope(const FieldReader& top, const std::string& source, LlamaConfig& cfg) {
  cfg.ropeTheta = top.optionalNumber("rope_theta", 10000.0);

  const char* key = nullptr;
  if (top.present("rope_parameters")) key = "rope_parameters";
  else if (top.present("rope_scaling")) key = "rope_scaling";
  if (!key) return;

  const json& rope = top.raw(key);
  if (!rope.is_object()) top.invalid(key, "must be an object or null, got " + std::string(rope.type_name()));
  const FieldReader r(rope, source, std::string(key) + ".");

  // transformers 5 moves the base frequency inside rope_parameters.
  cfg.ropeTheta = r.optionalNumber("rope_theta", cfg.ropeTheta);

  // Old checkpoints spell it `type`; transformers accepts both.
  std::string type = r.optionalString("rope_type", r.optionalString("type", "default"));
  if (type == "default") {
    cfg.ropeScaling = RopeScaling{};
    return;
  }
  if (type != "llama3")
    throwUnsupported(source, "rope type '" + type + "' in '" + key +
                                 "' is not supported (only 'default' and 'llama3')");

  RopeScaling s;
  s.type = "llama3";
  // transformers' llama3 validation requires all four keys.
  s.factor = r.requiredNumber("factor");
  s.lowFreqFactor = r.requiredNumber("low_freq_factor");
  s.highFreqFactor = r.requiredNumber("high_freq_factor");
  s.originalMaxPositionEmbeddings = r.requiredInt("original_max_position_embeddings");
  if (!(s.factor > 0.0)) r.invalid("factor", "must be positive");
  if (!(s.lowFreqFactor > 0.0)) r.invalid("low_freq_factor", "must be positive");
  if (!(s.highFreqFactor > s.lowFreqFactor))
    r.invalid("high_freq_factor", "must be greater than low_freq_factor (the blend divides by their difference)");
  if (s.originalMaxPositionEmbeddings <= 0) r.invalid("original_max_position_embeddings", "must be positive");
  cfg.ropeScaling = s;
}

// parameterCount() in 128-bit arithmetic, so that absurd sizes in a damaged config are measured, not overflowed.
__int128 configParameterCount128(const LlamaConfig& c) {
  using I = __int128;
  const I h = c.hiddenSize, q = I(c.numAttentionHeads) * c.headDim, kv = I(c.numKeyValueHeads) * c.headDim;
  I attn = h * q + 2 * h * kv + q * h;
  if (c.attentionBias) attn += q + 2 * kv + h;
  I mlp = 3 * h * c.intermediateSize;
  if (c.mlpBias) mlp += 2 * I(c.intermediateSize) + h;
  const I embed = I(c.vocabSize) * h;
  return embed + I(c.numHiddenLayers) * (attn + mlp + 2 * h) + h + (c.tieWordEmbeddings ? 0 : embed);
}

// 2^50 (about 10^15) parameters: over a thousand times the largest Llama, and small enough that byte counts in
// any dtype (parameters × 8) stay far inside int64.
constexpr int64_t kMaxConfigParameters = int64_t(1) << 50;

}  // namespace

namespace {
LlamaConfig parseConfig(const std::string& text, const std::string& source);
}  // namespace

LlamaConfig LlamaConfig::fromJsonText(const std::string& text, const std::string& source) {
  try {
    return parseConfig(text, source);
  } catch (const json::exception& e) {
    // Whatever nlohmann throws is bad input: the parser's errors (parse_error, and out_of_range for a number beyond
    // double's range such as 1e400) and those of reading fields (out-of-range numbers, wrong types).
    throwInvalid(source, std::string("not valid JSON: ") + e.what());
  }
}

namespace {
LlamaConfig parseConfig(const std::string& text, const std::string& source) {
  const json root = json::parse(text);  // its exceptions become "not valid JSON" in fromJsonText
  if (!root.is_object()) throwInvalid(source, "the top level must be a JSON object");
  const FieldReader f(root, source);

  LlamaConfig cfg;

  // Architecture: the checkpoint's head class, or the model family when a tool omitted it.
  bool llama = false;
  std::string named;
  if (f.present("architectures")) {
    const json& a = root.at("architectures");
    if (!a.is_array()) f.invalid("architectures", "must be a list of strings");
    for (const json& e : a) {
      if (!e.is_string()) f.invalid("architectures", "must be a list of strings");
      if (named.empty()) named = e.get<std::string>();
      if (e.get<std::string>() == "LlamaForCausalLM") llama = true;
    }
  }
  const std::string modelType = f.optionalString("model_type", "");
  if (modelType == "llama") llama = true;
  if (!llama) {
    const std::string what = !named.empty() ? "architecture '" + named + "'"
                             : !modelType.empty() ? "model_type '" + modelType + "'"
                                                  : "a model with neither 'architectures' nor 'model_type'";
    throwUnsupported(source, what + " is not supported (only LlamaForCausalLM / model_type 'llama')");
  }
  cfg.architecture = "LlamaForCausalLM";

  cfg.vocabSize = f.requiredInt("vocab_size");
  cfg.hiddenSize = f.requiredInt("hidden_size");
  cfg.intermediateSize = f.requiredInt("intermediate_size");
  cfg.numHiddenLayers = f.requiredInt("num_hidden_layers");
  cfg.numAttentionHeads = f.requiredInt("num_attention_heads");
  cfg.numKeyValueHeads = f.optionalInt("num_key_value_heads", cfg.numAttentionHeads);
  cfg.maxPositionEmbeddings = f.optionalInt("max_position_embeddings", 2048);
  cfg.rmsNormEps = f.optionalNumber("rms_norm_eps", 1e-6);
  cfg.tieWordEmbeddings = f.optionalBool("tie_word_embeddings", false);
  cfg.attentionBias = f.optionalBool("attention_bias", false);
  cfg.mlpBias = f.optionalBool("mlp_bias", false);

  for (const char* key : {"vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
                          "num_attention_heads", "num_key_value_heads", "max_position_embeddings"}) {
    if (f.present(key) && f.optionalInt(key, 1) <= 0) f.invalid(key, "must be positive");
  }
  if (!(cfg.rmsNormEps > 0.0)) f.invalid("rms_norm_eps", "must be positive");

  if (f.present("head_dim")) {
    cfg.headDim = f.optionalInt("head_dim", 0);
    if (cfg.headDim <= 0) f.invalid("head_dim", "must be positive");
  } else {
    if (cfg.hiddenSize % cfg.numAttentionHeads != 0)
      throwInvalid(source, "hidden_size " + std::to_string(cfg.hiddenSize) + " is not divisible by num_attention_heads " +
                               std::to_string(cfg.numAttentionHeads) + " and no head_dim is given");
    cfg.headDim = cfg.hiddenSize / cfg.numAttentionHeads;
  }
  if (cfg.headDim % 2 != 0) f.invalid("head_dim", "must be even for rotary embeddings, got " + std::to_string(cfg.headDim));
  if (cfg.numAttentionHeads % cfg.numKeyValueHeads != 0)
    throwInvalid(source, "num_attention_heads " + std::to_string(cfg.numAttentionHeads) +
                             " is not a multiple of num_key_value_heads " + std::to_string(cfg.numKeyValueHeads));

  const std::string act = f.optionalString("hidden_act", "silu");
  if (act != "silu" && act != "swish")  // transformers maps both names to SiLU
    throwUnsupported(source, "hidden_act '" + act + "' is not supported (only silu)");
  cfg.hiddenAct = "silu";

  // transformers 5 writes `dtype`; 4 wrote `torch_dtype`.
  const char* dtypeKey = f.present("dtype") ? "dtype" : "torch_dtype";
  cfg.dtype = f.optionalString(dtypeKey, "float32");
  if (!isSupportedDtype(cfg.dtype))
    throwUnsupported(source, "field '" + std::string(dtypeKey) + "' is '" + cfg.dtype +
                                 "'; only float32, bfloat16 and float16 are supported");

  const __int128 parameters = configParameterCount128(cfg);
  if (parameters > kMaxConfigParameters) {
    std::ostringstream count;
    count.precision(3);
    count << static_cast<long double>(parameters);
    throwInvalid(source, "sizes are implausibly large: this model would have about " + count.str() +
                             " parameters (the limit is 2^50, about 1.13e+15); is the file damaged?");
  }

  readRope(f, source, cfg);
  if (!(cfg.ropeTheta > 0.0)) throwInvalid(source, "field 'rope_theta' must be positive");

  const std::vector<int64_t> bos = f.tokenIds("bos_token_id");
  if (!bos.empty()) cfg.bosTokenId = bos.front();
  cfg.eosTokenIds = f.tokenIds("eos_token_id");
  if (!cfg.eosTokenIds.empty()) cfg.eosTokenId = cfg.eosTokenIds.front();
  return cfg;
}

}  // namespace

LlamaConfig LlamaConfig::fromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throwNotFound(path, "cannot open the model configuration file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throwIo(path, "read failed");
  return fromJsonText(ss.str(), path);
}

std::string LlamaConfig::toJsonText() const {
  json j;
  j["architectures"] = json::array({architecture});
  j["model_type"] = "llama";
  j["vocab_size"] = vocabSize;
  j["hidden_size"] = hiddenSize;
  j["intermediate_size"] = intermediateSize;
  j["num_hidden_layers"] = numHiddenLayers;
  j["num_attention_heads"] = numAttentionHeads;
  j["num_key_value_heads"] = numKeyValueHeads;
  j["head_dim"] = headDim;
  j["max_position_embeddings"] = maxPositionEmbeddings;
  j["rms_norm_eps"] = rmsNormEps;
  j["hidden_act"] = hiddenAct;
  j["tie_word_embeddings"] = tieWordEmbeddings;
  j["attention_bias"] = attentionBias;
  j["mlp_bias"] = mlpBias;
  j["dtype"] = dtype;
  json rope;
  rope["rope_type"] = ropeScaling.type;
  rope["rope_theta"] = ropeTheta;
  if (ropeScaling.type != "default") {
    rope["factor"] = ropeScaling.factor;
    rope["low_freq_factor"] = ropeScaling.lowFreqFactor;
    rope["high_freq_factor"] = ropeScaling.highFreqFactor;
    rope["original_max_position_embeddings"] = ropeScaling.originalMaxPositionEmbeddings;
  }
  j["rope_parameters"] = rope;
  j["bos_token_id"] = bosTokenId ? json(*bosTokenId) : json(nullptr);
  if (eosTokenIds.size() > 1) j["eos_token_id"] = eosTokenIds;
  else j["eos_token_id"] = eosTokenId ? json(*eosTokenId) : json(nullptr);
  return j.dump(2) + "\n";
}

int64_t LlamaConfig::parameterCount() const {
  const int64_t h = hiddenSize, q = numAttentionHeads * headDim, kv = numKeyValueHeads * headDim;
  int64_t attn = h * q + 2 * h * kv + q * h;
  if (attentionBias) attn += q + 2 * kv + h;  // o_proj carries a bias too when attention_bias is set
  int64_t mlp = 3 * h * intermediateSize;
  if (mlpBias) mlp += 2 * intermediateSize + h;
  const int64_t perLayer = attn + mlp + 2 * h;  // + input and post-attention RMSNorm weights
  const int64_t embed = vocabSize * h;
  return embed + numHiddenLayers * perLayer + h + (tieWordEmbeddings ? 0 : embed);
}

}  // namespace jq
