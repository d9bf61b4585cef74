// Runs the methods of a RunConfig on one model and data: load → tokenize → sample calibration windows →
// (capture activations → calibrate R1/R2) → fuse norms → rotate → quantize (RTN/GPTQ) → evaluate, and writes the
// run file. Tokenized data, calibration windows and captured activations are computed once and shared by every
// method; each method starts from a freshly loaded model.
//
// Several processes (a DistributedContext of N ranks, e.g. one per GPU): every rank runs the same pipeline on its own
// copy of the model; evaluation windows and calibration windows (capture) are split into contiguous blocks, NLL sums
// and R1/R2 gradients are summed over ranks, so perplexities and rotations equal the single-process run's. GPTQ and
// SmoothQuant statistics run redundantly on every rank over all windows. Only rank 0 writes the run file; its
// activation statistics (/stats) cover rank 0's calibration windows only. --dump-r1-data and captureTokens need one
// process.
#pragma once

#include <ATen/ATen.h>

#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calib/RotationTrainSettings.h"
#include "common/Job.h"
#include "eval/PerplexityEvaluator.h"
#include "pipeline/RunConfig.h"

namespace jq {

class DistributedContext;
class LlamaModel;
class RunFileWriter;
struct CapturedActivations;

struct MethodResult {
  std::string method;
  std::vector<std::string> datasetNames;        // one per RunConfig dataset (file name without folder)
  std::vector<PerplexityResult> evaluations;    // same order
  std::map<std::string, double> seconds;        // per stage: load, capture, calibrate.R1, calibrate.R2, score
                                                // (final R1 on the capture, GPU runs), rotate, rtn/gptq, eval
  std::map<std::string, double> peakDeviceMiB;  // CUDA runs: per stage (as `seconds`), the most memory the caching
                                                // allocator held during it
  double calibrationSeconds = 0.0;              // capture + R1 + R2 (+ SmoothQuant statistics)
  int64_t captureBytes = 0;                     // calibrated methods: the captured rows (model dtype) and where they
  std::string captureStorage;                   // were held (device, pinned-host, host, disk-cache)
  // R1 on the captured R1 data (when captured): Whip loss summed over layers, start and final, and the mean
  // over layers of the 4-bit per-token quantization error (MSE) of the rotated rows.
  double startLoss = std::nan("");
  double finalLoss = std::nan("");
  double meanQuantError = std::nan("");
  std::vector<double> layerLoss, layerLossStart, layerQuantError, layerQuantErrorStart;
  at::Tensor r1;                                // [hidden, hidden] (rotation methods)
  std::vector<at::Tensor> r2;                   // per layer [kv_heads, head_dim, head_dim]
  std::vector<LossPoint> r1Curve;
  std::vector<std::vector<LossPoint>> r2Curves; // per layer
  std::vector<at::Tensor> perLayerR1;           // independent mode
};

class QuantizationPipeline {
 public:
  explicit QuantizationPipeline(RunConfig config);
  // One rank of a distributed run; `dist` must outlive the pipeline and every rank must call the same methods.
  // CUDA ranks compute on dist.device() (cuda:localRank) whatever index config.device names.
  QuantizationPipeline(RunConfig config, const DistributedContext& dist);
  ~QuantizationPipeline();
  const RunConfig& config() const { return config_; }

  MethodResult runMethod(const std::string& method, const JobContext& job = {});
  std::vector<MethodResult> runAll(const JobContext& job = {});

  // The model as the method leaves it (rotated, fake-quantized), for export and inspection.
  // Calls runMethod's preparation without evaluating.
  std::unique_ptr<LlamaModel> prepareModel(const std::string& method, MethodResult& result, const JobContext& job = {});

  // Loads the model as configured (fresh weights).
  LlamaModel loadModel(const JobContext& job = {}) const;

  // JSON of one result (what `jointquant quantize` prints) and the table row of `compare`.
  static std::string resultJson(const MethodResult& r, const RunConfig& config);

  // One HDF5 run file: config, perplexities, timings, curves, and the rotations when `results` has one method
  // (or of `rotationsOf` when given).
  void writeRunFile(const std::string& path, const std::vector<MethodResult>& results,
                    const JobContext& job = {}) const;

 private:
  const std::vector<int64_t>& datasetTokens(size_t i, const JobContext& job);
  const at::Tensor& calibrationWindows(const JobContext& job);
  // Captures (once) from `methodModel` when given (it is norm-fused in place), else from a model loaded for it.
  const CapturedActivations& captured(const JobContext& job, LlamaModel* methodModel = nullptr);
  void evaluateRotationOnCapture(const at::Tensor& r1, MethodResult& result, const JobContext& job,
                                 LlamaModel* methodModel = nullptr);
  // /stats of the run file: per layer, the q_proj/up_proj/o_proj inputs captured for calibration, before and after
  // the result's R1 (and R2 for o_proj). Nothing when no activations were captured.
  void writeActivationStats(RunFileWriter& w, const MethodResult& r, const JobContext& job) const;

  RunConfig config_;
  const DistributedContext* dist_;
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

}  // namespace jq
