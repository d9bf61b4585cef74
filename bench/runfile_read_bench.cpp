// Reading a run file of Llama-3-8B shape: R1 (4096²), 32 R2 blocks (128²), and per-channel statistics before and
// after rotation for 32 layers × 7 modules × 5 statistics (2 240 datasets), as the workbench's run report and
// `jointquant-cli` read it. Writes the file once, then times RunFileReader::readEverything() and the listing
// alone (statStates/Layers/Modules/Names). Prints one JSON object. Used to measure what opening files as a
// SWMR reader (no metadata accumulator, core/io/RunFile.cpp) costs.
// Usage: jq_runfile_read_bench [--path /tmp/jq-runfile-bench.h5] [--repeats 5] [--layers 32] [--read FILE...]
// --read FILE...: instead, reads each given file with readEverything() and prints what happened to each
// ("accepted", or the jq::Error's kind and message), e.g. for the damaged files of tests/data/fuzz-regressions/
// on a machine with another libhdf5.
#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/Error.h"
#include "io/RunFile.h"

namespace {

double seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = (std::filesystem::temp_directory_path() / "jq-runfile-bench.h5").string();
  int repeats = 5;
  int layers = 32;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) != "--read") continue;
    nlohmann::json results = nlohmann::json::object();
    for (int f = i + 1; f < argc; ++f) {
      const auto t = std::chrono::steady_clock::now();
      std::string result = "accepted";
      try {
        jq::RunFileReader reader(argv[f]);
        reader.readEverything();
      } catch (const jq::Error& e) {
        result = std::string(jq::toString(e.kind())) + ": " + e.what();
      }
      results[argv[f]] = {{"result", result}, {"seconds", seconds(t)}};
    }
    std::cout << nlohmann::json{{"read", results}}.dump(2) << std::endl;
    return 0;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--path") path = argv[i + 1];
    else if (a == "--repeats") repeats = std::stoi(argv[i + 1]);
    else if (a == "--layers") layers = std::stoi(argv[i + 1]);
  }
  const int64_t hidden = 4096, intermediate = 14336, headDim = 128;
  const auto t0 = std::chrono::steady_clock::now();
  {
    jq::RunFileWriter w(path);
    w.setConfigJson(R"({"model": "llama-3-8b-shape", "method": "joint"})");
    w.setR1(at::randn({hidden, hidden}, at::kDouble));
    for (int layer = 0; layer < layers; ++layer) {
      w.setR2(layer, at::randn({headDim, headDim}, at::kDouble));
      for (const char* state : {"before", "after"})
        for (const char* module : {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}) {
          const int64_t channels = std::string(module) == "down_proj" ? intermediate : hidden;
          std::map<std::string, at::Tensor> stats;
          for (const char* name : {"absmax", "mean", "rms", "kurtosis"}) stats[name] = at::rand({channels});
          stats["hist"] = at::randint(0, 1000, {64}, at::kLong);
          w.setModuleStats(state, layer, module, stats);
        }
    }
    w.commit();
  }
  const double writeSeconds = seconds(t0);

  std::vector<double> everything, listing;
  size_t datasets = 0;
  for (int r = 0; r < repeats; ++r) {
    auto t = std::chrono::steady_clock::now();
    {
      jq::RunFileReader reader(path);
      reader.readEverything();
    }
    everything.push_back(seconds(t));
    t = std::chrono::steady_clock::now();
    {
      jq::RunFileReader reader(path);
      datasets = 0;
      for (const auto& state : reader.statStates())
        for (int layer : reader.statLayers(state))
          for (const auto& module : reader.statModules(state, layer))
            datasets += reader.statNames(state, layer, module).size();
    }
    listing.push_back(seconds(t));
  }
  nlohmann::json out;
  out["path"] = path;
  out["file_bytes"] = std::filesystem::file_size(path);
  out["stat_datasets"] = datasets;
  out["write_seconds"] = writeSeconds;
  out["read_everything_seconds"] = everything;
  out["read_everything_median"] = median(everything);
  out["list_stats_seconds"] = listing;
  out["list_stats_median"] = median(listing);
  std::cout << out.dump(2) << std::endl;
  std::filesystem::remove(path);
}
