// Reading the fields of tokenizer.json with errors that name the file and the component: a missing or
// mistyped field is InvalidInput ("tokenizer.json: pre_tokenizer.Split: field 'behavior' is missing").
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace jq {
class Regex;
}

namespace jq::tokjson {

using Json = nlohmann::json;

// Where we are: the file and a path of components, e.g. "normalizer.Sequence[1].Replace".
struct Where {
  std::string file;
  std::string component;
  Where child(const std::string& name) const { return {file, component.empty() ? name : component + "." + name}; }
};

[[noreturn]] void invalid(const Where& at, const std::string& message);
[[noreturn]] void unsupported(const Where& at, const std::string& message);

const Json& field(const Json& j, const char* key, const Where& at);  // must exist
std::string stringField(const Json& j, const char* key, const Where& at);
bool boolField(const Json& j, const char* key, const Where& at, std::optional<bool> fallback = std::nullopt);
int64_t intField(const Json& j, const char* key, const Where& at);
// A field that may be absent or null.
std::optional<std::string> optionalString(const Json& j, const char* key, const Where& at);
// The "type" tag of a component object.
std::string typeOf(const Json& j, const Where& at);
// A string that must hold exactly one character (Rust `char` fields such as Metaspace.replacement).
char32_t charField(const Json& j, const char* key, const Where& at);
// A Split/Replace pattern: {"String": literal} or {"Regex": Oniguruma pattern}.
Regex pattern(const Json& j, const Where& at);

}  // namespace jq::tokjson
