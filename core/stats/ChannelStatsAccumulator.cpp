#include "stats/ChannelStatsAccumulator.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/Error.h"

namespace jq {

namespace {

std::vector<float> toFloatVector(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kFloat).cpu().contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

void checkSettings(const ChannelStatsSettings& s) {
  const auto& h = s.histogram;
  if (h.bins < 1 || !(h.hi > h.lo) || !std::isfinite(h.lo) || !std::isfinite(h.hi))
    throw Error(ErrorKind::InvalidInput, "histogram needs bins >= 1 and finite lo < hi");
  if (s.topK < 0 || s.sampleRows < 0)
    throw Error(ErrorKind::InvalidInput, "channel statistics need topK >= 0 and sampleRows >= 0");
  if (s.quantBits < 2 || s.quantBits > 16)
    throw Error(ErrorKind::InvalidInput, "channel statistics support 2 to 16 quantization bits");
}

// Bin index of every value, shifted by one so that 0 = underflow and bins + 1 = overflow (NaN included).
at::Tensor histogramCounts(const at::Tensor& x64, const HistogramSettings& h) {
  const double scale = double(h.bins) / (h.hi - h.lo);
  at::Tensor t = (h.scale == HistogramScale::LogAbs) ? (at::log10(x64.abs()) - h.lo) * scale : (x64 - h.lo) * scale;
  t = at::nan_to_num(t, /*nan=*/double(h.bins), /*posinf=*/double(h.bins), /*neginf=*/-1.0);
  const at::Tensor idx = at::floor(t).clamp(-1.0, double(h.bins)).to(at::kLong) + 1;
  return at::bincount(idx.reshape({-1}), /*weights=*/{}, /*minlength=*/h.bins + 2);
}

}  // namespace

ChannelStatsAccumulator::ChannelStatsAccumulator(ChannelStatsSettings settings) : settings_(std::move(settings)) {
  checkSettings(settings_);
}

void ChannelStatsAccumulator::reset() {
  n_ = 0;
  channels_ = 0;
  mean_ = m2_ = m3_ = m4_ = absmax_ = hist_ = at::Tensor();
  sample_.clear();
  sampleCount_ = 0;
  quant_ = QuantError{};
}

void ChannelStatsAccumulator::add(const at::Tensor& input) {
  if (!input.defined() || !at::isFloatingType(input.scalar_type()) || input.dim() < 1)
    throw Error(ErrorKind::InvalidInput, "channel statistics need a floating-point tensor [rows, channels]");
  const int64_t c = input.size(-1);
  if (channels_ != 0 && c != channels_)
    throw Error(ErrorKind::InvalidInput, "channel statistics got " + std::to_string(c) + " channels after " +
                                             std::to_string(channels_));
  at::NoGradGuard noGrad;
  const at::Tensor x = input.detach().reshape({-1, c});
  const int64_t nb = x.size(0);
  if (nb == 0) return;
  if (channels_ == 0) {
    channels_ = c;
    const auto opts = x.options().dtype(at::kDouble);
    mean_ = at::zeros({c}, opts);
    m2_ = at::zeros({c}, opts);
    m3_ = at::zeros({c}, opts);
    m4_ = at::zeros({c}, opts);
    absmax_ = at::zeros({c}, opts);
    hist_ = at::zeros({settings_.histogram.bins + 2}, opts.dtype(at::kLong));
  }
  const at::Tensor x64 = x.to(mean_.device(), at::kDouble);

  // Central moments of this batch (two passes, exact enough in float64), then the pairwise merge.
  const at::Tensor meanB = x64.mean(0);
  const at::Tensor d = x64 - meanB;
  const at::Tensor d2 = d * d;
  const at::Tensor m2B = d2.sum(0);
  const at::Tensor m3B = (d2 * d).sum(0);
  const at::Tensor m4B = (d2 * d2).sum(0);
  const double na = double(n_), nbd = double(nb), n = na + nbd;
  const at::Tensor delta = meanB - mean_;
  const at::Tensor delta2 = delta * delta;
  const at::Tensor m4 = m4_ + m4B + delta2 * delta2 * (na * nbd * (na * na - na * nbd + nbd * nbd) / (n * n * n)) +
                        delta2 * (na * na * m2B + nbd * nbd * m2_) * (6.0 / (n * n)) +
                        delta * (na * m3B - nbd * m3_) * (4.0 / n);
  const at::Tensor m3 = m3_ + m3B + delta2 * delta * (na * nbd * (na - nbd) / (n * n)) +
                        delta * (na * m2B - nbd * m2_) * (3.0 / n);
  const at::Tensor m2 = m2_ + m2B + delta2 * (na * nbd / n);
  mean_ = mean_ + delta * (nbd / n);
  m2_ = m2;
  m3_ = m3;
  m4_ = m4;
  absmax_ = at::maximum(absmax_, x64.abs().amax(0));
  hist_ += histogramCounts(x64, settings_.histogram);

  if (sampleCount_ < settings_.sampleRows) {
    const int64_t take = std::min(settings_.sampleRows - sampleCount_, nb);
    const std::vector<float> rows = toFloatVector(x.narrow(0, 0, take));
    sample_.insert(sample_.end(), rows.begin(), rows.end());
    sampleCount_ += take;
  }
  quant_.add(perTokenQuantError(x, settings_.quantBits, settings_.quantClipRatio));
  n_ += nb;
}

ChannelStats ChannelStatsAccumulator::result() const {
  ChannelStats s;
  s.rows = n_;
  s.channels = channels_;
  s.histogram = settings_.histogram;
  s.quantBits = settings_.quantBits;
  s.quant = quant_;
  const auto& h = settings_.histogram;
  for (int k = 0; k <= h.bins; ++k) {
    const double e = h.lo + (h.hi - h.lo) * double(k) / double(h.bins);
    s.histEdges.push_back(h.scale == HistogramScale::LogAbs ? std::pow(10.0, e) : e);
  }
  s.histCounts.assign(h.bins, 0);
  if (n_ == 0) return s;

  at::NoGradGuard noGrad;
  const double n = double(n_);
  s.mean = toFloatVector(mean_);
  s.rms = toFloatVector(at::sqrt(m2_ / n + mean_ * mean_));
  const at::Tensor kurt = at::where(m2_ > 0, m4_ * n / (m2_ * m2_), at::full_like(m2_, std::nan("")));
  s.kurtosis = toFloatVector(kurt);
  s.absmax = toFloatVector(absmax_);

  const at::Tensor counts = hist_.cpu().contiguous();
  const int64_t* cp = counts.data_ptr<int64_t>();
  s.histUnderflow = cp[0];
  std::copy(cp + 1, cp + 1 + h.bins, s.histCounts.begin());
  s.histOverflow = cp[h.bins + 1];

  std::vector<int64_t> order(static_cast<size_t>(channels_));
  std::iota(order.begin(), order.end(), 0);
  const int64_t k = std::min<int64_t>(settings_.topK, channels_);
  std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) {
    const float va = s.absmax[size_t(a)], vb = s.absmax[size_t(b)];
    return va > vb || (va == vb && a < b);
  });
  for (int64_t i = 0; i < k; ++i) {
    s.topChannels.push_back(order[size_t(i)]);
    s.topAbsmax.push_back(s.absmax[size_t(order[size_t(i)])]);
  }
  s.sampleRowCount = sampleCount_;
  s.sample = sample_;
  return s;
}

ChannelStats computeChannelStats(const at::Tensor& rows, const ChannelStatsSettings& settings) {
  ChannelStatsAccumulator acc(settings);
  acc.add(rows);
  return acc.result();
}

}  // namespace jq
