// One experiment, fully described by plain, JSON-serialisable settings. The CLI and the GUI only build a
// RunConfig and hand it to the pipeline; the run file stores it as /config so a result can be reproduced.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "calib/RotationTrainSettings.h"
#include "quant/QuantConfig.h"

namespace jq {

// fp          the model as loaded
// rtn         no rotation; weights RTN (or GPTQ), activations and KV quantized
// smoothquant SmoothQuant scales (alpha) migrated into the norms, then as rtn
// quarot      norms fused, R1 = random Hadamard, R2 = Hadamard per head, online R4 (and R3 with KV quantization)
// dartquant / independent / joint: as quarot, but R1 calibrated with the Whip loss in that mode and R2 per layer
const std::vector<std::string>& knownMethods();
bool isRotationMethod(const std::string& method);
bool isCalibratedMethod(const std::string& method);

struct EvalDataset {
  std::string path;
  std::string format;  // text, wikitext2, ptb, c4; empty = guessed from the file name
};

struct RunConfig {
  std::string model;                 // checkpoint folder
  std::string calibration;           // calibration (train) text; needed by gptq, smoothquant and calibrated methods
  std::string calibrationFormat;     // empty = guessed
  std::vector<EvalDataset> datasets; // evaluation texts
  std::vector<std::string> methods = {"fp"};

  std::string weightQuantizer = "rtn";  // rtn or gptq
  WeightQuantConfig weight;             // bits 16 = not quantized
  GptqConfig gptq;
  ActQuantConfig act;
  KvQuantConfig kvK{16}, kvV{16};       // KV cache off by default (QuaRot's --k_bits/--v_bits 16)
  SmoothQuantConfig smooth;

  int64_t nsamples = 128;   // calibration windows
  int64_t seqlen = 2048;    // calibration and evaluation window length
  uint64_t seed = 0;        // calibration windows, random Hadamard signs, rotation training
  int64_t batchSize = 1;    // windows per forward pass
  int64_t maxEvalWindows = 0;  // evaluate at most this many windows per data set (0 = all; C4 keeps its 256)

  // Rotation calibration (dartquant/independent/joint); defaults are DartQuant's.
  RotationTrainSettings r1;             // itemRows follows seqlen
  std::vector<double> r1LayerWeights;   // joint mode; empty = all 1
  bool calibrateR2 = true;              // else R2 = Hadamard as quarot
  RotationTrainSettings r2;             // DartQuant's R2 defaults (lr 1e-3, accumulation 2, all items)

  std::string device = "cpu";
  std::string dtype;                    // empty = the checkpoint's
  std::string placement = "device";     // device or host (layer by layer)
  std::string attention = "eager";      // eager or sdpa
  // Captured calibration activations stay on the GPU when the whole model is there and they need at most this
  // many GiB; otherwise (or 0) they are held on the host.
  double captureDeviceGiB = 16.0;
  // Otherwise they are held in host memory (pinned when the model is on a GPU) when they need at most this many
  // GiB (0 = 70 % of the memory available when the capture starts), else in a mapped HDF5 scratch file in
  // captureCacheFolder (empty = the system's temporary folder).
  double captureHostGiB = 0.0;
  std::string captureCacheFolder;
  // Token rows kept per calibration window and layer (0 = all seqlen): a seeded random subset, so that an 8B
  // model's capture of 128 windows fits in memory. Calibration items are then this many rows.
  int64_t captureTokens = 0;
  // Rows of one captured (window, layer, module) item: captureTokens when set, else seqlen.
  int64_t captureRowsPerWindow() const { return captureTokens > 0 ? captureTokens : seqlen; }
  // Calibrated methods: also write the captured R1 rows (layer_NN, float32) and the start and final R1 to this
  // safetensors file, so another implementation can be trained and scored on exactly the same data.
  std::string dumpR1Data;

  RunConfig();
  // Throws jq::Error(InvalidInput) naming the first bad field.
  void validate() const;
  std::string toJsonText() const;
  static RunConfig fromJsonText(const std::string& text);  // absent keys keep their defaults
};

void to_json(nlohmann::json& j, const RunConfig& c);
void from_json(const nlohmann::json& j, RunConfig& c);

}  // namespace jq
