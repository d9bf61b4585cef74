#include "tokenizer/PostProcessor.h"

#include <map>
#include <string>

#include "common/Error.h"
#include "common/JsonInteger.h"

namespace jq {

using tokjson::Json;
using tokjson::Where;

namespace {

struct TemplatePiece {
  bool isSequence = false;
  int sequence = 0;       // 0 = A, 1 = B
  std::string special;    // key into special_tokens
};

class TemplateProcessor : public PostProcessor {
 public:
  TemplateProcessor(std::vector<TemplatePiece> single, std::vector<TemplatePiece> pair,
                    std::map<std::string, std::vector<int64_t>> specials)
      : single_(std::move(single)), pair_(std::move(pair)), specials_(std::move(specials)) {}

  void process(std::vector<std::vector<int64_t>>& parts, bool addSpecialTokens) const override {
    if (parts.size() != 1 && parts.size() != 2) {
      throwUnsupported("", "TemplateProcessing applies to one or two sequences, got " + std::to_string(parts.size()));
    }
    const auto& tmpl = parts.size() == 1 ? single_ : pair_;
    std::vector<std::vector<int64_t>> result;
    for (const TemplatePiece& p : tmpl) {
      if (p.isSequence) {
        result.push_back(parts[size_t(p.sequence)]);
      } else if (addSpecialTokens) {
        result.push_back(specials_.at(p.special));
      }
    }
    parts.swap(result);
  }

  std::optional<int64_t> leadingId() const override {
    if (single_.empty() || single_.front().isSequence) return std::nullopt;
    const auto& ids = specials_.at(single_.front().special);
    if (ids.empty()) return std::nullopt;
    return ids.front();
  }

 private:
  std::vector<TemplatePiece> single_, pair_;
  std::map<std::string, std::vector<int64_t>> specials_;
};

class NoIdsProcessor : public PostProcessor {  // ByteLevel: trims offsets, ids unchanged
 public:
  void process(std::vector<std::vector<int64_t>>&, bool) const override {}
  std::optional<int64_t> leadingId() const override { return std::nullopt; }
};

class SequenceProcessor : public PostProcessor {
 public:
  explicit SequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> parts) : parts_(std::move(parts)) {}
  void process(std::vector<std::vector<int64_t>>& parts, bool addSpecialTokens) const override {
    for (const auto& p : parts_) p->process(parts, addSpecialTokens);
  }
  std::optional<int64_t> leadingId() const override {
    for (const auto& p : parts_) {
      if (auto id = p->leadingId()) return id;
    }
    return std::nullopt;
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> parts_;
};

// A template item: {"SpecialToken": {"id": "<s>", "type_id": 0}} or {"Sequence": {"id": "A", "type_id": 0}},
// or the string form tokenizers' Python API accepts ("$A", "$B:1", "[CLS]:0").
TemplatePiece pieceFromJson(const Json& j, const Where& at) {
  TemplatePiece p;
  if (j.is_string()) {
    std::string s = j.get<std::string>();
    const size_t colon = s.find(':');
    if (colon != std::string::npos) s = s.substr(0, colon);
    if (!s.empty() && s[0] == '$') {
      p.isSequence = true;
      const std::string rest = s.substr(1);
      p.sequence = (rest == "B" || rest == "b") ? 1 : 0;
    } else {
      p.special = s;
    }
    return p;
  }
  if (j.is_object() && j.contains("Sequence")) {
    const std::string id = tokjson::stringField(j["Sequence"], "id", at);
    if (id != "A" && id != "B") tokjson::invalid(at, "template sequence id must be \"A\" or \"B\", not '" + id + "'");
    p.isSequence = true;
    p.sequence = id == "B" ? 1 : 0;
    return p;
  }
  if (j.is_object() && j.contains("SpecialToken")) {
    p.special = tokjson::stringField(j["SpecialToken"], "id", at);
    return p;
  }
  tokjson::invalid(at, "a template item must be {\"Sequence\": ...} or {\"SpecialToken\": ...}");
}

std::vector<TemplatePiece> templateFromJson(const Json& j, const char* key, const Where& at,
                                            const std::map<std::string, std::vector<int64_t>>& specials) {
  const Json& list = tokjson::field(j, key, at);
  if (!list.is_array()) tokjson::invalid(at, std::string("'") + key + "' must be an array");
  std::vector<TemplatePiece> pieces;
  for (const Json& item : list) {
    pieces.push_back(pieceFromJson(item, at));
    if (!pieces.back().isSequence && !specials.count(pieces.back().special)) {
      tokjson::invalid(at, std::string("template '") + key + "' uses special token '" + pieces.back().special +
                               "', which special_tokens does not define");
    }
  }
  return pieces;
}

}  // namespace

std::unique_ptr<PostProcessor> PostProcessor::fromJson(const Json& j, const Where& at) {
  const std::string type = tokjson::typeOf(j, at);
  const Where here = at.child(type);
  if (type == "TemplateProcessing") {
    std::map<std::string, std::vector<int64_t>> specials;
    const Json& tokens = tokjson::field(j, "special_tokens", here);
    if (!tokens.is_object()) tokjson::invalid(here, "'special_tokens' must be an object");
    for (auto it = tokens.begin(); it != tokens.end(); ++it) {
      const Json& ids = tokjson::field(it.value(), "ids", here);
      if (!ids.is_array()) tokjson::invalid(here, "special token '" + it.key() + "': 'ids' must be an array");
      std::vector<int64_t> values;
      for (const Json& id : ids) {
        const std::optional<int64_t> value = jsonInt64(id);
        if (!value || *value < 0) {
          tokjson::invalid(here, "special token '" + it.key() + "': ids must be non-negative integers within 64 "
                                 "bits, got " + id.dump());
        }
        values.push_back(*value);
      }
      specials[it.key()] = std::move(values);
    }
    auto single = templateFromJson(j, "single", here, specials);
    auto pair = templateFromJson(j, "pair", here, specials);
    return std::make_unique<TemplateProcessor>(std::move(single), std::move(pair), std::move(specials));
  }
  if (type == "ByteLevel") return std::make_unique<NoIdsProcessor>();
  if (type == "Sequence") {
    const Json& list = tokjson::field(j, "processors", here);
    if (!list.is_array()) tokjson::invalid(here, "'processors' must be an array");
    std::vector<std::unique_ptr<PostProcessor>> parts;
    int templates = 0;
    for (size_t i = 0; i < list.size(); ++i) {
      const Where item{at.file, here.component + "[" + std::to_string(i) + "]"};
      if (tokjson::typeOf(list[i], item) != "ByteLevel") ++templates;
      parts.push_back(fromJson(list[i], item));
    }
    if (templates > 1) {
      tokjson::unsupported(here, "a Sequence may hold at most one processor that adds tokens");
    }
    return std::make_unique<SequenceProcessor>(std::move(parts));
  }
  tokjson::unsupported(here, "post-processor type '" + type +
                                 "' is not supported (supported: TemplateProcessing, ByteLevel, Sequence)");
}

}  // namespace jq
