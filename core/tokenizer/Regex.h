// Regular expressions of tokenizer.json, with the meaning Hugging Face `tokenizers` gives them.
//
// `tokenizers` compiles every pattern with Oniguruma (Rust crate `onig`, default syntax, UTF-8). We run them
// with PCRE2 (UTF + UCP, JIT when available) after rewriting the constructs whose meaning differs:
//   \s, \S  Oniguruma: Unicode White_Space (includes U+0085, excludes U+001C..U+001F);
//           PCRE2 UCP: \p{Z} plus a few controls (misses U+0085). Rewritten to the White_Space list.
//   \h, \H  Oniguruma: hexadecimal digit; PCRE2: horizontal space. Rewritten to [0-9A-Fa-f].
//   \w, \W  Oniguruma: Letter|Mark|Number|Connector_Punctuation; PCRE2 10.42 lacks Mc/Me. Rewritten.
//   ^, $    Oniguruma (Ruby semantics): line anchors. PCRE2 runs with PCRE2_MULTILINE.
// Negated escapes inside a bracket class ([^\S]), nested classes and class intersection (&&) have no PCRE2
// spelling here and are reported as Unsupported. Property tables follow the PCRE2 build's Unicode version.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace jq {

struct MatchSpan {
  size_t begin = 0;
  size_t end = 0;
};

class Regex {
 public:
  // `pattern` is Oniguruma syntax as written in tokenizer.json; `source` (the file) names errors.
  // Throws jq::Error InvalidInput when PCRE2 rejects it, Unsupported for the constructs listed above.
  Regex(const std::string& pattern, const std::string& source);
  // A pattern matching `text` literally (tokenizers' `{"String": ...}` patterns, i.e. regex::escape(text)).
  static Regex literal(const std::string& text, const std::string& source);

  Regex(Regex&&) noexcept;
  Regex& operator=(Regex&&) noexcept;
  ~Regex();

  // Calls `onMatch` for every match in `text` (valid UTF-8), in order, exactly as the `onig` crate's
  // find_iter yields them: searches resume at the previous match end, and an empty match right at the end of
  // the previous match is skipped by advancing one character. Thread-safe.
  void forEachMatch(std::string_view text, const std::function<void(const MatchSpan&)>& onMatch) const;
  std::vector<MatchSpan> findAll(std::string_view text) const;

  const std::string& pattern() const { return pattern_; }

  // The PCRE2 spelling of an Oniguruma pattern (exposed for tests).
  static std::string translate(const std::string& pattern, const std::string& source);

 private:
  Regex() = default;
  struct Code;
  std::string pattern_;
  std::string literal_;  // non-empty: plain substring search, no regex engine
  std::unique_ptr<Code> code_;
};

}  // namespace jq
