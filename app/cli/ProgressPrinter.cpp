#include "ProgressPrinter.h"

#include <unistd.h>

#include <cstdio>

namespace jq::cli {

ProgressPrinter::ProgressPrinter(bool enabled)
    : enabled_(enabled), tty_(::isatty(2) != 0), start_(std::chrono::steady_clock::now()), last_(start_) {}

ProgressPrinter::~ProgressPrinter() {
  if (printedLine_ && tty_) std::fputc('\n', stderr);
}

ProgressCallback ProgressPrinter::callback() {
  return [this](const ProgressEvent& e) { (*this)(e); };
}

void ProgressPrinter::operator()(const ProgressEvent& e) {
  if (!enabled_ || e.total <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  const bool done = e.current >= e.total;
  // Quiet for the first second; then at most 5 updates a second (every stage end is shown).
  if (now - start_ < std::chrono::seconds(1)) return;
  if (!done && e.stage == lastStage_ && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  if (tty_ && printedLine_ && e.stage != lastStage_) std::fputc('\n', stderr);
  lastStage_ = e.stage;
  const int pct = int(100.0 * e.fraction());
  const int width = 30, filled = width * pct / 100;
  std::string bar(filled, '#');
  bar += std::string(width - filled, '.');
  std::fprintf(stderr, tty_ ? "\r%-14s [%s] %3d%%  %s\033[K" : "%-14s [%s] %3d%%  %s\n", e.stage.c_str(), bar.c_str(),
               pct, e.detail.c_str());
  std::fflush(stderr);
  printedLine_ = true;
}

}  // namespace jq::cli
