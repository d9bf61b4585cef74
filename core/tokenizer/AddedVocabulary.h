// The `added_tokens` of tokenizer.json. They are matched in the text before the model sees it (special or
// not): first the tokens with normalized=false on the raw text, then those with normalized=true on each
// normalized stretch between them, leftmost-longest as tokenizers' Aho-Corasick does. single_word keeps a
// match only between non-word characters; lstrip/rstrip swallow the white space beside it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace jq {

class BpeModel;
class Normalizer;

struct AddedToken {
  std::string content;
  int64_t id = -1;
  bool singleWord = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
  bool special = false;
  std::string pattern;  // what is matched: content, or content normalized when `normalized`
};

// A stretch of text between added tokens, or one added token (tokenId >= 0).
struct Segment {
  std::string text;
  int64_t tokenId = -1;
  bool atStart = false;  // begins at offset 0 of the original input
};

class AddedVocabulary {
 public:
  // Adds tokens in file order with tokenizers' id rule: the id the model or an earlier added token already
  // gives this content, else the next free id after the model vocabulary. Empty contents are ignored.
  void add(std::vector<AddedToken> tokens, const BpeModel& model, const Normalizer* normalizer);

  // Splits `text` at the tokens of one set (normalized=false or normalized=true). Empty results are dropped.
  void split(const std::string& text, bool atStart, bool normalizedSet, std::vector<Segment>& out) const;

  std::optional<int64_t> tokenToId(const std::string& content) const;
  const AddedToken* byId(int64_t id) const;
  bool isSpecial(const std::string& content) const { return special_.count(content) > 0; }
  const std::vector<AddedToken>& tokens() const { return tokens_; }

 private:
  struct MatchSet {
    // Candidates by first byte, longest pattern first.
    std::vector<std::vector<size_t>> byFirstByte = std::vector<std::vector<size_t>>(256);
    bool empty = true;
  };
  void rebuild();

  std::vector<AddedToken> tokens_;                  // in order of addition
  std::unordered_map<std::string, size_t> byContent_;
  std::unordered_map<int64_t, size_t> byId_;
  std::unordered_set<std::string> special_;
  MatchSet raw_, normalized_;
};

}  // namespace jq
