// UTF-8 helpers of the tokenizer. Hugging Face `tokenizers` works on Rust strings (always valid UTF-8) and
// walks them by `char`; these functions give the same view of a std::string.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace jq::utf8 {

// Length of the sequence that a valid lead byte starts (1..4).
inline size_t sequenceLength(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

// Decodes the code point starting at text[pos] and moves pos past it. The text must be valid UTF-8.
char32_t next(std::string_view text, size_t& pos);

// Decodes the last code point of a non-empty valid UTF-8 text.
char32_t last(std::string_view text);

void append(std::string& out, char32_t cp);

// Byte offset of the first byte that does not belong to a well-formed UTF-8 sequence, or npos when the
// whole text is valid (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t findInvalid(std::string_view bytes);

// Rust's String::from_utf8_lossy: each maximal ill-formed subsequence becomes one U+FFFD.
std::string fromBytesLossy(std::string_view bytes);

// The Unicode White_Space property: what Oniguruma's \s and Rust's char::is_whitespace / regex \s accept.
bool isWhiteSpace(char32_t cp);

}  // namespace jq::utf8
