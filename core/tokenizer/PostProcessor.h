// The `post_processor` of tokenizer.json: adds special tokens around the encoded sequence(s) when
// add_special_tokens is on. Supported: TemplateProcessing (single and pair templates), ByteLevel (changes
// offsets only, so no ids), Sequence of those. Bert/Roberta processing are reported as Unsupported.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "tokenizer/TokenizerJson.h"

namespace jq {

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  // `parts` holds the encoded sequence A (and B for a pair) on entry and the pieces to concatenate on exit.
  virtual void process(std::vector<std::vector<int64_t>>& parts, bool addSpecialTokens) const = 0;
  // The first id a single sequence gets in front of its tokens, if any (Llama's BOS).
  virtual std::optional<int64_t> leadingId() const = 0;

  // `j` is the "post_processor" value (not null).
  static std::unique_ptr<PostProcessor> fromJson(const tokjson::Json& j, const tokjson::Where& at);
};

}  // namespace jq
