#include "tokenizer/Normalizer.h"

#include <vector>

#include "tokenizer/Regex.h"

namespace jq {

using tokjson::Json;
using tokjson::Where;

namespace {

class SequenceNormalizer : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> parts) : parts_(std::move(parts)) {}
  void normalize(std::string& text) const override {
    for (const auto& p : parts_) p->normalize(text);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> parts_;
};

// tokenizers only prepends to a non-empty text.
class PrependNormalizer : public Normalizer {
 public:
  explicit PrependNormalizer(std::string prefix) : prefix_(std::move(prefix)) {}
  void normalize(std::string& text) const override {
    if (!text.empty()) text.insert(0, prefix_);
  }

 private:
  std::string prefix_;
};

class ReplaceNormalizer : public Normalizer {
 public:
  ReplaceNormalizer(Regex pattern, std::string content) : pattern_(std::move(pattern)), content_(std::move(content)) {}
  void normalize(std::string& text) const override {
    std::string out;
    size_t copied = 0;
    bool any = false;
    pattern_.forEachMatch(text, [&](const MatchSpan& m) {
      if (!any) out.reserve(text.size() + text.size() / 8);
      any = true;
      out.append(text, copied, m.begin - copied);
      out += content_;
      copied = m.end;
    });
    if (!any) return;
    out.append(text, copied, std::string::npos);
    text.swap(out);
  }

 private:
  Regex pattern_;
  std::string content_;
};

}  // namespace

std::unique_ptr<Normalizer> Normalizer::fromJson(const Json& j, const Where& at) {
  const std::string type = tokjson::typeOf(j, at);
  const Where here = at.child(type);
  if (type == "Sequence") {
    const Json& list = tokjson::field(j, "normalizers", here);
    if (!list.is_array()) tokjson::invalid(here, "'normalizers' must be an array");
    std::vector<std::unique_ptr<Normalizer>> parts;
    for (size_t i = 0; i < list.size(); ++i) {
      parts.push_back(fromJson(list[i], Where{at.file, here.component + "[" + std::to_string(i) + "]"}));
    }
    return std::make_unique<SequenceNormalizer>(std::move(parts));
  }
  if (type == "Prepend") return std::make_unique<PrependNormalizer>(tokjson::stringField(j, "prepend", here));
  if (type == "Replace") {
    return std::make_unique<ReplaceNormalizer>(tokjson::pattern(tokjson::field(j, "pattern", here), here),
                                               tokjson::stringField(j, "content", here));
  }
  if (type == "NFC" || type == "NFD" || type == "NFKC" || type == "NFKD") {
    tokjson::unsupported(here, "Unicode normalization " + type +
                                   " is not implemented (it needs Unicode composition tables the core does not ship)");
  }
  tokjson::unsupported(here, "normalizer type '" + type + "' is not supported (supported: Sequence, Prepend, Replace)");
}

}  // namespace jq
