// The BPE `model` of tokenizer.json, with tokenizers' exact merge order: repeatedly apply the lowest-ranked
// merge present in the word, the leftmost one among equal ranks (a priority queue over a linked list of
// symbols, O(n log n) per word). Also: ignore_merges (a word that is itself in the vocabulary is one token),
// byte_fallback (<0xNN> tokens for characters outside the vocabulary), unk_token with fuse_unk,
// continuing_subword_prefix and end_of_word_suffix. BPE dropout > 0 is random and reported as Unsupported.
//
// Results are cached per word (words shorter than 256 bytes, up to a fixed number of entries) behind sharded
// mutexes, so const calls from several threads are safe. Longer words (Llama 2 has no pre-tokenizer, so a
// whole text is one word) are first cut before characters that no merge can join to their left neighbour,
// which the vocabulary proves (e.g. "▁" when no token holds "x▁"); the ids are the same, the heap small.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/TokenizerJson.h"

namespace jq {

class BpeModel {
 public:
  // `j` is the "model" value. Throws InvalidInput for a broken vocabulary or merges (a merge whose parts or
  // result are not in the vocabulary), Unsupported for another model type or dropout.
  static std::unique_ptr<BpeModel> fromJson(const tokjson::Json& j, const tokjson::Where& at);
  ~BpeModel();

  // Appends the ids of one pre-tokenized word (non-empty).
  void tokenize(std::string_view word, std::vector<int64_t>& out) const;

  std::optional<int64_t> tokenToId(std::string_view token) const;
  const std::string* idToToken(int64_t id) const;  // nullptr when no token has this id
  int64_t size() const;                           // number of vocabulary entries

 private:
  BpeModel();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jq
