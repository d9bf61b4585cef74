// The one source of randomness of calibration (item subsets, shuffles, random signs, random starts).
// mt19937_64 is specified bit for bit by the C++ standard, and the integer and Gaussian draws below are
// our own arithmetic rather than the library's unspecified distributions, so a seed gives the same run
// with every compiler, standard library and LibTorch version.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace jq {

inline constexpr double kPi = 3.14159265358979323846;

class SeededRng {
 public:
  explicit SeededRng(uint64_t seed) : engine_(seed) {}

  uint64_t next() { return engine_(); }
  uint64_t below(uint64_t n);  // uniform in [0, n), rejection sampling (no modulo bias); n ≥ 1
  double uniform();            // uniform in [0, 1) with 53 random bits
  double normal();             // standard normal (Box–Muller)
  int sign() { return (next() >> 63) ? -1 : 1; }

  // k distinct indices of [0, n) in random order (a partial Fisher–Yates shuffle).
  std::vector<int64_t> sample(int64_t n, int64_t k);
  std::vector<int64_t> permutation(int64_t n) { return sample(n, n); }

 private:
  std::mt19937_64 engine_;
  bool haveSpare_ = false;
  double spare_ = 0.0;
};

}  // namespace jq
