// What every long-running core function takes: a progress callback and a cancellation token.
// Plain C++ on purpose: the UI adapts these to signals on a worker thread, the CLI to a progress bar.
#pragma once

#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace jq {

// Shared flag; copies observe the same cancellation. Cheap to check inside hot loops.
class CancellationToken {
 public:
  CancellationToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  void cancel() const noexcept { flag_->store(true, std::memory_order_relaxed); }
  bool isCancelled() const noexcept { return flag_->load(std::memory_order_relaxed); }
  // Throws jq::Error(ErrorKind::Cancelled) naming the stage that noticed.
  void throwIfCancelled(const std::string& stage) const;

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

// One report from a job. `current/total` drive a progress bar; a finite `value` with a `series`
// name is a point of a live curve (e.g. series "joint/R1", step 12, value 0.731).
struct ProgressEvent {
  std::string stage;    // "load", "capture", "calibrate.R1", "gptq", "eval", ...
  int64_t current = 0;
  int64_t total = 0;
  std::string detail;   // human-readable, e.g. "layer 3/16"
  std::string series;
  double step = 0.0;
  double value = std::nan("");

  double fraction() const { return total > 0 ? double(current) / double(total) : 0.0; }
};

using ProgressCallback = std::function<void(const ProgressEvent&)>;

struct JobContext {
  ProgressCallback progress;   // may be empty
  CancellationToken cancel;

  void report(const ProgressEvent& e) const {
    if (progress) progress(e);
  }
  void report(const std::string& stage, int64_t current, int64_t total, const std::string& detail = {}) const {
    if (progress) {
      ProgressEvent e;
      e.stage = stage;
      e.current = current;
      e.total = total;
      e.detail = detail;
      progress(e);
    }
  }
  void checkCancelled(const std::string& stage) const { cancel.throwIfCancelled(stage); }
};

}  // namespace jq
