// Which calibration items this process holds when activation capture is sharded by calibration window across the
// ranks of a DistributedContext (rank r captures its contiguous block of windows, see dist/DistributedContext.h).
//
// Captured data is laid out window-major per module (ActivationCapture.h): a source (one layer's R1 or R2 rows)
// holds modules × windows items, item g being window g % windows of module g / windows. A rank holds
// modules × |its windows| of them, in the same order. Calibration draws its mini-batches over the global item
// numbers with the same seeded RNG on every rank, so the sequence of batches is the single-process one; each rank
// computes the loss gradient of the items it holds, weighted by the global batch size, and the gradients are
// summed over ranks before every optimizer step (RotationTrainer). Every rank thus takes the same steps and ends
// with the same rotation as one process would, up to the order of floating-point sums.
#pragma once

#include <cstdint>

#include "dist/DistributedContext.h"

namespace jq {

struct CalibrationShard {
  const DistributedContext* dist = nullptr;  // null or world 1: every item is local, nothing is communicated
  int64_t windows = 0;                       // calibration windows over all ranks
  ShardRange mine;                           // this rank's windows

  // Everything local (the single-process case).
  static CalibrationShard whole() { return {}; }
  // Rank `dist.rank()`'s share of `windows` calibration windows. Throws jq::Error(InvalidInput) when some rank
  // would get no window (fewer windows than ranks).
  static CalibrationShard of(const DistributedContext& dist, int64_t windows);

  bool sharded() const { return dist != nullptr && dist->worldSize() > 1; }
  // Items of a source over all ranks, given this rank's count of them.
  int64_t globalItems(int64_t localItems) const;
  // Where global item g of a source lives in this rank's rows (which hold localItems items), or −1 on another rank.
  int64_t localItem(int64_t g, int64_t localItems) const;

  void allReduceSum(at::Tensor& t) const {
    if (sharded()) dist->allReduceSum(t);
  }
};

}  // namespace jq
