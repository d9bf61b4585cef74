#include "common/Error.h"

namespace jq {

const char* toString(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidInput: return "invalid input";
    case ErrorKind::NotFound: return "not found";
    case ErrorKind::Unsupported: return "unsupported";
    case ErrorKind::Io: return "I/O error";
    case ErrorKind::OutOfMemory: return "out of memory";
    case ErrorKind::Cancelled: return "cancelled";
    case ErrorKind::Internal: return "internal error";
  }
  return "error";
}

namespace {
std::string compose(const std::string& message, const ErrorContext& c) {
  std::string prefix;
  if (!c.file.empty()) prefix += c.file;
  if (!c.tensor.empty()) prefix += (prefix.empty() ? "" : ": ") + std::string("tensor '") + c.tensor + "'";
  if (c.layer) prefix += (prefix.empty() ? "" : ": ") + std::string("layer ") + std::to_string(*c.layer);
  return prefix.empty() ? message : prefix + ": " + message;
}
}  // namespace

Error::Error(ErrorKind kind, const std::string& message, ErrorContext context)
    : std::runtime_error(compose(message, context)),
      kind_(kind),
      message_(message),
      context_(std::move(context)) {}

void throwInvalid(const std::string& file, const std::string& message) {
  throw Error(ErrorKind::InvalidInput, message, {file, {}, {}});
}
void throwNotFound(const std::string& file, const std::string& message) {
  throw Error(ErrorKind::NotFound, message, {file, {}, {}});
}
void throwUnsupported(const std::string& file, const std::string& message) {
  throw Error(ErrorKind::Unsupported, message, {file, {}, {}});
}
void throwIo(const std::string& file, const std::string& message) {
  throw Error(ErrorKind::Io, message, {file, {}, {}});
}

}  // namespace jq
