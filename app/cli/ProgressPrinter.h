// Progress on stderr for anything that runs longer than a second: one rewritten line per stage.
#pragma once

#include <chrono>
#include <string>

#include "common/Job.h"

namespace jq::cli {

class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool enabled = true);
  ~ProgressPrinter();
  void operator()(const ProgressEvent& e);
  ProgressCallback callback();

 private:
  bool enabled_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_;
  std::string lastStage_;
  bool printedLine_ = false;
};

}  // namespace jq::cli
