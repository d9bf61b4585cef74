// Fuzzes RunFileReader: opening an arbitrary file and reading everything a run file can hold (attributes,
// rotations, statistics, curves, tables), as the workbench does when a researcher opens a run. Note that libhdf5
// itself is not instrumented: the fuzzer steers by our code's coverage only, and crashes inside libhdf5 show up
// as findings we can only avoid, not fix.
#include <cstdint>
#include <string>

#include "FuzzSupport.h"
#include "common/Error.h"
#include "io/RunFile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static jq::fuzz::MemoryFile file("fuzz-runfile");
  const std::string& path = file.set(data, size);
  try {
    jq::RunFileReader r(path);
    r.configJson();
    r.metricsJson();
    if (r.hasR1()) r.r1();
    for (int l : r.r2Layers()) r.r2(l);
    for (const auto& state : r.statStates())
      for (int l : r.statLayers(state))
        for (const auto& m : r.statModules(state, l))
          for (const auto& n : r.statNames(state, l, m)) r.stat(state, l, m, n);
    for (const auto& c : r.curveNames()) r.curve(c);
    r.perplexities();
    r.timings();
  } catch (const jq::Error&) {
  }
  return 0;
}
