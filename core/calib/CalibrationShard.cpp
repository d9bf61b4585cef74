#include "calib/CalibrationShard.h"

#include <string>

#include "common/Error.h"

namespace jq {

CalibrationShard CalibrationShard::of(const DistributedContext& dist, int64_t windows) {
  if (windows < dist.worldSize())
    throw Error(ErrorKind::InvalidInput, "sharded calibration needs at least one calibration window per rank (" +
                                             std::to_string(windows) + " windows for " +
                                             std::to_string(dist.worldSize()) + " ranks)");
  CalibrationShard s;
  s.dist = &dist;
  s.windows = windows;
  s.mine = dist.shard(windows);
  return s;
}

int64_t CalibrationShard::globalItems(int64_t localItems) const {
  if (!sharded()) return localItems;
  if (mine.size() <= 0 || localItems % mine.size() != 0)
    throw Error(ErrorKind::Internal, "calibration shard: " + std::to_string(localItems) +
                                         " local items are not a whole number of modules of " +
                                         std::to_string(mine.size()) + " windows");
  return localItems / mine.size() * windows;
}

int64_t CalibrationShard::localItem(int64_t g, int64_t localItems) const {
  if (!sharded()) return g < localItems ? g : -1;
  (void)localItems;
  const int64_t module = g / windows, w = g % windows;
  if (w < mine.begin || w >= mine.end) return -1;
  return module * mine.size() + (w - mine.begin);
}

}  // namespace jq
