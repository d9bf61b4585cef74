// A small, strict command-line parser for `jointquant <command> [--option value | --flag]...`.
// Unknown options are errors (a typo must not silently fall back to a default).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace jq::cli {

struct OptionSpec {
  std::string name;         // without dashes
  std::string valueName;    // empty = a flag
  std::string help;
  std::string defaultValue; // shown in --help
};

class CommandLine {
 public:
  CommandLine(std::string command, std::string summary, std::vector<OptionSpec> options);

  // Throws jq::Error(InvalidInput) on unknown options, missing values or a repeated option.
  void parse(const std::vector<std::string>& args);
  bool helpRequested() const { return help_; }
  std::string usage() const;

  bool has(const std::string& name) const;
  std::string get(const std::string& name) const;            // the value or the spec's default
  std::string require(const std::string& name) const;        // throws when absent and no default
  int64_t getInt(const std::string& name) const;
  double getDouble(const std::string& name) const;
  bool flag(const std::string& name) const { return has(name); }

 private:
  const OptionSpec* find(const std::string& name) const;
  std::string command_, summary_;
  std::vector<OptionSpec> specs_;
  std::map<std::string, std::string> values_;
  bool help_ = false;
};

// "a,b,,c" -> {"a", "b", "c"} (empty items dropped): list-valued options such as --dataset and --include.
std::vector<std::string> splitCommaList(const std::string& s);

}  // namespace jq::cli
