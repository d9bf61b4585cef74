// Reads an evaluation or calibration data set from disk into exactly the string the Python tools (GPTQ, QuaRot,
// DartQuant) tokenize, so that perplexities are comparable with published numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace jq {

enum class DatasetFormat {
  Text,       // the file is one document, as is
  WikiText2,  // wiki.{train,test}.raw, or a .jsonl of {"text": row}: rows joined with "\n\n" (HF wikitext-2-raw-v1)
  Ptb,        // ptb.{train,test}.txt, or a .jsonl of {"sentence": row}: sentences joined with " " (ptb_text_only)
  C4,         // a .jsonl (or .json lines) of {"text": doc}: GPTQ's validation convention, see below
};

// "text", "wikitext2" (also "wikitext", "wikitext-2"), "ptb", "c4"; throws jq::Error(InvalidInput) otherwise.
DatasetFormat datasetFormatFromName(const std::string& name);
const char* datasetFormatName(DatasetFormat format);
// Guess from the file name: *wiki* -> WikiText2, *ptb* -> Ptb, *c4* -> C4, else Text.
DatasetFormat guessDatasetFormat(const std::string& path);

struct EvaluationText {
  std::string text;
  // C4's convention caps evaluation at 256 windows of seqlen tokens; unset for the other formats.
  std::optional<int64_t> maxWindows;
};

// Conventions:
//  * WikiText2 raw file: the Hugging Face rows are the lines of the file, each keeping its trailing "\n", and a
//    whitespace-only line becomes ""; the text is the rows joined with "\n\n".
//  * Ptb raw file: one sentence a line; HF's rows are the lines stripped of surrounding white space; joined with " ".
//  * C4: the first 1100 documents joined with " ", evaluated on at most 256 windows (GPTQ's `c4` validation set).
// Throws jq::Error naming the file when it is missing, unreadable, empty (or only white space), binary (contains
// NUL bytes), not valid UTF-8 (naming the byte and line), or, for .jsonl, a line is not a JSON object with the
// expected string field.
EvaluationText loadEvaluationText(const std::string& path, DatasetFormat format);

}  // namespace jq
