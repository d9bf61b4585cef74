// Perplexity as the published W4A4 numbers compute it (GPTQ/QuaRot/DartQuant evaluation loops):
// the whole test text tokenized once (BOS first where the tokenizer's post-processor adds one), cut into
// floor(N / seqlen) non-overlapping windows, PPL = exp(mean next-token NLL over all windows), the NLL taken
// from float32 log-probabilities of the model's logits (as transformers upcasts them for the loss).
// Distributed (DistributedContext with several ranks): rank r evaluates its contiguous block of windows, the NLL sums
// (float64) and token counts are summed over ranks, and every rank returns the same result; only the summation
// order differs from one process.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/Job.h"

namespace jq {

class DistributedContext;
class LlamaModel;

struct PerplexityOptions {
  int64_t seqlen = 2048;
  int64_t batchSize = 1;                 // windows per forward pass
  std::optional<int64_t> maxWindows;     // C4's convention: at most 256 windows
  std::string textFile;                  // where the tokens came from, and the tokenizer that made them:
  std::string tokenizerFile;             // named in the errors about them (may be empty)
};

struct PerplexityResult {
  double perplexity = 0.0;
  double nllSum = 0.0;        // natural log, summed over every predicted token
  int64_t predicted = 0;      // windows × (seqlen − 1)
  int64_t windows = 0;
  int64_t tokens = 0;         // tokens of the whole text, BOS included
  int64_t seqlen = 0;
  double seconds = 0.0;       // forward passes only (distributed: from a barrier to the reduced result)
  double tokensPerSecond = 0.0;  // windows × seqlen / seconds
};

class PerplexityEvaluator {
 public:
  explicit PerplexityEvaluator(PerplexityOptions options = {});
  // `dist` must outlive the evaluator; every rank must call evaluate() with the same tokens and options.
  PerplexityEvaluator(PerplexityOptions options, const DistributedContext& dist) : options_(options), dist_(&dist) {}

  // Reports progress as stage "eval" per window batch; throws jq::Error(Cancelled) when cancelled, and
  // InvalidInput when the text has fewer tokens than one window or a token id is outside the model's vocabulary.
  PerplexityResult evaluate(const LlamaModel& model, const std::vector<int64_t>& tokens,
                            const JobContext& job = {}) const;

  // Sum of next-token NLL of one batch of windows [B, T] (int64), for callers that drive the model themselves.
  static double windowNllSum(const at::Tensor& logits, const at::Tensor& ids);

 private:
  PerplexityOptions options_;
  const DistributedContext* dist_;
};

}  // namespace jq
