// The workbench over the real engine (jq::core): a checkpoint is loaded with LlamaModel, activation statistics
// come from hooks on its projections while a few calibration windows run through it, and calibrate()/openRun()
// are QuantizationPipeline and the HDF5 run file.
//
// This header is plain C++ on purpose (a pimpl, no LibTorch): every UI target is compiled with Qt, whose
// keywords and macros break Torch headers, so only CoreBackend.cpp sees the core.
//
// Statistics: one pass of `statWindows` × `statSeqLen` tokens from the calibration text captures every layer's
// q_proj (= k/v), o_proj, up_proj (= gate) and down_proj inputs at once; the per-site histogram needs the global
// range first, so it is a second pass over the same windows, done only for the site that is asked for.
// Basis::Original is the model with its norms fused (see Options::fuseNormsInOriginal); Basis::Rotated is the
// model as QuaRot's rotation leaves it (norms fused, R1, R2 per head, online Hadamard before down_proj): R1 is a
// random Hadamard until a calibration learns one or a run file with an R1 is opened.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backend/WorkbenchBackend.h"

namespace jq::ui {

class CoreBackend : public WorkbenchBackend {
 public:
  struct Options {
    // Text the statistics windows (and calibrations without request.dataFile) are drawn from; empty = the
    // demo corpus next to the model (`<model>/../demo-corpus/train.txt`) when there is one. Here, in
    // evaluationFiles and in request.dataFile a data set id (wikitext2, ptb, c4[:split]) stands for the file the
    // Hugging Face caches hold, found as `jointquant --dataset` finds it (core/hub/HubDataset.h).
    std::string calibrationFile;
    // Texts every calibrated method is evaluated on; empty = `<model>/../demo-corpus/test.txt` when present.
    std::vector<std::string> evaluationFiles;
    int statWindows = 4;              // short windows keep a capture interactive on a CPU
    int statSeqLen = 256;
    uint64_t statSeed = 0;            // windows and the random Hadamard signs of the default R1
    int topK = 8;
    int sampleTokens = 128;           // raw rows kept for the heatmap
    int histogramBins = 80;
    std::string device = "cpu";       // where the inspected model runs ("cpu", "cuda", "cuda:1")
    // Basis::Original with the RMSNorm weights fused into the linears they feed: the unrotated model exactly as
    // the rotated one is built from, so "before" and "after" differ by the rotation alone (the run file's
    // definition of its before/after statistics) and "before" is what an unrotated W4A4 model quantizes.
    // Off: the model as loaded, where q/k/v and gate/up inputs still carry the norm's per-channel gain.
    bool fuseNormsInOriginal = true;
  };

  CoreBackend();
  explicit CoreBackend(Options options);
  ~CoreBackend() override;
  CoreBackend(const CoreBackend&) = delete;
  CoreBackend& operator=(const CoreBackend&) = delete;

  std::string description() const override;
  ModelSummary loadModel(const std::string& dir, const jq::JobContext& job) override;
  ChannelStats channelStats(const ActivationSite& site, Basis basis, const jq::JobContext& job) override;
  std::vector<LayerSummary> layerSummaries(const std::string& module, Basis basis,
                                           const jq::JobContext& job) override;
  RunResult calibrate(const CalibrationRequest& request, const jq::JobContext& job) override;
  RunResult openRun(const std::string& path, const jq::JobContext& job) override;

  // Where Basis::Rotated's R1 comes from now: "random Hadamard (seed N)", "learned (<method>)" or
  // "run file <path>". For the log and the tests.
  std::string rotationSource() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jq::ui
