// The run file: one HDF5 file per run holding everything needed to compare methods afterwards — the RunConfig,
// the rotations, per-layer activation statistics before and after rotation, loss curves and metrics.
// Readable by h5py; the layout is documented in docs/runfile.md. Every string in it is a fixed-length UTF-8 string
// (format version 2), which h5py reads back as bytes.
//
// Writing is all-or-nothing: RunFileWriter only collects in memory, and commit() writes a temporary file in the
// same folder and renames it over the target, so a crash, a cancel or an exception mid-write leaves any earlier
// file at that path byte-identical.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/Job.h"

namespace jq {

struct LossCurve {
  std::vector<double> steps;
  std::vector<double> losses;
};

struct PerplexityRow {
  std::string method;    // "fp16", "quarot", "dartquant", "joint", ...
  std::string dataset;   // "wikitext2", ...
  double perplexity = 0.0;
  int64_t seqlen = 0;
};

struct TimingRow {
  std::string stage;     // "calibrate.R1", "gptq", "eval", ...
  double seconds = 0.0;
};

// Names used inside the file. Layers are "layer_NN" (at least two digits), statistics states "before"/"after".
std::string runFileLayerName(int layer);

class RunFileWriter {
 public:
  explicit RunFileWriter(std::string path);
  ~RunFileWriter();   // without commit(), writes nothing
  RunFileWriter(const RunFileWriter&) = delete;
  RunFileWriter& operator=(const RunFileWriter&) = delete;

  const std::string& path() const;

  // JSON texts, validated here (InvalidInput when not JSON).
  void setConfigJson(const std::string& json);
  void setMetricsJson(const std::string& json);

  // Tensors are copied to the CPU now; float64 stays float64, other floating types are stored as float32,
  // integer types (histogram counts) as int64. Setting the same item twice replaces it.
  void setR1(const at::Tensor& r1);
  void setR2(int layer, const at::Tensor& r2);
  // `state` is "before" or "after" (rotation) or another plain name; `module` e.g. "q_proj"; `name` one of
  // absmax, mean, rms, kurtosis, hist (others are allowed). Names may not contain '/' or be "." / "..".
  void setStat(const std::string& state, int layer, const std::string& module, const std::string& name,
               const at::Tensor& values);
  void setModuleStats(const std::string& state, int layer, const std::string& module,
                      const std::map<std::string, at::Tensor>& stats);
  // `name` may hold '/' to group curves (e.g. "joint/R1", "independent/layer_03").
  void setCurve(const std::string& name, const LossCurve& curve);
  void addPerplexity(const PerplexityRow& row);
  void addTiming(const TimingRow& row);

  // Writes everything (temporary file, then rename). Reports progress per dataset and checks cancellation;
  // on any failure the temporary file is removed and the target is untouched. The writer stays usable.
  void commit(const JobContext& job = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class RunFileReader {
 public:
  // Throws NotFound for a missing file, InvalidInput naming the file when it is not HDF5, truncated or not a run
  // file (no format attribute), Unsupported for a newer format version. Every string item is checked before it
  // is read: a variable-length string (run files of format version 1, files written by other tools) is refused
  // with Unsupported naming the item, here for the format attribute and by the accessors for the others, and is
  // never handed to libhdf5 to read (a damaged one can hang libhdf5 1.10 for ever).
  explicit RunFileReader(const std::string& path);
  ~RunFileReader();
  RunFileReader(const RunFileReader&) = delete;
  RunFileReader& operator=(const RunFileReader&) = delete;

  const std::string& path() const;
  int formatVersion() const;

  std::string configJson() const;    // "" when none was written
  std::string metricsJson() const;   // "" when none was written

  bool hasR1() const;
  at::Tensor r1() const;                     // NotFound when absent
  std::vector<int> r2Layers() const;         // ascending
  at::Tensor r2(int layer) const;

  std::vector<std::string> statStates() const;                                   // sorted
  std::vector<int> statLayers(const std::string& state) const;                   // ascending
  std::vector<std::string> statModules(const std::string& state, int layer) const;
  std::vector<std::string> statNames(const std::string& state, int layer, const std::string& module) const;
  at::Tensor stat(const std::string& state, int layer, const std::string& module, const std::string& name) const;

  std::vector<std::string> curveNames() const;   // full names, e.g. "joint/R1", sorted
  LossCurve curve(const std::string& name) const;

  std::vector<PerplexityRow> perplexities() const;   // in the order added
  std::vector<TimingRow> timings() const;

  // Reads every item the file holds once, through the accessors above, and throws the first item's error: a
  // damaged file fails here rather than when some later view reads the item (the fuzzer and its regression test
  // read files this way).
  void readEverything() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jq
