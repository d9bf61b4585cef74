// The `pre_tokenizer` of tokenizer.json: cuts normalized text into the words the model encodes one by one.
// Supported: Sequence, Split (String/Regex pattern, every behavior, invert), ByteLevel (add_prefix_space,
// use_regex with the GPT-2 pattern, byte-to-character mapping) and Metaspace (replacement, prepend_scheme
// always/first/never, split). Other types are reported as Unsupported.
//
// Pieces stream through the stages instead of being collected, so a whole corpus string does not turn into
// millions of intermediate strings. As in tokenizers, every stage drops the empty pieces it produces.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "tokenizer/TokenizerJson.h"

namespace jq {

struct Piece {
  std::string text;
  // The piece begins at offset 0 of the original input (Metaspace's prepend_scheme "first" looks at it).
  bool atStart = false;
};

using PieceSink = std::function<void(Piece&&)>;

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Splits/transforms one non-empty piece and passes each non-empty result to `sink`, in order.
  virtual void run(Piece&& piece, const PieceSink& sink) const = 0;

  // `j` is the "pre_tokenizer" value (not null).
  static std::unique_ptr<PreTokenizer> fromJson(const tokjson::Json& j, const tokjson::Where& at);
};

// GPT-2's byte-to-unicode table: byte b becomes a printable character (UTF-8 of up to 2 bytes).
const std::string& byteLevelChar(unsigned char b);
// The inverse: the byte a character stands for, or -1 when it is not one of the 256 characters.
int byteLevelByte(char32_t c);

}  // namespace jq
