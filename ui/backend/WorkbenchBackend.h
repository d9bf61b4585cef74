// The one seam between the workbench and the engine. The UI sees only the plain C++ data below (no LibTorch,
// no Qt), so the core can be swapped in behind it and the UI can be tested against FakeBackend.
//
// Threading contract: the UI calls the long methods from one worker thread (JobRunner), one call at a time,
// never from the UI thread. Each long call takes a jq::JobContext: report progress through it and check
// `job.cancel` often enough that a cancelled call returns (by throwing jq::Error of kind Cancelled) within a
// second. Any other failure is a jq::Error with a sentence naming the file/layer; the UI shows its what().
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/Job.h"

namespace jq::ui {

// Every quantity the calibration panel can ask for; names are the CLI's/RunConfig's spelling.
inline const std::vector<std::string>& allMethods() {
  static const std::vector<std::string> m{"fp", "rtn", "smoothquant", "quarot", "dartquant", "independent", "joint"};
  return m;
}

// How a data set is named in tables and chart titles: its folder and file name ("demo-corpus/test.txt",
// "wikitext-2-raw/wiki.test.raw"), since a bare stem such as "test" does not say which corpus it was.
inline std::string datasetLabel(const std::string& path) {
  const std::filesystem::path p(path);
  const std::string parent = p.parent_path().filename().string();
  return parent.empty() ? p.filename().string() : parent + "/" + p.filename().string();
}

// What the weights need on a device: all of them, or (host placement, layer by layer) the largest piece that
// is there at a time while the rest stays in host memory.
struct DeviceMemory {
  std::string device;         // "cpu", "cuda"
  uint64_t bytes = 0;
  bool layerByLayer = false;
};

// One activation site of a decoder layer, e.g. layer 3, module "q_proj" = the input of q_proj.
struct ActivationSite {
  int layer = 0;
  std::string module;
  bool operator==(const ActivationSite& o) const { return layer == o.layer && module == o.module; }
};

struct ModelSummary {
  std::string path;                 // checkpoint folder
  std::string architecture;         // "LlamaForCausalLM"
  int hiddenSize = 0;
  int intermediateSize = 0;
  int numLayers = 0;
  int numHeads = 0;
  int numKvHeads = 0;
  int headDim = 0;
  int vocabSize = 0;
  int maxPositions = 0;
  double ropeTheta = 0.0;
  std::string ropeScaling;          // "llama3 (factor 32)", "" when none
  double rmsNormEps = 0.0;
  bool tiedEmbeddings = false;
  int64_t parameterCount = 0;
  std::string dtype;                // "bfloat16"
  std::vector<DeviceMemory> memory;   // the loaded device first, then the alternatives
  // Modules whose inputs can be inspected, the same in every layer (e.g. q_proj, o_proj, up_proj, down_proj).
  std::vector<std::string> activationModules;
};

// Which basis the statistics are in: as captured, or after the current R1 (R2/R4 for o_proj/down_proj).
// Until a calibration has produced a learned rotation the "rotated" basis is QuaRot's random Hadamard.
enum class Basis { Original, Rotated };

struct Histogram {
  double lo = 0.0;                  // left edge of the first bin
  double hi = 0.0;                  // right edge of the last bin
  std::vector<double> counts;       // equal-width bins over [lo, hi]
};

// Per-channel statistics of one activation site over the captured tokens.
struct ChannelStats {
  ActivationSite site;
  Basis basis = Basis::Original;
  int64_t tokens = 0;               // how many tokens the statistics cover
  std::vector<float> absmax, mean, rms, kurtosis;   // one entry per channel (Pearson kurtosis, normal = 3)
  Histogram histogram;              // of all values of the site
  std::vector<int> topChannels;     // channel ids by descending absmax (top-k, k chosen by the backend)
  int sampleTokens = 0;             // raw rows kept for the heatmap/3D view
  int channels = 0;
  std::vector<float> sampleRows;    // row-major sampleTokens × channels
};

// Five-number summary for a box plot (whiskers at min/max).
struct BoxStats {
  double min = 0, q1 = 0, median = 0, q3 = 0, max = 0;
};

// One layer's site summarised to a few numbers, for the per-layer lines and box plots.
struct LayerSummary {
  int layer = 0;
  double absmaxMax = 0.0;           // largest per-channel absmax
  double rmsMean = 0.0;
  double kurtosisMean = 0.0;
  double outlierRatio = 0.0;        // max absmax / median absmax
  BoxStats absmaxBox;               // distribution of the per-channel absmax over channels
};

struct CalibrationRequest {
  std::vector<std::string> methods;         // subset of allMethods(), in display order
  int weightBits = 4;
  int activationBits = 4;
  std::string weightQuantizer = "rtn";      // "rtn" | "gptq"
  std::string dataFile;                     // calibration text; empty = the backend's default corpus
  int samples = 128;                        // calibration windows
  int seqLen = 2048;
  int epochs = 10;                          // DartQuant's published R1 setting
  double learningRate = 1.5e-3;             // DartQuant's published R1 SGD rate
  std::string optimizer = "sgd";            // "sgd" | "adam"
  std::string loss = "whip";                // "whip" | "swd"
  std::string device = "cpu";               // "cpu" | "cuda"
  uint64_t seed = 0;
  std::string outputPath;                   // where the run is persisted; empty = not saved
};

// A point of a live curve. During calibrate() the same points also arrive as jq::ProgressEvent with
// `series` = method name, `step`, `value`, so the UI can draw them while the call runs.
struct LossPoint {
  std::string series;
  double step = 0.0;
  double loss = 0.0;
};

// Per-layer outcome of one method: the objective and the activation quantization error before and after.
struct LayerMetric {
  std::string method;
  int layer = 0;
  double lossBefore = 0.0, lossAfter = 0.0;
  double quantErrorBefore = 0.0, quantErrorAfter = 0.0;   // relative MSE of fake-quantized activations
};

struct MethodResult {
  std::string method;
  std::string dataset;              // datasetLabel() of the evaluation file, e.g. "demo-corpus/test.txt"
  double perplexity = 0.0;
  double seconds = 0.0;             // calibration + quantization time
  double finalLoss = 0.0;           // NaN for methods that learn nothing
  double quantError = 0.0;          // mean over layers of quantErrorAfter
};

struct RunResult {
  std::string name;                 // shown in legends, e.g. file stem or "run 3"
  std::string path;                 // file it was read from / written to, may be empty
  CalibrationRequest request;
  std::vector<MethodResult> methods;
  std::vector<LossPoint> curves;
  std::vector<LayerMetric> layers;
};

class WorkbenchBackend {
 public:
  virtual ~WorkbenchBackend() = default;

  // Human-readable, for the About box and the log ("LibTorch 2.3 / CUDA", "synthetic demo data").
  virtual std::string description() const = 0;

  // Opens a checkpoint folder (config.json + safetensors); replaces any model loaded before.
  virtual ModelSummary loadModel(const std::string& dir, const jq::JobContext& job) = 0;

  // Statistics of one site of the loaded model. Throws jq::Error(InvalidInput) when no model is loaded.
  virtual ChannelStats channelStats(const ActivationSite& site, Basis basis, const jq::JobContext& job) = 0;

  // The same module summarised in every layer, ordered by layer.
  virtual std::vector<LayerSummary> layerSummaries(const std::string& module, Basis basis,
                                                   const jq::JobContext& job) = 0;

  // Runs every requested method on the loaded model and evaluates it. Loss curves stream as progress events.
  virtual RunResult calibrate(const CalibrationRequest& request, const jq::JobContext& job) = 0;

  // Reads a run persisted earlier (by calibrate with an outputPath).
  virtual RunResult openRun(const std::string& path, const jq::JobContext& job) = 0;
};

}  // namespace jq::ui
