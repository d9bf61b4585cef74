#include "tokenizer/TokenizerJson.h"

#include "common/Error.h"
#include "common/JsonInteger.h"
#include "tokenizer/Regex.h"
#include "tokenizer/Utf8.h"

namespace jq::tokjson {

namespace {
std::string prefix(const Where& at) { return at.component.empty() ? std::string() : at.component + ": "; }
}  // namespace

void invalid(const Where& at, const std::string& message) { throwInvalid(at.file, prefix(at) + message); }
void unsupported(const Where& at, const std::string& message) { throwUnsupported(at.file, prefix(at) + message); }

const Json& field(const Json& j, const char* key, const Where& at) {
  if (!j.is_object()) invalid(at, "expected a JSON object");
  auto it = j.find(key);
  if (it == j.end()) invalid(at, std::string("field '") + key + "' is missing");
  return *it;
}

std::string stringField(const Json& j, const char* key, const Where& at) {
  const Json& v = field(j, key, at);
  if (!v.is_string()) invalid(at, std::string("field '") + key + "' must be a string");
  return v.get<std::string>();
}

bool boolField(const Json& j, const char* key, const Where& at, std::optional<bool> fallback) {
  if (!j.is_object()) invalid(at, "expected a JSON object");
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (fallback) return *fallback;
    invalid(at, std::string("field '") + key + "' is missing");
  }
  if (!it->is_boolean()) invalid(at, std::string("field '") + key + "' must be true or false");
  return it->get<bool>();
}

int64_t intField(const Json& j, const char* key, const Where& at) {
  const Json& v = field(j, key, at);
  const std::optional<int64_t> value = jsonInt64(v);
  if (!value) invalid(at, std::string("field '") + key + "' must be an integer within 64 bits, got " + v.dump());
  return *value;
}

std::optional<std::string> optionalString(const Json& j, const char* key, const Where& at) {
  if (!j.is_object()) invalid(at, "expected a JSON object");
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) invalid(at, std::string("field '") + key + "' must be a string or null");
  return it->get<std::string>();
}

std::string typeOf(const Json& j, const Where& at) {
  if (!j.is_object()) invalid(at, "expected a JSON object with a 'type'");
  return stringField(j, "type", at);
}

char32_t charField(const Json& j, const char* key, const Where& at) {
  const std::string s = stringField(j, key, at);
  if (s.empty() || utf8::findInvalid(s) != std::string::npos) {
    invalid(at, std::string("field '") + key + "' must hold one character");
  }
  size_t pos = 0;
  const char32_t cp = utf8::next(s, pos);
  if (pos != s.size()) invalid(at, std::string("field '") + key + "' must hold one character, not '" + s + "'");
  return cp;
}

// {"String": "..."} or {"Regex": "..."}, as Split and Replace write their patterns.
Regex pattern(const Json& j, const Where& at) {
  if (!j.is_object() || j.size() != 1) invalid(at, "'pattern' must be {\"String\": ...} or {\"Regex\": ...}");
  if (j.contains("String")) {
    if (!j["String"].is_string()) invalid(at, "pattern.String must be a string");
    return Regex::literal(j["String"].get<std::string>(), at.file);
  }
  if (j.contains("Regex")) {
    if (!j["Regex"].is_string()) invalid(at, "pattern.Regex must be a string");
    return Regex(j["Regex"].get<std::string>(), at.file);
  }
  invalid(at, "'pattern' must be {\"String\": ...} or {\"Regex\": ...}");
}

}  // namespace jq::tokjson
