// Fuzzes SafetensorsFile::open (header length, JSON header, dtype/shape/offset validation) and then reads every
// tensor it accepted, so that an offset the validation let through but that points outside the mapping shows up
// as an ASan report. Anything but jq::Error escaping is a finding.
#include <cstdint>
#include <cstring>
#include <vector>

#include "FuzzSupport.h"
#include "common/Error.h"
#include "io/SafetensorsFile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static jq::fuzz::MemoryFile file("fuzz-safetensors");
  const std::string& path = file.set(data, size);
  try {
    auto st = jq::SafetensorsFile::open(path);
    for (const std::string& name : st->names()) {
      const jq::TensorInfo& info = st->info(name);
      if (jq::safetensorsDtypeSize(info.dtype) == 0) std::abort();  // open() must refuse unknown dtypes
      at::Tensor t;
      try {
        t = st->tensor(name);
      } catch (const jq::Error& e) {
        if (e.kind() != jq::ErrorKind::Unsupported) throw;
        continue;  // e.g. U16 or F8: valid in the file, not loadable into LibTorch 1.13
      }
      if (static_cast<uint64_t>(t.numel()) * t.element_size() != info.end - info.begin) std::abort();
      // Touch every byte: a bad offset that slipped through validation reads outside the mapping here.
      if (t.numel() > 0) {
        std::vector<char> copy(info.end - info.begin);
        std::memcpy(copy.data(), t.data_ptr(), copy.size());
      }
    }
  } catch (const jq::Error&) {
  }
  return 0;
}
