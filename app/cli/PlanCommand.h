// `jointquant plan`: memory per stage and GPU before a run (core/plan/MemoryPlan.h has the formulas).
#pragma once

#include <string>
#include <vector>

namespace jq::cli {

int cmdPlan(const std::vector<std::string>& args);

}  // namespace jq::cli
