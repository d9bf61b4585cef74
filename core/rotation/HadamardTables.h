// Published Hadamard matrices for the orders that Sylvester and the prime-field Paley constructions in
// HadamardMatrix.cpp do not reach (52, 156, 172) or that must equal QuaRot's exactly (all of them).
// Internal to the rotation module.
#pragma once

#include <cstdint>
#include <vector>

namespace jq::detail {

struct HadamardTable {
  int64_t order;             // K
  const char* name;          // the file name in Sloane's library
  const char* const* rows;   // K strings of K characters, '+' = +1, '-' = -1
};

// In the order QuaRot's get_hadK tries them (172 first, 12 last).
const std::vector<HadamardTable>& publishedHadamardTables();

}  // namespace jq::detail
