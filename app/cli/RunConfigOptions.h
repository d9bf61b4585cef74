// The options of every command that builds a jq::RunConfig (quantize, compare, export, eval-rotations; eval shares
// the model options), declared once for --help and read once into a RunConfig, so the commands cannot drift apart.
// tests/cli checks that each of these commands accepts every option of this list.
#pragma once

#include <string>
#include <vector>

#include "CommandLine.h"
#include "common/Job.h"
#include "pipeline/RunConfig.h"

namespace jq::cli {

// --model (a folder or a Hub id), --device, --dtype, --placement, --attention.
const std::vector<OptionSpec>& modelOptions();

// Defaults that differ between commands (export keeps the model unquantized unless asked).
struct RunConfigDefaults {
  std::string wBits = "4";
  std::string aBits = "4";
};

// Data, quantizers, calibration, evaluation and rotation training, then --json and --quiet: everything
// runConfigFrom() reads except the model options.
std::vector<OptionSpec> runConfigOptions(const RunConfigDefaults& defaults = {});

// `a` followed by `b`.
std::vector<OptionSpec> concat(std::vector<OptionSpec> a, const std::vector<OptionSpec>& b);

// Inserts `added` before the option named `before` (at the end when there is none).
void insertBefore(std::vector<OptionSpec>& options, const std::string& before, const std::vector<OptionSpec>& added);

// --model: a folder, or a Hub id looked up in the Hugging Face cache (downloaded when missing, unless
// HF_HUB_OFFLINE is set).
std::string modelDirFrom(const CommandLine& cl, const JobContext& job);

// A --dataset/--calib value: a file, or a data set id (wikitext2, ptb, c4[:split]) found in the Hugging Face caches.
// Gzip'd shards are unpacked into a scratch folder that lives as long as the process.
EvalDataset datasetFrom(const std::string& arg, const std::string& format);

// The RunConfig the options of modelOptions() and runConfigOptions() describe (methods left empty). The model id
// is resolved (and may be downloaded) first. With `requireDataset`, a missing --dataset is the parser's error.
RunConfig runConfigFrom(const CommandLine& cl, const JobContext& job, bool requireDataset = true);

}  // namespace jq::cli
