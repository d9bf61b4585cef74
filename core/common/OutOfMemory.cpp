#include "common/OutOfMemory.h"

#include <c10/util/Exception.h>

#include <new>

namespace jq {

namespace {

std::string firstLineOf(const std::exception& e) {
  // c10::Error's what() carries a C++ backtrace after the message; the user needs the message only.
  std::string text;
  if (const auto* c = dynamic_cast<const c10::Error*>(&e)) text = c->what_without_backtrace();
  else text = e.what();
  const size_t nl = text.find('\n');
  if (nl != std::string::npos) text.resize(nl);
  constexpr size_t kMax = 300;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

}  // namespace

bool isOutOfMemory(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e)) return true;
  if (dynamic_cast<const c10::OutOfMemoryError*>(&e)) return true;
  if (!dynamic_cast<const c10::Error*>(&e)) return false;
  const std::string text = static_cast<const c10::Error&>(e).what_without_backtrace();
  return text.find("out of memory") != std::string::npos ||
         text.find("can't allocate memory") != std::string::npos ||
         text.find("CUBLAS_STATUS_ALLOC_FAILED") != std::string::npos;
}

Error outOfMemoryError(const std::exception& e, const std::string& stage) {
  std::string message = "out of memory" + (stage.empty() ? std::string() : " during " + stage) + " (" +
                        firstLineOf(e) + "). Lower the peak memory: `--placement host` keeps the weights on the host "
                        "and moves one decoder layer at a time to the device, and a smaller `--batch` (windows per "
                        "forward pass) shrinks the activations";
  return Error(ErrorKind::OutOfMemory, message);
}

}  // namespace jq
