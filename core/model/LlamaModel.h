// A Llama-family causal LM that computes exactly what transformers' LlamaForCausalLM computes (eager attention,
// same casts), with its weights exposed as plain mutable data so that rotation, quantization and calibration
// code can rewrite it without the model depending on them.
//
// Two placements of the weights:
//  * Device: every weight lives on the compute device (small models, the fastest path).
//  * Host:   weights stay on the host -- memory-mapped from the checkpoint when its dtype is the model dtype,
//            else converted host copies -- and each piece (one decoder layer, the embedding rows, the head) is
//            copied to the compute device only while it runs, then released. This is how an 8B model calibrates
//            on one GPU, as GPTQ and QuaRot do it. Both placements give identical results.
// Memory-mapped host weights are read-only: replace tensors (W = W R), never modify them in place.
//
// The forward pass can be run as a whole (forward) or piece by piece (embed, rope, layerForward,
// finalNorm/head) by layer-wise algorithms; forward() is exactly the composition of the pieces.
// Nothing here disables autograd: callers that do not need gradients use at::NoGradGuard.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/Job.h"
#include "model/DecoderLayer.h"
#include "model/Linear.h"
#include "model/LlamaConfig.h"
#include "model/LlamaOps.h"
#include "model/RotaryEmbedding.h"

namespace jq {

enum class WeightPlacement { Device, Host };

struct ModelOptions {
  std::optional<at::ScalarType> dtype;  // float32, bfloat16 or float16; unset = the config's dtype
  at::Device device = at::kCPU;         // where the computation runs
  WeightPlacement placement = WeightPlacement::Device;
  AttentionImpl attention = AttentionImpl::Eager;
  bool checkFinite = true;  // reject NaN/Inf weights at load (one pass over every tensor)
};

struct ForwardOptions {
  bool outputHiddenStates = false;
  at::Tensor positions;  // [T] or [B, T]; undefined = 0..T-1 for every row
};

struct ForwardOutput {
  at::Tensor logits;  // [B, T, vocab] in the model dtype
  // With outputHiddenStates, transformers' tuple: L + 1 entries [B, T, hidden]; [0] the embeddings,
  // [i] for 0 < i < L the output of layer i-1 (= the input of layer i), [L] the output of the last layer
  // AFTER the final norm. (The last layer's un-normed output is not part of it, as in transformers.)
  std::vector<at::Tensor> hiddenStates;
};

enum class HookPoint { LinearInput, LinearOutput };
// `layer` is the decoder layer index, or numLayers() for lm_head. Inputs are seen after the Linear's
// inputTransform (what multiplies the weight), outputs after the bias. Shapes [B, T, features].
using LinearHook = std::function<void(int layer, LinearKind kind, const at::Tensor& x)>;

class LlamaModel {
 public:
  // Reads `dir`/config.json and the checkpoint's safetensors (sharded or not). Every tensor is checked for
  // presence, floating dtype and shape against the config before any data is read, and for NaN/Inf after
  // conversion; failures throw jq::Error naming the file and tensor. Reports progress per tensor ("load")
  // and honours cancellation between tensors.
  static LlamaModel load(const std::string& dir, const ModelOptions& options = {}, const JobContext& job = {});
  // Same checks on tensors named as in a transformers checkpoint (for tests, random models, round trips).
  static LlamaModel fromTensors(const LlamaConfig& config, std::map<std::string, at::Tensor> tensors,
                                const ModelOptions& options = {});

  // Bytes of all weights of `config` in `dtype`, counting a tied head once; and of the largest piece that
  // Host placement holds on the device at a time (a decoder layer, or the head).
  static int64_t weightBytes(const LlamaConfig& config, at::ScalarType dtype);
  static int64_t largestPieceBytes(const LlamaConfig& config, at::ScalarType dtype);

  LlamaModel(LlamaModel&&) noexcept;
  LlamaModel& operator=(LlamaModel&&) noexcept;
  LlamaModel(const LlamaModel&) = delete;  // would silently share every weight
  LlamaModel& operator=(const LlamaModel&) = delete;
  ~LlamaModel();

  const LlamaConfig& config() const { return config_; }
  const ModelOptions& options() const { return options_; }
  at::ScalarType dtype() const { return dtype_; }
  at::Device device() const { return options_.device; }
  int numLayers() const { return int(layers_.size()); }

  // --- Weights (replace freely; call validate() after a rewrite to catch shape mistakes early) ---
  at::Tensor& embedTokens() { return embed_; }  // [vocab, hidden]
  const at::Tensor& embedTokens() const { return embed_; }
  DecoderLayer& layer(int i);
  const DecoderLayer& layer(int i) const;
  at::Tensor& finalNormWeight() { return norm_; }  // model.norm.weight [hidden]
  const at::Tensor& finalNormWeight() const { return norm_; }
  Linear& lmHead() { return lmHead_; }  // shares embedTokens()'s tensor while tied
  const Linear& lmHead() const { return lmHead_; }
  bool embeddingsTied() const;
  // Gives lm_head its own copy of the embedding so that the two can be rotated/fused separately.
  void untieEmbeddings();
  // Moves every weight to `device` (a tied head stays tied), e.g. to the host while calibration needs the GPU for
  // captured rows, and back. The compute device stays options().device: bring the weights back before running.
  // Back on a Device-placement model's own device, the one-GEMM groups are packed again (see packLinears).
  void moveWeightsTo(at::Device device);
  // Shapes of every weight against the config; throws jq::Error(InvalidInput) naming the tensor.
  void validate() const;
  int64_t parameterBytes() const;
  // The weights under transformers' names (no lm_head.weight while tied), e.g. to save a rotated model.
  std::map<std::string, at::Tensor> stateDict() const;

  // --- Hooks on every projection's input and output (capture, GPTQ statistics) ---
  int addHook(HookPoint point, LinearHook hook);  // returns an id for removeHook
  void removeHook(int id);
  void clearHooks();

  // --- Pieces of the forward pass ---
  // ids [B, T] (or [T]) of token ids -> embeddings [B, T, hidden] on the compute device.
  at::Tensor embed(const at::Tensor& ids) const;
  // cos/sin for positions [T] or [B, T]; rope(T) for 0..T-1.
  RopeCache rope(const at::Tensor& positions) const;
  RopeCache rope(int64_t seqLen) const;
  const RotaryEmbedding& rotaryEmbedding() const { return rotary_; }
  // One decoder layer on hidden [B, T, hidden]. Under Host placement its weights are brought to the device
  // for this call only; use layerOnDevice() + the second overload to run one layer over many batches.
  at::Tensor layerForward(int i, const at::Tensor& hidden, const RopeCache& rope) const;
  at::Tensor layerForward(int i, const DecoderLayer& weights, const at::Tensor& hidden, const RopeCache& rope) const;
  DecoderLayer layerOnDevice(int i) const;
  at::Tensor finalNorm(const at::Tensor& hidden) const;
  at::Tensor head(const at::Tensor& normed) const;  // lm_head
  at::Tensor finalNormAndHead(const at::Tensor& hidden) const { return head(finalNorm(hidden)); }

  // Throws jq::Error(Unsupported) when this LibTorch cannot run the dtype on the device (see matmulSupported).
  at::Tensor forward(const at::Tensor& ids) const;  // logits [B, T, vocab]
  ForwardOutput forward(const at::Tensor& ids, const ForwardOptions& options) const;

 private:
  LlamaModel();
  struct Source;
  static LlamaModel build(const LlamaConfig& config, const Source& source, const ModelOptions& options,
                          const JobContext& job);
  at::Tensor runLinear(int layer, LinearKind kind, const Linear& linear, const at::Tensor& x) const;
  void runHooks(HookPoint point, int layer, LinearKind kind, const at::Tensor& x) const;
  void requireRunnable() const;

  LlamaConfig config_;
  ModelOptions options_;
  at::ScalarType dtype_ = at::kFloat;
  at::Tensor embed_;
  std::vector<DecoderLayer> layers_;
  at::Tensor norm_;
  Linear lmHead_;
  RotaryEmbedding rotary_;
  struct HookEntry {
    int id;
    HookPoint point;
    LinearHook hook;
  };
  std::vector<HookEntry> hooks_;
  int nextHookId_ = 1;
  // rope(T) for the lengths seen so far: evaluation asks for the same T every batch (shared, so the model stays
  // movable; guarded by its own mutex for concurrent const use).
  struct RopeByLength;
  std::shared_ptr<RopeByLength> ropeByLength_;
};

// "float32" / "bfloat16" / "float16" (also "fp32", "bf16", "fp16") -> scalar type; throws Unsupported otherwise.
at::ScalarType modelDtypeFromName(const std::string& name);

}  // namespace jq
