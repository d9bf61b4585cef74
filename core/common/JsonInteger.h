#pragma once
// A JSON integer as int64_t, for the parsers of config.json and tokenizer.json.
//
// nlohmann::json keeps a non-negative integer literal as uint64_t, and get<int64_t>() of one above INT64_MAX wraps
// to a negative number: fuzz_tokenizer_json's vocabulary id 13133333333333333333 became -5313410740375218283,
// passed an "id too large" check and indexed memory far outside the id table. Every integer a parser takes from
// JSON goes through here instead.
#include <cstdint>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

namespace jq {

// The value when `v` is an integer that fits int64_t; nullopt for anything else (a float, a string, or an integer
// outside [-2^63, 2^63 - 1]).
inline std::optional<int64_t> jsonInt64(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  return std::nullopt;
}

}  // namespace jq
