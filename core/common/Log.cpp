#include "common/Log.h"

#include <spdlog/spdlog.h>

#include "common/Error.h"

namespace jq {

void setLogLevel(const std::string& level) {
  const auto parsed = spdlog::level::from_str(level);
  // from_str maps unknown names to "off"; only accept that when it was asked for.
  if (parsed == spdlog::level::off && level != "off")
    throw Error(ErrorKind::InvalidInput, "unknown log level '" + level + "' (trace, debug, info, warn, error, off)");
  spdlog::set_level(parsed);
}

}  // namespace jq
