// A WorkbenchBackend that needs no model: synthetic but shaped like a Llama-3.2-1B capture, so the UI can be
// developed, tested and screenshotted before (and without) the LibTorch core.
//
// What is synthetic and what is real: activations are drawn from a fixed-seed generator with a few persistent
// outlier channels that grow with depth (and a massive BOS activation at down_proj), but the "rotated" basis is
// a real randomized Walsh-Hadamard transform of those rows and every statistic is really computed from them.
// Loss curves decay exponentially with noise; perplexities are a fixed table with QuaRot/DartQuant-like
// ordering, not measurements. Runs persist as JSON (the real backend writes HDF5).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <tuple>

#include "backend/WorkbenchBackend.h"

namespace jq::ui {

class FakeBackend : public WorkbenchBackend {
 public:
  struct Options {
    int hiddenSize = 2048;            // powers of two: the rotated basis is a Walsh-Hadamard transform
    int intermediateSize = 8192;
    int numLayers = 16;
    int tokens = 256;                 // rows the statistics are computed over
    int sampleTokens = 128;           // rows kept for the heatmap
    int topK = 8;
    int stepsPerEpoch = 20;
    int stepDelayMs = 8;              // simulated work per optimizer step
    int loadDelayMs = 150;
  };

  FakeBackend();
  explicit FakeBackend(Options options);

  std::string description() const override;
  ModelSummary loadModel(const std::string& dir, const jq::JobContext& job) override;
  ChannelStats channelStats(const ActivationSite& site, Basis basis, const jq::JobContext& job) override;
  std::vector<LayerSummary> layerSummaries(const std::string& module, Basis basis,
                                           const jq::JobContext& job) override;
  RunResult calibrate(const CalibrationRequest& request, const jq::JobContext& job) override;
  RunResult openRun(const std::string& path, const jq::JobContext& job) override;

  // Exposed for tests: the raw rows (tokens × channels, row-major) a site's statistics are computed from,
  // and the outlier channels planted in the residual-stream sites.
  std::vector<float> activations(const ActivationSite& site, Basis basis) const;
  int channelsOf(const std::string& module) const;
  std::vector<int> plantedOutlierChannels() const;

  // Writes a run as JSON (what calibrate() does when request.outputPath is set).
  static void saveRun(const RunResult& run, const std::string& path);

 private:
  void requireModel(const char* what) const;

  Options opt_;
  mutable std::mutex mutex_;
  std::optional<ModelSummary> model_;
  std::map<std::tuple<std::string, int>, std::vector<LayerSummary>> summaryCache_;
  int runCounter_ = 0;
};

// Statistics of a tokens × channels block, as the core's hooks reduce them; shared with the tests.
ChannelStats computeChannelStats(const std::vector<float>& rows, int tokens, int channels, int topK,
                                 int sampleTokens, int histogramBins);
LayerSummary summarize(int layer, const ChannelStats& stats);

}  // namespace jq::ui
