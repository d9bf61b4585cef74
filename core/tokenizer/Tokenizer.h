// jq::Tokenizer reads a Hugging Face tokenizer.json and produces the ids Hugging Face `tokenizers` produces,
// id for id, for both Llama families:
//   Llama 3: byte-level BPE, Split(regex, Isolated) + ByteLevel(use_regex=false), ignore_merges;
//   Llama 2: metaspace BPE, normalizer Prepend("▁") + Replace(" ", "▁"), byte_fallback, fuse_unk.
// The pipeline is tokenizers' own: added tokens are cut out first (normalized=false ones on the raw text,
// normalized=true ones after normalization), each stretch between them is normalized, pre-tokenized and
// encoded word by word with BPE, then the post-processor adds the special tokens (BOS). What a file uses
// beyond the supported components (listed in Normalizer.h, PreTokenizer.h, PostProcessor.h, Decoder.h) is
// refused at load with ErrorKind::Unsupported naming the file and component; broken JSON or missing fields
// are ErrorKind::InvalidInput. `truncation` and fixed-length `padding` are refused as Unsupported.
//
// All const methods are thread-safe; copies share the loaded tables and the word cache.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/Job.h"

namespace jq {

class Tokenizer {
 public:
  // `path` is a tokenizer.json or a model directory holding one. Throws NotFound (no file), Io (unreadable),
  // InvalidInput (not JSON, missing or mistyped fields) or Unsupported (a component we do not implement).
  static Tokenizer fromFile(const std::string& path);
  // The same from the text of a tokenizer.json; `source` names it in errors.
  static Tokenizer fromJson(const std::string& json, const std::string& source = "tokenizer.json");

  // Ids of `text` (UTF-8; invalid UTF-8 is InvalidInput). addSpecialTokens applies the post-processor's
  // template (e.g. BOS); special tokens written in the text are always matched as single tokens.
  std::vector<int64_t> encode(const std::string& text, bool addSpecialTokens = true) const;
  // The same for long texts: reports stage "tokenize" progress (bytes, approximate) and honours cancellation.
  std::vector<int64_t> encode(const std::string& text, bool addSpecialTokens, const JobContext& job) const;
  // A pair of sequences through the post-processor's pair template.
  std::vector<int64_t> encodePair(const std::string& first, const std::string& second,
                                  bool addSpecialTokens = true) const;

  // Text of `ids` through the decoder. As in tokenizers, ids that name no token are skipped, and with
  // skipSpecialTokens the added tokens marked special are left out.
  std::string decode(const std::vector<int64_t>& ids, bool skipSpecialTokens = false) const;

  // Distinct tokens of the model vocabulary and the added tokens (tokenizers' get_vocab_size(true)).
  int64_t vocabSize() const;
  // The id the post-processor puts in front of a single sequence (Llama's BOS), if it adds one.
  std::optional<int64_t> bosId() const;
  std::optional<int64_t> tokenToId(const std::string& token) const;
  // Throws InvalidInput when no token has this id.
  std::string idToToken(int64_t id) const;

  const std::string& source() const;  // the file it was read from

 private:
  struct Impl;
  explicit Tokenizer(std::shared_ptr<const Impl> impl);
  std::vector<int64_t> encodeSequence(const std::string& text, const JobContext* job) const;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace jq
