#include "tokenizer/AddedVocabulary.h"

#include <algorithm>

#include "tokenizer/BpeModel.h"
#include "tokenizer/Normalizer.h"
#include "tokenizer/Regex.h"
#include "tokenizer/Utf8.h"

namespace jq {

namespace {

// Rust regex's Unicode \w (Alphabetic, Mark, Decimal_Number, Connector_Punctuation, Join_Control), which
// tokenizers uses for single_word. Alphabetic is spelled as letters, letter numbers and the Other_Alphabetic
// symbols outside the marks (circled and squared Latin letters).
bool isWordChar(char32_t cp) {
  static const Regex word(
      "[\\p{L}\\p{Nl}\\p{M}\\p{Nd}\\p{Pc}\\x{200C}\\x{200D}\\x{24B6}-\\x{24E9}\\x{1F130}-\\x{1F149}"
      "\\x{1F150}-\\x{1F169}\\x{1F170}-\\x{1F189}]",
      "added token word test");
  std::string s;
  utf8::append(s, cp);
  bool found = false;
  word.forEachMatch(s, [&](const MatchSpan&) { found = true; });
  return found;
}

}  // namespace

void AddedVocabulary::add(std::vector<AddedToken> tokens, const BpeModel& model, const Normalizer* normalizer) {
  int64_t nextId = model.size();
  if (!byId_.empty()) {
    int64_t maxId = -1;
    for (const auto& [id, index] : byId_) maxId = std::max(maxId, id);
    if (maxId >= model.size() || model.size() == 0) nextId = maxId + 1;
  }
  for (AddedToken& token : tokens) {
    if (token.content.empty()) continue;
    if (auto known = byContent_.find(token.content); known != byContent_.end()) {
      const AddedToken& old = tokens_[known->second];
      if (old.singleWord == token.singleWord && old.lstrip == token.lstrip && old.rstrip == token.rstrip &&
          old.normalized == token.normalized && old.special == token.special) {
        continue;
      }
    }
    std::optional<int64_t> id = tokenToId(token.content);
    if (!id) id = model.tokenToId(token.content);
    token.id = id ? *id : nextId++;
    token.pattern = token.content;
    if (token.normalized && normalizer) normalizer->normalize(token.pattern);
    if (token.special) special_.insert(token.content);
    tokens_.push_back(token);
    byContent_[token.content] = tokens_.size() - 1;
    byId_[token.id] = tokens_.size() - 1;
  }
  rebuild();
}

void AddedVocabulary::rebuild() {
  raw_ = MatchSet();
  normalized_ = MatchSet();
  for (const auto& [id, index] : byId_) {
    const AddedToken& t = tokens_[index];
    MatchSet& set = t.normalized ? normalized_ : raw_;
    if (t.pattern.empty()) continue;
    set.byFirstByte[static_cast<unsigned char>(t.pattern[0])].push_back(index);
    set.empty = false;
  }
  for (MatchSet* set : {&raw_, &normalized_}) {
    for (auto& list : set->byFirstByte) {
      std::sort(list.begin(), list.end(), [&](size_t a, size_t b) {
        return tokens_[a].pattern.size() != tokens_[b].pattern.size()
                   ? tokens_[a].pattern.size() > tokens_[b].pattern.size()
                   : tokens_[a].id < tokens_[b].id;
      });
    }
  }
}

void AddedVocabulary::split(const std::string& text, bool atStart, bool normalizedSet, std::vector<Segment>& out) const {
  if (text.empty()) return;
  const MatchSet& set = normalizedSet ? normalized_ : raw_;
  if (set.empty) {
    out.push_back(Segment{text, -1, atStart});
    return;
  }
  auto emit = [&](size_t begin, size_t end, int64_t id) {
    if (end > begin) out.push_back(Segment{text.substr(begin, end - begin), id, atStart && begin == 0});
  };
  const size_t length = text.size();
  size_t startOffset = 0;
  size_t pos = 0;
  while (pos < length) {
    // Leftmost match, longest at that position.
    size_t matchStart = length, matchIndex = 0;
    for (size_t i = pos; i < length && matchStart == length; ++i) {
      for (size_t index : set.byFirstByte[static_cast<unsigned char>(text[i])]) {
        const std::string& p = tokens_[index].pattern;
        if (text.compare(i, p.size(), p) == 0) {
          matchStart = i;
          matchIndex = index;
          break;
        }
      }
    }
    if (matchStart == length) break;
    const AddedToken& token = tokens_[matchIndex];
    size_t start = matchStart;
    size_t stop = matchStart + token.pattern.size();
    pos = stop;
    if (token.singleWord) {
      const bool spaceBefore = start == 0 || !isWordChar(utf8::last(std::string_view(text).substr(0, start)));
      size_t after = stop;
      const bool spaceAfter = stop == length || !isWordChar(utf8::next(text, after));
      if (!spaceBefore || !spaceAfter) continue;
    }
    if (token.lstrip) {
      size_t newStart = start;
      while (newStart > 0) {
        size_t back = newStart - 1;
        while (back > 0 && (static_cast<unsigned char>(text[back]) & 0xC0) == 0x80) --back;
        size_t probe = back;
        if (!utf8::isWhiteSpace(utf8::next(text, probe))) break;
        newStart = back;
      }
      start = std::max(newStart, startOffset);
    }
    if (token.rstrip) {
      while (stop < length) {
        size_t probe = stop;
        if (!utf8::isWhiteSpace(utf8::next(text, probe))) break;
        stop = probe;
      }
    }
    if (startOffset < start) emit(startOffset, start, -1);
    emit(start, stop, token.id);
    startOffset = stop;
  }
  if (startOffset < length) emit(startOffset, length, -1);
}

std::optional<int64_t> AddedVocabulary::tokenToId(const std::string& content) const {
  auto it = byContent_.find(content);
  if (it == byContent_.end()) return std::nullopt;
  return tokens_[it->second].id;
}

const AddedToken* AddedVocabulary::byId(int64_t id) const {
  auto it = byId_.find(id);
  return it == byId_.end() ? nullptr : &tokens_[it->second];
}

}  // namespace jq
