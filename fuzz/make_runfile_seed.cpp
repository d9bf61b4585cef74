// Writes the run-file seed of the fuzz corpus (fuzz/corpus/runfile/small.h5): every kind of item a run file holds,
// kept small. Rerun when the run-file layout changes:  build-fuzz/fuzz/make_runfile_seed fuzz/corpus/runfile/small.h5
#include <ATen/ATen.h>

#include <cstdio>

#include "common/Error.h"
#include "io/RunFile.h"

int main(int argc, char** argv) {
  if (argc != 2) return std::fputs("usage: make_runfile_seed OUT.h5\n", stderr), 2;
  try {
    jq::RunFileWriter w(argv[1]);
    w.setConfigJson(R"({"model":"demo","methods":["joint"]})");
    w.setMetricsJson(R"([{"method":"joint","perplexity":12.5}])");
    w.setR1(at::eye(4, at::kDouble));
    w.setR2(0, at::eye(2, at::kFloat).unsqueeze(0));
    w.setStat("before", 0, "q_proj", "absmax", at::arange(4, at::kFloat));
    w.setStat("before", 0, "q_proj", "hist", at::arange(3, at::kLong));
    w.setCurve("joint/R1", {{0, 1}, {2.0, 1.5}});
    w.addPerplexity({"joint", "wikitext2", 12.5, 2048});
    w.addTiming({"calibrate.R1", 1.25});
    w.commit();
  } catch (const jq::Error& e) {
    std::fprintf(stderr, "make_runfile_seed: %s\n", e.what());
    return 1;
  }
  return 0;
}
