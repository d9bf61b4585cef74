// The subset of a Hugging Face `config.json` that defines a Llama-family model's computation.
// Reads both transformers-4 style (`rope_scaling`, `rope_theta`, `torch_dtype`) and transformers-5 style
// (`rope_parameters` holding `rope_theta` and the scaling, `dtype`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jq {

struct RopeScaling {
  // "default" (no scaling) or "llama3"; anything else is rejected as unsupported when loading.
  std::string type = "default";
  double factor = 1.0;
  double lowFreqFactor = 1.0;
  double highFreqFactor = 4.0;
  int64_t originalMaxPositionEmbeddings = 8192;
};

struct LlamaConfig {
  std::string architecture = "LlamaForCausalLM";
  int64_t vocabSize = 0;
  int64_t hiddenSize = 0;
  int64_t intermediateSize = 0;
  int64_t numHiddenLayers = 0;
  int64_t numAttentionHeads = 0;
  int64_t numKeyValueHeads = 0;     // defaults to numAttentionHeads
  int64_t headDim = 0;              // defaults to hiddenSize / numAttentionHeads
  int64_t maxPositionEmbeddings = 2048;
  double rmsNormEps = 1e-6;
  double ropeTheta = 10000.0;
  RopeScaling ropeScaling;
  bool tieWordEmbeddings = false;
  bool attentionBias = false;
  bool mlpBias = false;
  std::string hiddenAct = "silu";
  std::string dtype = "float32";    // "float32", "bfloat16" or "float16" as saved
  std::optional<int64_t> bosTokenId;
  std::optional<int64_t> eosTokenId; // first id when a list is given
  std::vector<int64_t> eosTokenIds;  // every id (Llama 3.1+ instruct models list several)

  // Parse and validate; `source` names the file in error messages. Throws jq::Error (InvalidInput for
  // missing/ill-typed/inconsistent fields, Unsupported for other architectures, activations, dtypes or rope
  // types). Accepted when `architectures` lists LlamaForCausalLM or `model_type` is "llama". `null` counts as
  // absent for optional fields (`rope_scaling: null`, `head_dim: null`), as transformers treats it.
  static LlamaConfig fromJsonText(const std::string& text, const std::string& source = "config.json");
  static LlamaConfig fromFile(const std::string& path);   // NotFound when the file cannot be read
  // Writes transformers-5 style JSON (what current `save_pretrained` writes).
  std::string toJsonText() const;

  int64_t kvGroups() const { return numAttentionHeads / numKeyValueHeads; }
  // Parameter count as transformers' num_parameters(): every weight, bias and norm vector, tied embeddings once.
  int64_t parameterCount() const;
};

}  // namespace jq
