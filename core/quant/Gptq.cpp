#include "quant/Gptq.h"

#include <cmath>
#include <tuple>
#include <vector>

namespace jq {
namespace {

[[noreturn]] void fail(const std::string& message, const ErrorContext& where) {
  throw Error(ErrorKind::InvalidInput, message, where);
}

at::Tensor choleskyOrThrow(const at::Tensor& a, bool upper, const char* what, const ErrorContext& where) {
  at::Tensor factor, info;
  std::tie(factor, info) = at::linalg_cholesky_ex(a, upper);
  const auto bad = info.item<int64_t>();
  if (bad != 0)
    fail(std::string("GPTQ: ") + what + " is not positive definite (leading minor " + std::to_string(bad) +
             "); raise percDamp or use more calibration samples",
         where);
  return factor;
}

}  // namespace

GptqHessian::GptqHessian(int64_t columns, at::ScalarType dtype) : columns_(columns), dtype_(dtype) {
  if (columns < 1) throw Error(ErrorKind::InvalidInput, "GPTQ Hessian needs at least one column, got " + std::to_string(columns));
  if (dtype != at::kFloat && dtype != at::kDouble)
    throw Error(ErrorKind::InvalidInput, std::string("GPTQ Hessian is accumulated in float32 or float64, not ") + c10::toString(dtype));
}

void GptqHessian::addBatch(const at::Tensor& x) {
  if (!x.defined() || x.dim() < 2 || x.size(-1) != columns_)
    throw Error(ErrorKind::InvalidInput, "GPTQ Hessian of " + std::to_string(columns_) +
                                             " columns needs inputs [..., tokens, " + std::to_string(columns_) + "]" +
                                             (x.defined() && x.dim() >= 1 ? ", got last dimension " + std::to_string(x.size(-1)) : ""));
  int64_t batch = 1;
  for (int64_t d = 0; d + 2 < x.dim(); ++d) batch *= x.size(d);
  if (!h_.defined()) h_ = at::zeros({columns_, columns_}, x.options().dtype(dtype_));
  if (batch == 0) return;
  h_.mul_(double(samples_) / double(samples_ + batch));
  samples_ += batch;
  const auto rows = x.reshape({-1, columns_}).to(h_.options()).mul(std::sqrt(2.0 / double(samples_)));
  h_.add_(at::matmul(rows.t(), rows));
}

at::Tensor GptqHessian::hessian() const {
  return h_.defined() ? h_ : at::zeros({columns_, columns_}, at::TensorOptions().dtype(dtype_));
}

GptqResult gptqQuantize(const at::Tensor& weight, const at::Tensor& hessian, const WeightQuantConfig& quant,
                        const GptqConfig& gptq, const JobContext& job, const ErrorContext& where) {
  validate(quant);
  validate(gptq);
  if (!weight.defined() || weight.dim() != 2 || weight.size(0) == 0 || weight.size(1) == 0 || !at::isFloatingType(weight.scalar_type()))
    fail("GPTQ needs a non-empty floating-point 2-D weight [out, in]", where);
  const int64_t rows = weight.size(0);
  const int64_t cols = weight.size(1);
  if (!hessian.defined() || hessian.dim() != 2 || hessian.size(0) != cols || hessian.size(1) != cols)
    fail("GPTQ Hessian must be [" + std::to_string(cols) + ", " + std::to_string(cols) + "] to match the weight's input dimension", where);

  GptqResult result;
  if (quant.bits >= 16) {
    result.weight = weight;
    return result;
  }
  const auto computeType = weight.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
  auto W = weight.to(computeType).clone();
  auto H = hessian.to(W.options()).clone();
  const bool grouped = quant.groupSize > 0;
  const int64_t groupSize = grouped ? std::min(quant.groupSize, cols) : cols;
  const int64_t groupCount = (cols + groupSize - 1) / groupSize;

  QuantParams params;
  if (!grouped) params = findWeightQuantParams(W, quant);

  const auto dead = H.diagonal() == 0;
  H.diagonal().masked_fill_(dead, 1.0);
  W.masked_fill_(dead.unsqueeze(0), 0.0);

  std::vector<QuantParams> groupParams(grouped ? groupCount : 0);
  if (grouped && gptq.staticGroups)
    for (int64_t g = 0; g < groupCount; ++g)
      groupParams[g] = findWeightQuantParams(W.narrow(1, g * groupSize, std::min(groupSize, cols - g * groupSize)), quant);

  at::Tensor perm, invperm;
  std::vector<int64_t> permHost;
  if (gptq.actOrder) {
    perm = at::argsort(H.diagonal(), /*dim=*/0, /*descending=*/true);
    W = W.index_select(1, perm);
    H = H.index_select(0, perm).index_select(1, perm);
    invperm = at::argsort(perm);
    const auto p = perm.to(at::kCPU).contiguous();
    permHost.assign(p.data_ptr<int64_t>(), p.data_ptr<int64_t>() + cols);
  }

  const double damp = gptq.percDamp * H.diagonal().mean().item<double>();
  H.diagonal().add_(damp);
  const auto L = choleskyOrThrow(H, false, "the damped Hessian", where);
  const auto U = choleskyOrThrow(at::cholesky_inverse(L), true, "the inverse Hessian", where);

  auto Q = at::zeros_like(W);
  auto losses = at::zeros({rows}, W.options());
  for (int64_t i1 = 0; i1 < cols; i1 += gptq.blockSize) {
    job.checkCancelled("gptq");
    const int64_t i2 = std::min(i1 + gptq.blockSize, cols);
    const int64_t count = i2 - i1;
    auto W1 = W.narrow(1, i1, count).clone();
    auto Q1 = at::zeros_like(W1);
    auto Err1 = at::zeros_like(W1);
    const auto U1 = U.narrow(0, i1, count).narrow(1, i1, count);
    for (int64_t i = 0; i < count; ++i) {
      const int64_t col = i1 + i;
      if (grouped) {
        if (!gptq.staticGroups) {
          if (col % groupSize == 0) {
            params = findWeightQuantParams(W.narrow(1, col, std::min(groupSize, cols - col)), quant);
            groupParams[col / groupSize] = params;
          }
        } else {
          const int64_t original = gptq.actOrder ? permHost[col] : col;
          params = groupParams[original / groupSize];
        }
      }
      const auto w = W1.select(1, i);
      const auto d = U1[i][i];
      const auto q = fakeQuantize(w.unsqueeze(1), params).squeeze(1);
      Q1.select(1, i).copy_(q);
      const auto err = (w - q) / d;
      losses.add_(err * err);
      W1.narrow(1, i, count - i).sub_(err.unsqueeze(1) * U1.select(0, i).narrow(0, i, count - i).unsqueeze(0));
      Err1.select(1, i).copy_(err);
    }
    Q.narrow(1, i1, count).copy_(Q1);
    if (i2 < cols) W.narrow(1, i2, cols - i2).sub_(at::matmul(Err1, U.narrow(0, i1, count).narrow(1, i2, cols - i2)));
    job.report("gptq", i2, cols);
  }

  if (gptq.actOrder) Q = Q.index_select(1, invperm);
  if (at::isnan(Q).any().item<bool>()) fail("GPTQ produced NaN weights", where);

  result.weight = Q.to(weight.scalar_type());
  result.loss = losses.sum().item<double>() / 2.0;
  // Dynamic groups are runs of the processing order; map each original column to its position's run.
  std::vector<int64_t> groupIndex(cols, 0);
  if (grouped) {
    for (int64_t pos = 0; pos < cols; ++pos) {
      const int64_t original = gptq.actOrder ? permHost[pos] : pos;
      groupIndex[original] = (gptq.staticGroups ? original : pos) / groupSize;
    }
    std::vector<at::Tensor> scales, zeros;
    for (const auto& p : groupParams) {
      scales.push_back(p.scale);
      zeros.push_back(p.zero);
    }
    result.scale = at::cat(scales, 1);
    result.zero = at::cat(zeros, 1);
  } else {
    result.scale = params.scale;
    result.zero = params.zero;
  }
  result.groupIndex = at::tensor(groupIndex, at::kLong).to(weight.device());
  return result;
}

}  // namespace jq
