// Turning LibTorch's "out of memory" into a jq::Error a researcher can act on. A CUDA allocation failure is the
// most common way a run dies on a GPU server, and LibTorch's own message (a page of allocator statistics) does
// not say which of our settings to change. The CUDA caching allocator throws c10::OutOfMemoryError (1.13 and 2.x);
// other CUDA paths (cuBLAS workspaces, a kernel's "CUDA error: out of memory") and the CPU allocator
// ("DefaultCPUAllocator: can't allocate memory") throw a plain c10::Error, recognised by its text.
// Front ends (CLI, workbench job runner) call these at their job boundary.
#pragma once

#include <exception>
#include <string>

#include "common/Error.h"

namespace jq {

// True when `e` reports a failed device or host allocation (by type where LibTorch has one, else by its text).
bool isOutOfMemory(const std::exception& e);

// ErrorKind::OutOfMemory naming `stage` (may be empty), LibTorch's first line, and the two settings that lower
// peak memory: `--placement host` (weights stay on the host, one layer at a time on the device) and a smaller
// `--batch`.
Error outOfMemoryError(const std::exception& e, const std::string& stage = {});

// Runs f(); an out-of-memory exception from LibTorch leaves as outOfMemoryError, everything else unchanged.
template <typename F>
decltype(auto) translateOutOfMemory(const std::string& stage, F&& f) {
  try {
    return f();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    if (isOutOfMemory(e)) throw outOfMemoryError(e, stage);
    throw;
  }
}

}  // namespace jq
