#include "calib/SeededRng.h"

#include <cmath>
#include <numeric>

namespace jq {

namespace {
}  // namespace

uint64_t SeededRng::below(uint64_t n) {
  // Accept only draws below the largest multiple of n, so every residue is equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t r;
  do {
    r = next();
  } while (r >= limit);
  return r % n;
}

double SeededRng::uniform() { return double(next() >> 11) * 0x1.0p-53; }

double SeededRng::normal() {
  if (haveSpare_) {
    haveSpare_ = false;
    return spare_;
  }
  const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double a = 2.0 * kPi * u2;
  spare_ = r * std::sin(a);
  haveSpare_ = true;
  return r * std::cos(a);
}

std::vector<int64_t> SeededRng::sample(int64_t n, int64_t k) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  if (k > n) k = n;
  for (int64_t i = 0; i < k; ++i) {
    const int64_t j = i + int64_t(below(uint64_t(n - i)));
    std::swap(v[size_t(i)], v[size_t(j)]);
  }
  v.resize(size_t(k));
  return v;
}

}  // namespace jq
