// The `decoder` of tokenizer.json: turns token strings back into text. Supported: ByteLevel, Metaspace,
// Replace, ByteFallback, Fuse, Strip and Sequence of them, with tokenizers' rules (e.g. ByteFallback turns
// an invalid run of <0xNN> tokens into one U+FFFD per byte; ByteLevel decodes lossily). WordPiece, BPE and
// CTC decoders are reported as Unsupported.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tokenizer/TokenizerJson.h"

namespace jq {

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual void decodeChain(std::vector<std::string>& tokens) const = 0;

  // `j` is the "decoder" value (not null).
  static std::unique_ptr<Decoder> fromJson(const tokjson::Json& j, const tokjson::Where& at);
};

}  // namespace jq
