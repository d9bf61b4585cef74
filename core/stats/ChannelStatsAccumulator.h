// Per-channel statistics of activations, reduced while they stream past (llama.cpp's imatrix idea): the
// capture hook hands over batches of rows [N, C] (tokens × channels), the reduction runs on the batch's
// device and only C-sized results and a few sample rows ever reach the host. The result is plain C++ so
// the GUI can plot it without LibTorch.
//
// Definitions (n = rows seen, x_c = values of channel c):
//   mean      Σx_c / n
//   rms       sqrt(Σx_c² / n)
//   kurtosis  Pearson's (non-excess) kurtosis m4/m2² with population central moments
//             m_k = Σ(x_c - mean)^k / n  — a Gaussian channel gives 3, a Laplace channel 6
//             (scipy.stats.kurtosis(fisher=False, bias=True)). NaN for a constant channel (m2 = 0).
//   absmax    max|x_c|
// Moments are merged batch by batch in float64 with the pairwise update of Chan et al. / Pébay (2008), so
// neither a large mean nor many batches cancels the higher moments the way raw power sums would.
//
// Histogram: one histogram of all values of the layer (every channel), with edges fixed in advance so
// batches add up. Bins are half-open [e_k, e_{k+1}):
//   Linear  e_k = lo + k·(hi-lo)/bins over the values x;
//   LogAbs  over log10|x|: e_k = 10^(lo + k·(hi-lo)/bins) in |x| units (default 1e-4 … 1e4, ten bins per
//           decade), so both the bulk and the outliers are visible.
// Values below e_0 (for LogAbs also |x| = 0) count in `histUnderflow`, values ≥ e_bins and NaN in
// `histOverflow`; every value is counted exactly once.
//
// Sample rows: the first `sampleRows` rows seen, in order (consecutive tokens of the first sequence), for
// the classic token × channel heatmap.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

#include "stats/QuantError.h"

namespace jq {

enum class HistogramScale { Linear, LogAbs };

struct HistogramSettings {
  HistogramScale scale = HistogramScale::LogAbs;
  int bins = 80;
  double lo = -4.0;  // Linear: lowest value; LogAbs: log10 of the lowest |x|
  double hi = 4.0;   // Linear: highest value; LogAbs: log10 of the highest |x|
};

struct ChannelStatsSettings {
  HistogramSettings histogram;
  int topK = 8;               // outlier channels reported, by absmax
  int64_t sampleRows = 64;    // raw rows kept for heatmaps
  int quantBits = 4;          // per-token symmetric activation quantizer for `quant`
  double quantClipRatio = 1.0;
};

struct ChannelStats {
  int64_t rows = 0;
  int64_t channels = 0;
  std::vector<float> absmax, mean, rms, kurtosis;  // one value per channel

  HistogramSettings histogram;
  std::vector<double> histEdges;     // bins + 1 edges, in value units (|x| units for LogAbs)
  std::vector<int64_t> histCounts;   // bins
  int64_t histUnderflow = 0;
  int64_t histOverflow = 0;

  std::vector<int64_t> topChannels;  // channel indices, largest absmax first (ties: lower index first)
  std::vector<float> topAbsmax;

  int64_t sampleRowCount = 0;
  std::vector<float> sample;         // row-major [sampleRowCount, channels]

  int quantBits = 4;
  QuantError quant;                  // per-token fake-quantization error of all rows
};

class ChannelStatsAccumulator {
 public:
  explicit ChannelStatsAccumulator(ChannelStatsSettings settings = {});

  // rows: any floating tensor whose last dimension is the channel axis (leading dimensions are flattened).
  // The first batch fixes the channel count and the device the running sums live on. Throws
  // jq::Error(InvalidInput) for a non-floating tensor, a changed channel count or bad settings.
  void add(const at::Tensor& rows);

  int64_t rows() const { return n_; }
  // The statistics of everything added so far (the accumulator stays usable).
  ChannelStats result() const;
  void reset();

 private:
  ChannelStatsSettings settings_;
  int64_t n_ = 0;
  int64_t channels_ = 0;
  at::Tensor mean_, m2_, m3_, m4_, absmax_;  // float64 [C] on the data's device
  at::Tensor hist_;                          // int64 [bins + 2]: underflow, bins…, overflow
  std::vector<float> sample_;
  int64_t sampleCount_ = 0;
  QuantError quant_;
};

// One-shot convenience: statistics of a single tensor.
ChannelStats computeChannelStats(const at::Tensor& rows, const ChannelStatsSettings& settings = {});

}  // namespace jq
