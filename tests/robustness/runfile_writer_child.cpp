// Helper of tst_atomic_runfile: rewrites one run file over and over, each generation g with config
// {"generation": g} and an R1 of n×n entries all equal to g, so that any mix of two generations is detectable.
// Prints "writing g" before and "committed g" after each commit, then waits to be killed.
//   runfile_writer_child PATH FIRST_GENERATION COUNT(0 = forever) N
#include <ATen/ATen.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/Error.h"
#include "io/RunFile.h"

int main(int argc, char** argv) {
  if (argc != 5) return std::fputs("usage: runfile_writer_child PATH FIRST COUNT N\n", stderr), 2;
  const std::string path = argv[1];
  const long first = std::atol(argv[2]), count = std::atol(argv[3]), n = std::atol(argv[4]);
  try {
    for (long g = first; count == 0 || g < first + count; ++g) {
      jq::RunFileWriter w(path);
      w.setConfigJson("{\"generation\": " + std::to_string(g) + "}");
      w.setR1(at::full({n, n}, double(g), at::kDouble));
      w.addTiming({"generation", double(g)});
      std::printf("writing %ld\n", g);
      std::fflush(stdout);
      w.commit();
      std::printf("committed %ld\n", g);
      std::fflush(stdout);
    }
  } catch (const jq::Error& e) {
    std::fprintf(stderr, "runfile_writer_child: %s\n", e.what());
    return 1;
  }
  return 0;
}
