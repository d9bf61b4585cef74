#include "data/EvaluationText.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "common/Error.h"
#include "tokenizer/Utf8.h"

namespace jq {

namespace {

std::string readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) throwNotFound(path, "dataset file does not exist");
    throwIo(path, std::string("cannot open dataset file: ") + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throwIo(path, "read failed");
  std::string s = ss.str();
  if (s.find('\0') != std::string::npos)
    throwInvalid(path, "dataset file contains NUL bytes: it is binary, not text");
  // Checked here, not only by the tokenizer, so that the error names the data set rather than tokenizer.json.
  if (const size_t bad = utf8::findInvalid(s); bad != std::string::npos) {
    const auto line = 1 + std::count(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(bad), '\n');
    throwInvalid(path, "dataset is not valid UTF-8 text: byte " + std::to_string(bad) + " (line " +
                           std::to_string(line) + ") is not part of a valid UTF-8 character; convert the file "
                           "to UTF-8 first (e.g. iconv -f latin1 -t utf-8)");
  }
  return s;
}

bool isBlank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

std::string strip(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// Lines including their trailing "\n" (the last one may lack it), as Python's `for line in f` yields them.
std::vector<std::string> linesKeepingNewline(const std::string& s) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < s.size()) {
    const size_t nl = s.find('\n', start);
    const size_t end = nl == std::string::npos ? s.size() : nl + 1;
    lines.push_back(s.substr(start, end - start));
    start = end;
  }
  return lines;
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isJsonLines(const std::string& path) { return endsWith(path, ".jsonl") || endsWith(path, ".json"); }

std::vector<std::string> jsonRows(const std::string& path, const std::string& content, const std::string& field) {
  std::vector<std::string> rows;
  size_t lineNo = 0;
  for (const std::string& raw : linesKeepingNewline(content)) {
    ++lineNo;
    if (isBlank(raw)) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(raw);
    } catch (const nlohmann::json::exception& e) {
      throwInvalid(path, "line " + std::to_string(lineNo) + " is not JSON: " + e.what());
    }
    if (!j.is_object() || !j.contains(field) || !j[field].is_string())
      throwInvalid(path, "line " + std::to_string(lineNo) + " has no string field \"" + field + "\"");
    rows.push_back(j[field].get<std::string>());
  }
  return rows;
}

std::string join(const std::vector<std::string>& rows, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i) out += sep;
    out += rows[i];
  }
  return out;
}

}  // namespace

DatasetFormat datasetFormatFromName(const std::string& name) {
  if (name == "text" || name == "txt") return DatasetFormat::Text;
  if (name == "wikitext2" || name == "wikitext" || name == "wikitext-2") return DatasetFormat::WikiText2;
  if (name == "ptb") return DatasetFormat::Ptb;
  if (name == "c4") return DatasetFormat::C4;
  throw Error(ErrorKind::InvalidInput, "unknown dataset format '" + name + "' (text, wikitext2, ptb, c4)");
}

const char* datasetFormatName(DatasetFormat format) {
  switch (format) {
    case DatasetFormat::Text: return "text";
    case DatasetFormat::WikiText2: return "wikitext2";
    case DatasetFormat::Ptb: return "ptb";
    case DatasetFormat::C4: return "c4";
  }
  return "text";
}

DatasetFormat guessDatasetFormat(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (name.find("wiki") != std::string::npos) return DatasetFormat::WikiText2;
  if (name.find("ptb") != std::string::npos) return DatasetFormat::Ptb;
  if (name.find("c4") != std::string::npos) return DatasetFormat::C4;
  return DatasetFormat::Text;
}

EvaluationText loadEvaluationText(const std::string& path, DatasetFormat format) {
  const std::string content = readWholeFile(path);
  if (isBlank(content)) throwInvalid(path, "dataset is empty (no text)");
  EvaluationText out;
  switch (format) {
    case DatasetFormat::Text:
      out.text = content;
      break;
    case DatasetFormat::WikiText2: {
      std::vector<std::string> rows =
          isJsonLines(path) ? jsonRows(path, content, "text") : linesKeepingNewline(content);
      for (std::string& r : rows)
        if (isBlank(r)) r.clear();
      out.text = join(rows, "\n\n");
      break;
    }
    case DatasetFormat::Ptb: {
      std::vector<std::string> rows =
          isJsonLines(path) ? jsonRows(path, content, "sentence") : linesKeepingNewline(content);
      for (std::string& r : rows) r = strip(r);
      out.text = join(rows, " ");
      break;
    }
    case DatasetFormat::C4: {
      if (!isJsonLines(path)) throwInvalid(path, "c4 data must be JSON lines ({\"text\": ...} per line)");
      std::vector<std::string> rows = jsonRows(path, content, "text");
      if (rows.size() > 1100) rows.resize(1100);
      out.text = join(rows, " ");
      out.maxWindows = 256;
      break;
    }
  }
  return out;
}

}  // namespace jq
