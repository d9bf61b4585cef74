// Logging for the core. Messages go to spdlog's default logger, but no core file includes spdlog: spdlog needs
// fmt, and PyTorch 2.x ships its own newer fmt on the include path, which breaks spdlog's headers. So the core
// formats with streams and this small interface, implemented in core/logging/ (compiled without LibTorch).
// Front ends may add listeners (e.g. the workbench's log panel) without touching spdlog either.
#pragma once

#include <functional>
#include <sstream>
#include <string>

namespace jq {

enum class LogLevel { Trace, Debug, Info, Warn, Error, Critical, Off };

// Accepts "trace", "debug", "info", "warn", "error", "critical", "off"; throws jq::Error otherwise.
void setLogLevel(const std::string& level);
bool trySetLogLevel(const std::string& level);  // false for an unknown name (setLogLevel throws instead)
LogLevel logLevel();
bool logEnabled(LogLevel level);
void logMessage(LogLevel level, const std::string& message);

// Listeners receive every message at or above the current level, on the thread that logged it.
using LogListener = std::function<void(LogLevel, const std::string&)>;
int addLogListener(LogListener listener);
void removeLogListener(int id);

}  // namespace jq

// JQ_INFO("loaded " << n << " tensors from " << path);  — the stream expression is evaluated only when enabled.
#define JQ_LOG(level, expr)                            \
  do {                                                 \
    if (::jq::logEnabled(level)) {                     \
      std::ostringstream jq_log_stream_;               \
      jq_log_stream_ << expr;                          \
      ::jq::logMessage(level, jq_log_stream_.str());   \
    }                                                  \
  } while (0)
#define JQ_TRACE(expr) JQ_LOG(::jq::LogLevel::Trace, expr)
#define JQ_DEBUG(expr) JQ_LOG(::jq::LogLevel::Debug, expr)
#define JQ_INFO(expr) JQ_LOG(::jq::LogLevel::Info, expr)
#define JQ_WARN(expr) JQ_LOG(::jq::LogLevel::Warn, expr)
#define JQ_ERROR(expr) JQ_LOG(::jq::LogLevel::Error, expr)
