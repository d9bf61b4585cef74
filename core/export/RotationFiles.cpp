#include "export/RotationFiles.h"

#include <cctype>
#include <filesystem>
#include <map>
#include <optional>

#include "common/Error.h"
#include "common/Log.h"
#include "io/RunFile.h"
#include "io/SafetensorsFile.h"
#include "io/TorchPickle.h"

namespace jq {

namespace {

std::string lowerExtension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

// Layer index of "model.layers.<i>.self_attn.R2" (or with SpinQuant's raw ".weight" suffix).
std::optional<int> r2LayerOfKey(const std::string& key) {
  const std::string prefix = "model.layers.";
  std::string k = key;
  const std::string weight = ".weight";
  if (k.size() > weight.size() && k.compare(k.size() - weight.size(), weight.size(), weight) == 0)
    k.resize(k.size() - weight.size());
  const std::string suffix = ".self_attn.R2";
  if (k.size() <= prefix.size() + suffix.size() || k.compare(0, prefix.size(), prefix) != 0 ||
      k.compare(k.size() - suffix.size(), suffix.size(), suffix) != 0)
    return std::nullopt;
  const std::string digits = k.substr(prefix.size(), k.size() - prefix.size() - suffix.size());
  if (digits.empty() || digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoi(digits);
}

bool isR1Key(const std::string& key) { return key == "R1" || key == "R1.weight"; }

void requireSquare(const at::Tensor& t, const std::string& path, const std::string& what) {
  const bool ok = (t.dim() == 2 || t.dim() == 3) && t.size(-1) == t.size(-2) && t.size(-1) > 0 &&
                  at::isFloatingType(t.scalar_type());
  if (!ok) throw Error(ErrorKind::InvalidInput, what + " is not a floating-point square matrix (or stack of them)",
                       {path, what, {}});
}

RotationSet rotationSetFromDict(const std::map<std::string, at::Tensor>& dict, const std::string& path) {
  RotationSet out;
  std::map<int, at::Tensor> r2;
  for (const auto& [name, t] : dict) {
    if (isR1Key(name)) {
      if (out.r1.defined()) throwInvalid(path, "holds R1 twice (as 'R1' and 'R1.weight')");
      if (t.dim() != 2) throw Error(ErrorKind::InvalidInput, "R1 must be a [hidden, hidden] matrix", {path, name, {}});
      requireSquare(t, path, name);
      out.r1 = t;
    } else if (auto layer = r2LayerOfKey(name)) {
      requireSquare(t, path, name);
      if (!r2.emplace(*layer, t).second) throwInvalid(path, "holds the R2 of layer " + std::to_string(*layer) + " twice");
    } else {
      JQ_DEBUG(path << ": ignoring '" << name << "' (neither R1 nor a per-layer R2)");
    }
  }
  int expected = 0;
  for (const auto& [layer, t] : r2) {
    if (layer != expected)
      throwInvalid(path, "has no R2 for layer " + std::to_string(expected) + " but has one for layer " +
                             std::to_string(layer));
    out.r2.push_back(t);
    ++expected;
  }
  if (out.empty()) throwInvalid(path, "holds no rotation (no 'R1' and no 'model.layers.<i>.self_attn.R2' key)");
  return out;
}

}  // namespace

RotationLayout rotationLayoutFromName(const std::string& name) {
  if (name == "dartquant") return RotationLayout::DartQuant;
  if (name == "spinquant") return RotationLayout::SpinQuant;
  throw Error(ErrorKind::InvalidInput, "unknown rotation layout '" + name + "' (dartquant, spinquant)");
}

const char* rotationLayoutName(RotationLayout layout) {
  return layout == RotationLayout::SpinQuant ? "spinquant" : "dartquant";
}

std::string rotationR2Key(int layer) { return "model.layers." + std::to_string(layer) + ".self_attn.R2"; }

void writeRotationFile(const std::string& path, const RotationSet& rotations, RotationLayout layout) {
  if (rotations.empty()) throwInvalid(path, "no rotation to write (neither R1 nor R2)");
  std::map<std::string, at::Tensor> dict;
  if (rotations.r1.defined()) {
    if (rotations.r1.dim() != 2) throw Error(ErrorKind::InvalidInput, "R1 must be a matrix", {path, "R1", {}});
    requireSquare(rotations.r1, path, "R1");
    dict["R1"] = rotations.r1.detach().to(at::kCPU).contiguous();
  }
  for (size_t l = 0; l < rotations.r2.size(); ++l) {
    const std::string key = rotationR2Key(int(l));
    at::Tensor t = rotations.r2[l].detach().to(at::kCPU).contiguous();
    requireSquare(t, path, key);
    if (layout == RotationLayout::SpinQuant && t.dim() == 3) {
      // SpinQuant shares one R2 across all heads of a layer: only identical groups can be written that way.
      for (int64_t g = 1; g < t.size(0); ++g)
        if (!at::equal(t[g], t[0]))
          throw Error(ErrorKind::Unsupported,
                      "SpinQuant's R.bin holds one R2 per layer shared by every head, but layer " + std::to_string(l) +
                          " has a different R2 per KV-head group; write the dartquant layout instead",
                      {path, key, int(l)});
      t = t[0].contiguous();
    }
    dict[key] = t;
  }
  if (lowerExtension(path) == ".safetensors")
    writeSafetensors(path, dict, {{"format", "pt"}, {"layout", rotationLayoutName(layout)}});
  else
    writeTorchTensorDict(path, dict);
}

RotationSet readRotationFile(const std::string& path) {
  if (!std::filesystem::exists(path)) throwNotFound(path, "rotation file not found");
  const std::string ext = lowerExtension(path);
  if (ext == ".h5" || ext == ".hdf5") {
    RunFileReader run(path);
    RotationSet out;
    if (run.hasR1()) out.r1 = run.r1();
    int expected = 0;
    for (int layer : run.r2Layers()) {
      if (layer != expected)
        throwInvalid(path, "the run file has no R2 for layer " + std::to_string(expected) + " but has one for layer " +
                               std::to_string(layer));
      out.r2.push_back(run.r2(layer));
      ++expected;
    }
    if (out.empty()) throwInvalid(path, "the run file holds no rotation (/rotations is empty)");
    return out;
  }
  if (ext == ".safetensors") {
    auto file = SafetensorsFile::open(path);
    std::map<std::string, at::Tensor> dict;
    for (const auto& name : file->names()) dict[name] = file->tensor(name).clone();
    return rotationSetFromDict(dict, path);
  }
  return rotationSetFromDict(readTorchTensorDict(path), path);
}

RotationSet readRotationFiles(const std::vector<std::string>& paths) {
  if (paths.empty()) throw Error(ErrorKind::InvalidInput, "no rotation file given");
  RotationSet out;
  for (const auto& p : paths) {
    RotationSet s = readRotationFile(p);
    if (s.r1.defined()) {
      if (out.r1.defined()) throwInvalid(p, "holds an R1, but an earlier rotation file already gave one");
      out.r1 = s.r1;
      out.r1File = p;
    }
    if (!s.r2.empty()) {
      if (!out.r2.empty()) throwInvalid(p, "holds R2 matrices, but an earlier rotation file already gave them");
      out.r2 = s.r2;
      out.r2File = p;
    }
  }
  return out;
}

}  // namespace jq
