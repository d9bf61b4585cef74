// The only core file that includes spdlog. Its target is built without LibTorch's include path (see
// core/CMakeLists.txt) so that the system fmt, not PyTorch's bundled one, serves spdlog.
#include "common/Log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <map>
#include <mutex>

namespace jq {

namespace {
std::mutex listenersMutex;
std::map<int, LogListener>& listeners() {
  static std::map<int, LogListener> map;
  return map;
}
int nextListenerId = 1;

spdlog::level::level_enum toSpd(LogLevel l) {
  switch (l) {
    case LogLevel::Trace: return spdlog::level::trace;
    case LogLevel::Debug: return spdlog::level::debug;
    case LogLevel::Info: return spdlog::level::info;
    case LogLevel::Warn: return spdlog::level::warn;
    case LogLevel::Error: return spdlog::level::err;
    case LogLevel::Critical: return spdlog::level::critical;
    case LogLevel::Off: return spdlog::level::off;
  }
  return spdlog::level::info;
}
LogLevel fromSpd(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace: return LogLevel::Trace;
    case spdlog::level::debug: return LogLevel::Debug;
    case spdlog::level::info: return LogLevel::Info;
    case spdlog::level::warn: return LogLevel::Warn;
    case spdlog::level::err: return LogLevel::Error;
    case spdlog::level::critical: return LogLevel::Critical;
    default: return LogLevel::Off;
  }
}
// spdlog's default logger writes to stdout, where the CLI prints its JSON results: log to stderr instead.
void useStderr() {
  static const bool done = [] {
    auto logger = spdlog::stderr_color_mt("jointquant");
    logger->set_level(spdlog::get_level());
    spdlog::set_default_logger(logger);
    return true;
  }();
  (void)done;
}
}  // namespace

bool trySetLogLevel(const std::string& level) {
  useStderr();
  const auto parsed = spdlog::level::from_str(level);
  // from_str maps unknown names to "off"; only accept that when it was asked for.
  if (parsed == spdlog::level::off && level != "off") return false;
  spdlog::set_level(parsed);
  return true;
}

LogLevel logLevel() {
  useStderr();
  return fromSpd(spdlog::get_level());
}

bool logEnabled(LogLevel level) {
  useStderr();
  return level != LogLevel::Off && spdlog::should_log(toSpd(level));
}

void logMessage(LogLevel level, const std::string& message) {
  if (!logEnabled(level)) return;
  spdlog::log(toSpd(level), "{}", message);
  std::lock_guard<std::mutex> lock(listenersMutex);
  for (auto& [id, listener] : listeners()) listener(level, message);
}

int addLogListener(LogListener listener) {
  std::lock_guard<std::mutex> lock(listenersMutex);
  const int id = nextListenerId++;
  listeners()[id] = std::move(listener);
  return id;
}

void removeLogListener(int id) {
  std::lock_guard<std::mutex> lock(listenersMutex);
  listeners().erase(id);
}

}  // namespace jq
