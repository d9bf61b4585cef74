#include "io/TorchPickle.h"

#include <caffe2/serialize/inline_container.h>
#include <caffe2/serialize/read_adapter_interface.h>
#include <torch/csrc/jit/serialization/import_read.h>
#include <torch/csrc/jit/serialization/pickler.h>
#include <torch/serialize.h>

#include "common/Log.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/AtomicFile.h"
#include "common/Error.h"

namespace jq {

namespace {

// The bytes of a torch.save archive, read the way LibTorch's FileAdapter reads a file: a request beyond the end is
// cut short. torch::pickle_load's own in-memory reader (LibTorch 1.13) copies whatever miniz asks for, so a damaged
// archive (one cut in half, found by ASan in tst_torchpickle) made it read past the end of the buffer.
class BoundedBytesReader final : public caffe2::serialize::ReadAdapterInterface {
 public:
  explicit BoundedBytesReader(std::vector<char> bytes) : bytes_(std::move(bytes)) {}
  size_t size() const override { return bytes_.size(); }
  size_t read(uint64_t pos, void* buf, size_t n, const char* /*what*/) const override {
    if (pos >= bytes_.size()) return 0;
    n = std::min<size_t>(n, bytes_.size() - size_t(pos));
    std::memcpy(buf, bytes_.data() + pos, n);
    return n;
  }

 private:
  std::vector<char> bytes_;
};

// torch::pickle_save would wrap the dict in torch.jit._pickle.restore_type_tag, a global that
// torch.load(weights_only=True) — the default since PyTorch 2.6 — refuses. So this is pickle_save without type
// tags: the pickle holds only an EMPTY_DICT of _rebuild_tensor_v2 calls on typed storages, all allowed globals.
std::vector<char> pickleWithoutTypeTags(const c10::IValue& value) {
  std::vector<char> pickle;
  torch::jit::Pickler pickler([&](const char* buf, size_t n) { pickle.insert(pickle.end(), buf, buf + n); },
                              /*tensor_table=*/nullptr, /*type_renamer=*/nullptr, /*memoized_class_types=*/nullptr,
                              /*get_tensor_id=*/nullptr, /*tag_aggregates=*/false);
  pickler.protocol();
  pickler.pushIValue(value);
  pickler.stop();

  std::vector<char> archive;
  {
    caffe2::serialize::PyTorchStreamWriter writer([&](const void* data, size_t n) {
      const char* bytes = static_cast<const char*>(data);
      archive.insert(archive.end(), bytes, bytes + n);
      return n;
    });
    // The layout torch.save uses: <archive>/data.pkl, then the storages as <archive>/data/<key>, keys 0, 1, ...
    // in the order the pickler met them (its persistent ids).
    writer.writeRecord("data.pkl", pickle.data(), pickle.size());
    const auto& tensors = pickler.tensorData();
    for (size_t i = 0; i < tensors.size(); ++i) {
      const c10::Storage& storage = tensors[i].storage();
      writer.writeRecord("data/" + std::to_string(i), storage.data(), storage.nbytes());
    }
    writer.writeEndOfFile();
  }
  return archive;
}

}  // namespace

void writeTorchTensorDict(const std::string& path, const std::map<std::string, at::Tensor>& tensors) {
  c10::Dict<std::string, at::Tensor> dict;
  for (const auto& [name, t] : tensors) {
    if (!t.defined()) throw Error(ErrorKind::InvalidInput, "tensor is undefined", {path, name, {}});
    // A fresh contiguous copy owns exactly its storage, so views do not drag their whole base along.
    dict.insert(name, t.detach().to(at::kCPU).contiguous().clone());
  }
  std::vector<char> bytes;
  try {
    bytes = pickleWithoutTypeTags(c10::IValue(dict));
  } catch (const c10::Error& e) {
    throw Error(ErrorKind::Internal, std::string("LibTorch could not pickle the tensors: ") + e.what_without_backtrace(),
                {path, {}, {}});
  }
  writeFileAtomically(path, std::string(bytes.begin(), bytes.end()));
}

std::map<std::string, at::Tensor> readTorchTensorDict(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throwNotFound(path, "PyTorch checkpoint does not exist");
  std::ifstream in(path, std::ios::binary);
  if (!in) throwIo(path, "cannot open the PyTorch checkpoint");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // torch.save has written zip archives since PyTorch 1.6; the legacy format is not read.
  if (bytes.size() < 4 || bytes[0] != 'P' || bytes[1] != 'K')
    throwInvalid(path, "not a torch.save zip archive (legacy or damaged file; re-save it with a current PyTorch)");
  c10::IValue value;
  try {
    // What torch::pickle_load does for a zip archive, through the bounded reader.
    caffe2::serialize::PyTorchStreamReader reader(std::make_shared<BoundedBytesReader>(std::move(bytes)));
    value = torch::jit::readArchiveAndTensors("data", /*pickle_prefix=*/"", /*tensor_prefix=*/"", c10::nullopt,
                                              c10::nullopt, c10::nullopt, reader);
  } catch (const c10::Error& e) {
    throwInvalid(path, std::string("cannot unpickle the checkpoint: ") + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throwInvalid(path, std::string("cannot unpickle the checkpoint: ") + e.what());
  }
  if (!value.isGenericDict()) throwInvalid(path, "the checkpoint holds a " + value.tagKind() + ", not a dict");
  std::map<std::string, at::Tensor> out;
  for (const auto& entry : value.toGenericDict()) {
    if (!entry.key().isString()) throwInvalid(path, "the checkpoint's dict has a key that is not a string");
    const std::string name = entry.key().toStringRef();
    if (!entry.value().isTensor())
      throw Error(ErrorKind::InvalidInput, "value is a " + entry.value().tagKind() + ", not a tensor",
                  {path, name, {}});
    out[name] = entry.value().toTensor();
  }
  return out;
}

std::string spinQuantR2Key(int layer) { return "model.layers." + std::to_string(layer) + ".self_attn.R2"; }

void writeRotationCheckpoint(const std::string& path, const RotationCheckpoint& rotations) {
  std::map<std::string, at::Tensor> dict;
  if (rotations.r1.defined()) dict["R1"] = rotations.r1;
  for (const auto& [layer, r2] : rotations.r2) dict[spinQuantR2Key(layer)] = r2;
  writeTorchTensorDict(path, dict);
}

RotationCheckpoint readRotationCheckpoint(const std::string& path) {
  RotationCheckpoint out;
  const std::string prefix = "model.layers.", suffix = ".self_attn.R2";
  for (auto& [name, t] : readTorchTensorDict(path)) {
    if (name == "R1") {
      out.r1 = t;
      continue;
    }
    if (name.size() > prefix.size() + suffix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
      if (!digits.empty() && digits.size() < 7 && digits.find_first_not_of("0123456789") == std::string::npos) {
        out.r2[std::stoi(digits)] = t;
        continue;
      }
    }
    JQ_DEBUG(path << ": ignoring '" << name << "' (neither R1 nor a per-layer R2)");
  }
  return out;
}

}  // namespace jq
