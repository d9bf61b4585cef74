// The one exception type of the core. Everything that leaves jq::core because of bad input, a failed
// resource or a cancelled job is a jq::Error carrying where it happened (file, tensor, layer), so the CLI
// and the UI can show one clear sentence without knowing which module threw.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

namespace jq {

enum class ErrorKind {
  InvalidInput,   // malformed or inconsistent file/config/arguments
  NotFound,       // a named file, tensor or key is missing
  Unsupported,    // a valid input the tool does not handle (architecture, dtype, rope type)
  Io,             // the operating system refused (open, read, write, rename, mmap)
  OutOfMemory,    // device or host allocation failed
  Cancelled,      // the job's CancellationToken was triggered
  Internal,       // a bug: an invariant of our own code broke
};

const char* toString(ErrorKind kind);

struct ErrorContext {
  std::string file;
  std::string tensor;
  std::optional<int> layer;
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, ErrorContext context = {});

  ErrorKind kind() const noexcept { return kind_; }
  const ErrorContext& context() const noexcept { return context_; }
  // The message without the context prefix.
  const std::string& message() const noexcept { return message_; }

 private:
  ErrorKind kind_;
  std::string message_;
  ErrorContext context_;
};

// Helpers that read well at the throw site.
[[noreturn]] void throwInvalid(const std::string& file, const std::string& message);
[[noreturn]] void throwNotFound(const std::string& file, const std::string& message);
[[noreturn]] void throwUnsupported(const std::string& file, const std::string& message);
[[noreturn]] void throwIo(const std::string& file, const std::string& message);

}  // namespace jq
