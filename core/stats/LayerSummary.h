// One line per layer for the outlier overview: how far the largest channels stand above the typical one.
// Computed from any per-channel vector; summarizeLayers() uses each layer's absmax.
#pragma once

#include <cstdint>
#include <vector>

#include "stats/ChannelStatsAccumulator.h"

namespace jq {

struct LayerSummary {
  float top[3] = {0, 0, 0};        // the three largest values, largest first (NaN where fewer channels)
  int64_t topChannel[3] = {-1, -1, -1};
  float median = 0;                // of all channels; the mean of the two middle values for an even count
  float maxOverMedian = 0;         // top[0] / median; +inf when the median is 0, NaN when there is no channel
};

// NaN entries are ignored (a constant channel's kurtosis, for instance).
LayerSummary summarizeChannels(const std::vector<float>& perChannel);
std::vector<LayerSummary> summarizeLayers(const std::vector<ChannelStats>& layers);

}  // namespace jq
