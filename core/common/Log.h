// Logging goes through spdlog. The core logs to the default logger; front ends choose sinks and level.
#pragma once

#include <string>

namespace jq {

// Accepts "trace", "debug", "info", "warn", "error", "critical", "off"; throws jq::Error otherwise.
void setLogLevel(const std::string& level);

}  // namespace jq
