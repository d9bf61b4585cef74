#include "CommandLine.h"

#include <sstream>

#include "common/Error.h"

namespace jq::cli {

CommandLine::CommandLine(std::string command, std::string summary, std::vector<OptionSpec> options)
    : command_(std::move(command)), summary_(std::move(summary)), specs_(std::move(options)) {}

const OptionSpec* CommandLine::find(const std::string& name) const {
  for (const auto& s : specs_)
    if (s.name == name) return &s;
  return nullptr;
}

void CommandLine::parse(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (a == "--help" || a == "-h") {
      help_ = true;
      continue;
    }
    if (a.rfind("--", 0) != 0)
      throw Error(ErrorKind::InvalidInput, command_ + ": unexpected argument '" + a + "' (see --help)");
    std::string name = a.substr(2), value;
    const auto eq = name.find('=');
    bool inlineValue = false;
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inlineValue = true;
    }
    const OptionSpec* spec = find(name);
    if (!spec) throw Error(ErrorKind::InvalidInput, command_ + ": unknown option --" + name + " (see --help)");
    if (values_.count(name)) throw Error(ErrorKind::InvalidInput, command_ + ": --" + name + " given twice");
    if (spec->valueName.empty()) {
      if (inlineValue) throw Error(ErrorKind::InvalidInput, command_ + ": --" + name + " takes no value");
      values_[name] = "1";
    } else {
      if (!inlineValue) {
        if (i + 1 >= args.size())
          throw Error(ErrorKind::InvalidInput, command_ + ": --" + name + " needs a value (" + spec->valueName + ")");
        value = args[++i];
      }
      values_[name] = value;
    }
  }
}

std::string CommandLine::usage() const {
  std::ostringstream os;
  os << "usage: jointquant " << command_ << " [options]\n\n" << summary_ << "\n\noptions:\n";
  for (const auto& s : specs_) {
    std::string left = "  --" + s.name + (s.valueName.empty() ? "" : " " + s.valueName);
    os << left;
    os << std::string(left.size() < 30 ? 30 - left.size() : 1, ' ') << s.help;
    if (!s.defaultValue.empty()) os << " (default " << s.defaultValue << ")";
    os << "\n";
  }
  os << "  --help                      this text\n";
  return os.str();
}

bool CommandLine::has(const std::string& name) const { return values_.count(name) > 0; }

std::string CommandLine::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it != values_.end()) return it->second;
  const OptionSpec* spec = find(name);
  return spec ? spec->defaultValue : std::string();
}

std::string CommandLine::require(const std::string& name) const {
  std::string v = get(name);
  if (v.empty()) throw Error(ErrorKind::InvalidInput, command_ + ": --" + name + " is required (see --help)");
  return v;
}

int64_t CommandLine::getInt(const std::string& name) const {
  const std::string v = require(name);
  try {
    size_t pos = 0;
    const long long x = std::stoll(v, &pos);
    if (pos != v.size()) throw std::invalid_argument(v);
    return x;
  } catch (const std::exception&) {
    throw Error(ErrorKind::InvalidInput, command_ + ": --" + name + " expects an integer, got '" + v + "'");
  }
}

double CommandLine::getDouble(const std::string& name) const {
  const std::string v = require(name);
  try {
    size_t pos = 0;
    const double x = std::stod(v, &pos);
    if (pos != v.size()) throw std::invalid_argument(v);
    return x;
  } catch (const std::exception&) {
    throw Error(ErrorKind::InvalidInput, command_ + ": --" + name + " expects a number, got '" + v + "'");
  }
}

std::vector<std::string> splitCommaList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    const std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace jq::cli
