#include "RunConfigOptions.h"

#include <unistd.h>

#include <filesystem>

#include "calib/RotationTrainSettings.h"
#include "hub/HubDataset.h"
#include "hub/ModelSource.h"

namespace jq::cli {

const std::vector<OptionSpec>& modelOptions() {
  static const std::vector<OptionSpec> options = {
      {"model", "DIR|ID", "checkpoint folder, or Hub model id org/name[@revision] (from the HF cache)", ""},
      {"device", "DEV", "cpu, cuda or cuda:N", "cpu"},
      {"dtype", "TYPE", "float32, bfloat16 or float16 (default: the checkpoint's)", ""},
      {"placement", "WHERE", "device (all weights on the device) or host (layer by layer)", "device"},
      {"attention", "IMPL", "eager or sdpa (sdpa needs LibTorch 2)", "eager"},
  };
  return options;
}

std::vector<OptionSpec> runConfigOptions(const RunConfigDefaults& defaults) {
  return {
      {"calib", "FILE", "calibration (train) text: GPTQ, SmoothQuant and rotation calibration", ""},
      {"calib-format", "FMT", "format of --calib (default: guessed)", ""},
      {"dataset", "FILE[,FILE]", "evaluation text(s) or data set ids (wikitext2, ptb, c4[:split])", ""},
      {"format", "FMT", "format of the evaluation texts (default: guessed)", ""},
      {"w-bits", "N", "weight bits (16 = not quantized)", defaults.wBits},
      {"a-bits", "N", "activation bits (16 = not quantized)", defaults.aBits},
      {"kv-bits", "N", "KV-cache bits (16 = not quantized)", "16"},
      {"weights", "Q", "weight quantizer: rtn or gptq", "rtn"},
      {"w-groupsize", "N", "weight group size along the input (-1 = per channel)", "-1"},
      {"w-asym", "", "asymmetric weights", ""},
      {"w-clip", "", "MSE clipping search for weights", ""},
      {"a-asym", "", "asymmetric activations", ""},
      {"a-clip", "R", "activation clip ratio", "1.0"},
      {"kv-asym", "", "asymmetric KV cache", ""},
      {"act-order", "", "GPTQ act-order", ""},
      {"nsamples", "N", "calibration windows", "128"},
      {"seqlen", "N", "window length (calibration and evaluation)", "2048"},
      {"batch", "N", "windows per forward pass", "1"},
      {"max-windows", "N", "evaluate only the first N windows of each data set (0 = all)", "0"},
      {"seed", "N", "seed of calibration sampling, Hadamard signs, rotation training", "0"},
      {"alpha", "A", "SmoothQuant migration strength", "0.5"},
      {"epochs", "N", "rotation calibration epochs (R1 and R2)", "10"},
      {"lr", "LR", "R1 learning rate", "0.0015"},
      {"r2-lr", "LR", "R2 learning rate", "0.001"},
      {"optimizer", "OPT", "sgd or adam", "sgd"},
      {"loss", "L", "whip or swd", "whip"},
      {"orth", "P", "qr or cayley", "qr"},
      {"init", "I", "hadamard or random", "hadamard"},
      {"subset", "F", "share of R1 items per epoch", "0.1"},
      {"batch-items", "N", "items per calibration mini-batch", "64"},
      {"no-r2", "", "no R2 calibration (Hadamard R2 instead)", ""},
      {"capture-gpu-gib", "G", "keep captured activations on the GPU when they need at most G GiB (0 = host)", "16"},
      {"capture-host-gib", "G", "else in host memory up to G GiB (0 = 70% of available), beyond that a scratch file", "0"},
      {"capture-cache", "DIR", "folder of the scratch HDF5 file for captures larger than host memory", "system temp"},
      {"capture-tokens", "K", "capture K random tokens of each calibration window (0 = all)", "0"},
      {"dump-r1-data", "OUT", "write captured R1 rows and start/final R1 (safetensors) for cross-checks", ""},
      {"json", "OUT", "also write the JSON result to OUT", ""},
      {"quiet", "", "no progress on stderr", ""},
  };
}

std::vector<OptionSpec> concat(std::vector<OptionSpec> a, const std::vector<OptionSpec>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

void insertBefore(std::vector<OptionSpec>& options, const std::string& before, const std::vector<OptionSpec>& added) {
  auto it = options.begin();
  while (it != options.end() && it->name != before) ++it;
  options.insert(it, added.begin(), added.end());
}

std::string modelDirFrom(const CommandLine& cl, const JobContext& job) {
  return resolveModelDirectory(cl.require("model"), HubSettings::fromEnvironment(), job);
}

EvalDataset datasetFrom(const std::string& arg, const std::string& format) {
  static const struct Scratch {
    std::string dir = (std::filesystem::temp_directory_path() / ("jointquant-" + std::to_string(::getpid()))).string();
    ~Scratch() {
      std::error_code e;
      std::filesystem::remove_all(dir, e);
    }
  } scratch;
  const DatasetArgument d = resolveDatasetArgument(HubSettings::fromEnvironment(), arg, format, scratch.dir);
  return {d.path, d.format};
}

RunConfig runConfigFrom(const CommandLine& cl, const JobContext& job, bool requireDataset) {
  RunConfig c;
  c.model = modelDirFrom(cl, job);
  if (cl.has("calib")) {
    const EvalDataset calib = datasetFrom(cl.get("calib"), cl.get("calib-format"));
    c.calibration = calib.path;
    c.calibrationFormat = calib.format;
  }
  const std::string datasets = requireDataset ? cl.require("dataset") : cl.get("dataset");
  for (const auto& d : splitCommaList(datasets)) c.datasets.push_back(datasetFrom(d, cl.get("format")));
  c.weight.bits = int(cl.getInt("w-bits"));
  c.weight.groupSize = cl.getInt("w-groupsize");
  c.weight.asymmetric = cl.flag("w-asym");
  c.weight.mseClip = cl.flag("w-clip");
  c.weightQuantizer = cl.get("weights");
  c.gptq.actOrder = cl.flag("act-order");
  c.act.bits = int(cl.getInt("a-bits"));
  c.act.asymmetric = cl.flag("a-asym");
  c.act.clipRatio = cl.getDouble("a-clip");
  c.kvK.bits = c.kvV.bits = int(cl.getInt("kv-bits"));
  c.kvK.asymmetric = c.kvV.asymmetric = cl.flag("kv-asym");
  c.nsamples = cl.getInt("nsamples");
  c.seqlen = cl.getInt("seqlen");
  c.batchSize = cl.getInt("batch");
  c.maxEvalWindows = cl.getInt("max-windows");
  c.dumpR1Data = cl.get("dump-r1-data");
  c.captureDeviceGiB = cl.getDouble("capture-gpu-gib");
  c.captureHostGiB = cl.getDouble("capture-host-gib");
  c.captureTokens = cl.getInt("capture-tokens");
  if (cl.has("capture-cache")) c.captureCacheFolder = cl.get("capture-cache");
  c.seed = uint64_t(cl.getInt("seed"));
  c.smooth.alpha = cl.getDouble("alpha");
  c.r1.epochs = c.r2.epochs = int(cl.getInt("epochs"));
  c.r1.lr = cl.getDouble("lr");
  c.r2.lr = cl.getDouble("r2-lr");
  c.r1.optimizer = c.r2.optimizer = parseOptimizerKind(cl.get("optimizer"));
  c.r1.loss = c.r2.loss = parseRotationLoss(cl.get("loss") == "swd" ? "swd_uniform" : cl.get("loss"));
  const std::string orth = cl.get("orth") == "qr" ? "qr_orth" : cl.get("orth");
  c.r1.orthogonalization = c.r2.orthogonalization = parseOrthogonalization(orth);
  c.r1.init = c.r2.init = parseRotationInit(cl.get("init"));
  c.r1.subsetFraction = cl.getDouble("subset");
  c.r1.batchItems = c.r2.batchItems = int(cl.getInt("batch-items"));
  c.r1.seed = c.r2.seed = c.seed;
  c.calibrateR2 = !cl.flag("no-r2");
  c.device = cl.get("device");
  c.dtype = cl.get("dtype");
  c.placement = cl.get("placement");
  c.attention = cl.get("attention");
  return c;
}

}  // namespace jq::cli
