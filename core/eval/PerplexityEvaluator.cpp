#include "eval/PerplexityEvaluator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "common/Error.h"
#include "common/Log.h"
#include "dist/DistributedContext.h"
#include "model/LlamaModel.h"

namespace jq {

PerplexityEvaluator::PerplexityEvaluator(PerplexityOptions options)
    : options_(options), dist_(&DistributedContext::single()) {}

double PerplexityEvaluator::windowNllSum(const at::Tensor& logits, const at::Tensor& ids) {
  // Predict token t+1 from position t; float32 log-softmax like transformers' loss.
  const int64_t b = logits.size(0), t = logits.size(1), vocab = logits.size(-1);
  // log_softmax reads the model-dtype logits and writes float32 directly: the same values as converting first,
  // without writing and re-reading a float32 copy of the largest tensor of the evaluation. It runs on every
  // position (the last one's row is not used): slicing first would copy the logits of the rest.
  const at::Tensor lp = at::log_softmax(logits.reshape({b * t, vocab}), -1, at::kFloat).view({b, t, vocab});
  const at::Tensor target = ids.slice(1, 1).unsqueeze(-1).to(lp.device());
  const at::Tensor nll = -lp.slice(1, 0, t - 1).gather(2, target);
  return nll.to(at::kDouble).sum().item<double>();
}

PerplexityResult PerplexityEvaluator::evaluate(const LlamaModel& model, const std::vector<int64_t>& tokens,
                                               const JobContext& job) const {
  const int64_t seqlen = options_.seqlen;
  if (seqlen < 2) throw Error(ErrorKind::InvalidInput, "perplexity needs a sequence length of at least 2");
  if (seqlen > model.config().maxPositionEmbeddings)
    JQ_WARN("seqlen " << seqlen << " exceeds the model's max_position_embeddings "
                      << model.config().maxPositionEmbeddings);
  const int64_t n = static_cast<int64_t>(tokens.size());
  int64_t windows = n / seqlen;
  if (options_.maxWindows) windows = std::min(windows, *options_.maxWindows);
  if (windows < 1)
    throw Error(ErrorKind::InvalidInput,
                "text has " + std::to_string(n) + " tokens, fewer than one window of " + std::to_string(seqlen),
                {options_.textFile, {}, {}});
  const int64_t vocab = model.config().vocabSize;
  for (int64_t id : tokens)
    if (id < 0 || id >= vocab)
      throw Error(ErrorKind::InvalidInput,
                  "token id " + std::to_string(id) + " is outside the model's vocabulary of " + std::to_string(vocab) +
                      " (tokenizer and model do not match)",
                  {options_.tokenizerFile, {}, {}});

  // This rank's windows: a contiguous block, so each window's NLL is computed exactly as in one process.
  const ShardRange mine = dist_->shard(windows);
  at::Tensor all = at::from_blob(const_cast<int64_t*>(tokens.data()) + mine.begin * seqlen, {mine.size(), seqlen},
                                 at::kLong);  // ids go to the device per batch, checked on the host (no sync)
  const int64_t batch = std::max<int64_t>(1, options_.batchSize);
  at::NoGradGuard noGrad;
  PerplexityResult r;
  r.windows = windows;
  r.tokens = n;
  r.seqlen = seqlen;
  if (model.device().is_cuda() && mine.size() > 0) {
    // One untimed pass over the first batch: cuBLAS handles, kernel selection and the caching allocator's first
    // blocks are one-time costs, so the reported seconds are the steady state (as the benchmarks of the Python
    // tools measure it).
    (void)model.forward(all.slice(0, 0, std::min(mine.size(), batch))).sum().item<double>();
  }
  dist_->barrier();
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t start = 0; start < mine.size(); start += batch) {
    job.checkCancelled("perplexity evaluation");
    const int64_t end = std::min(mine.size(), start + batch);
    at::Tensor ids = all.slice(0, start, end);
    at::Tensor logits = model.forward(ids);
    r.nllSum += windowNllSum(logits, ids);
    job.report("eval", end, mine.size(), "window " + std::to_string(mine.begin + end) + "/" + std::to_string(windows));
  }
  std::vector<double> sums{r.nllSum};
  dist_->allReduceSum(sums);
  r.nllSum = sums[0];
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.predicted = windows * (seqlen - 1);
  r.perplexity = std::exp(r.nllSum / double(r.predicted));
  r.tokensPerSecond = r.seconds > 0 ? double(windows * seqlen) / r.seconds : 0.0;
  return r;
}

}  // namespace jq
