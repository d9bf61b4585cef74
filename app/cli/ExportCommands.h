// `jointquant export`, `export-rotations` and `eval-rotations`: results other tools can load (Hugging Face
// checkpoints, SpinQuant/DartQuant rotation files) and rotations made elsewhere evaluated here. Wiring only; the
// work is in core/export.
#pragma once

#include <string>
#include <vector>

namespace jq::cli {

int cmdExport(const std::vector<std::string>& args);
int cmdExportRotations(const std::vector<std::string>& args);
int cmdEvalRotations(const std::vector<std::string>& args);

}  // namespace jq::cli
