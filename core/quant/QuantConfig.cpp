#include "quant/QuantConfig.h"

#include <nlohmann/json.hpp>

#include <sstream>

#include "common/Error.h"

namespace jq {
namespace {

[[noreturn]] void bad(const char* config, const char* field, const std::string& value, const char* expected) {
  throw Error(ErrorKind::InvalidInput,
              std::string(config) + "." + field + " = " + value + " is invalid: expected " + expected);
}

std::string str(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void checkBits(const char* config, int bits) {
  if (!((bits >= 2 && bits <= 8) || bits == 16)) bad(config, "bits", std::to_string(bits), "2..8, or 16 for no quantization");
}

void checkClip(const char* config, double clip) {
  if (!(clip > 0.0 && clip <= 1.0)) bad(config, "clipRatio", str(clip), "a value in (0, 1]");
}

template <typename T>
void read(const nlohmann::json& j, const char* key, T& field) {
  if (!j.is_object()) throw Error(ErrorKind::InvalidInput, "quantizer settings must be a JSON object, got " + j.dump());
  if (!j.contains(key)) return;
  try {
    j.at(key).get_to(field);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::InvalidInput, std::string("quantizer setting '") + key + "' = " + j.at(key).dump() +
                                             " has the wrong type (" + e.what() + ")");
  }
}

}  // namespace

void validate(const WeightQuantConfig& c) {
  checkBits("WeightQuantConfig", c.bits);
  if (c.groupSize == 0 || c.groupSize < -1) bad("WeightQuantConfig", "groupSize", std::to_string(c.groupSize), "-1 or a positive count");
  if (c.mseGrid < 1) bad("WeightQuantConfig", "mseGrid", std::to_string(c.mseGrid), "at least 1");
  if (!(c.mseMaxShrink > 0.0 && c.mseMaxShrink <= 1.0)) bad("WeightQuantConfig", "mseMaxShrink", str(c.mseMaxShrink), "a value in (0, 1]");
  if (!(c.mseNorm > 0.0)) bad("WeightQuantConfig", "mseNorm", str(c.mseNorm), "a positive exponent");
}

void validate(const GptqConfig& c) {
  if (c.blockSize < 1) bad("GptqConfig", "blockSize", std::to_string(c.blockSize), "at least 1");
  if (!(c.percDamp >= 0.0)) bad("GptqConfig", "percDamp", str(c.percDamp), "a non-negative fraction");
}

void validate(const ActQuantConfig& c) {
  checkBits("ActQuantConfig", c.bits);
  checkClip("ActQuantConfig", c.clipRatio);
  if (c.groupSize == 0 || c.groupSize < -1) bad("ActQuantConfig", "groupSize", std::to_string(c.groupSize), "-1 or a positive count");
}

void validate(const KvQuantConfig& c) {
  checkBits("KvQuantConfig", c.bits);
  checkClip("KvQuantConfig", c.clipRatio);
}

void validate(const SmoothQuantConfig& c) {
  if (!(c.alpha >= 0.0 && c.alpha <= 1.0)) bad("SmoothQuantConfig", "alpha", str(c.alpha), "a value in [0, 1]");
}

void to_json(nlohmann::json& j, const WeightQuantConfig& c) {
  j = {{"bits", c.bits},         {"asymmetric", c.asymmetric},     {"groupSize", c.groupSize}, {"mseClip", c.mseClip},
       {"mseGrid", c.mseGrid},   {"mseMaxShrink", c.mseMaxShrink}, {"mseNorm", c.mseNorm}};
}
void from_json(const nlohmann::json& j, WeightQuantConfig& c) {
  read(j, "bits", c.bits);
  read(j, "asymmetric", c.asymmetric);
  read(j, "groupSize", c.groupSize);
  read(j, "mseClip", c.mseClip);
  read(j, "mseGrid", c.mseGrid);
  read(j, "mseMaxShrink", c.mseMaxShrink);
  read(j, "mseNorm", c.mseNorm);
  validate(c);
}

void to_json(nlohmann::json& j, const GptqConfig& c) {
  j = {{"blockSize", c.blockSize}, {"percDamp", c.percDamp}, {"actOrder", c.actOrder}, {"staticGroups", c.staticGroups}};
}
void from_json(const nlohmann::json& j, GptqConfig& c) {
  read(j, "blockSize", c.blockSize);
  read(j, "percDamp", c.percDamp);
  read(j, "actOrder", c.actOrder);
  read(j, "staticGroups", c.staticGroups);
  validate(c);
}

void to_json(nlohmann::json& j, const ActQuantConfig& c) {
  j = {{"bits", c.bits}, {"asymmetric", c.asymmetric}, {"clipRatio", c.clipRatio}, {"groupSize", c.groupSize},
       {"rangeIncludesZero", c.rangeIncludesZero}};
}
void from_json(const nlohmann::json& j, ActQuantConfig& c) {
  read(j, "bits", c.bits);
  read(j, "asymmetric", c.asymmetric);
  read(j, "clipRatio", c.clipRatio);
  read(j, "groupSize", c.groupSize);
  read(j, "rangeIncludesZero", c.rangeIncludesZero);
  validate(c);
}

void to_json(nlohmann::json& j, const KvQuantConfig& c) {
  j = {{"bits", c.bits}, {"asymmetric", c.asymmetric}, {"clipRatio", c.clipRatio}, {"rangeIncludesZero", c.rangeIncludesZero}};
}
void from_json(const nlohmann::json& j, KvQuantConfig& c) {
  read(j, "bits", c.bits);
  read(j, "asymmetric", c.asymmetric);
  read(j, "clipRatio", c.clipRatio);
  read(j, "rangeIncludesZero", c.rangeIncludesZero);
  validate(c);
}

void to_json(nlohmann::json& j, const SmoothQuantConfig& c) { j = {{"alpha", c.alpha}}; }
void from_json(const nlohmann::json& j, SmoothQuantConfig& c) {
  read(j, "alpha", c.alpha);
  validate(c);
}

}  // namespace jq
