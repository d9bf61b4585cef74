// The `normalizer` of tokenizer.json: rewrites each stretch of text between added tokens before
// pre-tokenization. Supported: Sequence, Prepend, Replace (String or Regex pattern). The Unicode
// normalization forms (NFC, NFD, NFKC, NFKD) and the other normalizers are reported as Unsupported: none of
// the Llama tokenizers uses them, and a wrong one would silently change ids.
#pragma once

#include <memory>
#include <string>

#include "tokenizer/TokenizerJson.h"

namespace jq {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(std::string& text) const = 0;

  // `j` is the "normalizer" value (not null).
  static std::unique_ptr<Normalizer> fromJson(const tokjson::Json& j, const tokjson::Where& at);
};

}  // namespace jq
