// Fuzzes RunFileReader: opening an arbitrary file and reading everything a run file can hold (attributes,
// rotations, statistics, curves, tables), as the workbench does when a researcher opens a run. Note that libhdf5
// itself is not instrumented: the fuzzer steers by our code's coverage only, and crashes inside libhdf5 show up
// as findings we can only avoid, not fix.
#include <hdf5.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "FuzzSupport.h"
#include "common/Error.h"
#include "io/RunFile.h"

namespace {

// libhdf5 1.10 cannot open the /proc/self/fd/N path of a memfd (FuzzSupport's MemoryFile): it resolves the link to
// "/memfd:... (deleted)" and H5Fopen fails ("can't retrieve real path for file"), so every input, the valid seed
// included, stopped there (the first campaign's 137 edges). Each input goes to a real file on tmpfs instead.
class TmpfsFile {
 public:
  TmpfsFile() {
    const char* dir = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
    path_ = std::string(dir) + "/jq-fuzz-runfile-" + std::to_string(::getpid()) + ".h5";
  }
  ~TmpfsFile() { std::remove(path_.c_str()); }
  const std::string& set(const uint8_t* data, size_t size) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out.flush()) std::abort();  // the harness cannot work at all; not a finding
    return path_;
  }

 private:
  std::string path_;
};

}  // namespace

// libhdf5 keeps freed objects on its own free lists and hands them out again, so LeakSanitizer would report a
// block that libhdf5 leaks with the stack of whoever first allocated it (a leaked datatype showed up under our
// H5Tinsert). Free lists of size zero make libhdf5 free every block at once: leak stacks are then the real ones,
// and fuzz/lsan.supp can name the libhdf5 function that leaked. (Set on the first input: FuzzSupport.h already
// defines LLVMFuzzerInitialize.)
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool freeListsOff = H5set_free_list_limits(0, 0, 0, 0, 0, 0) >= 0;
  (void)freeListsOff;
  static TmpfsFile file;
  const std::string& path = file.set(data, size);
  try {
    jq::RunFileReader r(path);
    r.readEverything();
  } catch (const jq::Error&) {
  }
  // The reader is gone: libhdf5 must hold nothing of this input open (a handle left open keeps the file open inside
  // libhdf5, and the next input, written to the same path, would then be read through the stale file's caches).
  const ssize_t stillOpen = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
  if (stillOpen != 0) {
    std::fprintf(stderr, "fuzz_runfile: %zd HDF5 objects still open after the reader was destroyed\n", stillOpen);
    std::abort();
  }
  return 0;
}
