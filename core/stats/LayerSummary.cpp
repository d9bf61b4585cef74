#include "stats/LayerSummary.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace jq {

LayerSummary summarizeChannels(const std::vector<float>& perChannel) {
  constexpr float nan = std::numeric_limits<float>::quiet_NaN();
  LayerSummary s;
  std::vector<int64_t> idx;
  for (size_t i = 0; i < perChannel.size(); ++i)
    if (!std::isnan(perChannel[i])) idx.push_back(int64_t(i));
  const size_t k = std::min<size_t>(3, idx.size());
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int64_t a, int64_t b) {
    const float va = perChannel[size_t(a)], vb = perChannel[size_t(b)];
    return va > vb || (va == vb && a < b);
  });
  for (size_t i = 0; i < 3; ++i) {
    s.top[i] = i < k ? perChannel[size_t(idx[i])] : nan;
    s.topChannel[i] = i < k ? idx[i] : -1;
  }
  if (idx.empty()) {
    s.median = nan;
    s.maxOverMedian = nan;
    return s;
  }
  std::vector<double> v;
  v.reserve(idx.size());
  for (int64_t i : idx) v.push_back(perChannel[size_t(i)]);
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  double median = v[mid];
  if (v.size() % 2 == 0) median = 0.5 * (median + *std::max_element(v.begin(), v.begin() + mid));
  s.median = float(median);
  s.maxOverMedian = median == 0.0 ? std::numeric_limits<float>::infinity() : float(double(s.top[0]) / median);
  return s;
}

std::vector<LayerSummary> summarizeLayers(const std::vector<ChannelStats>& layers) {
  std::vector<LayerSummary> out;
  out.reserve(layers.size());
  for (const auto& l : layers) out.push_back(summarizeChannels(l.absmax));
  return out;
}

}  // namespace jq
