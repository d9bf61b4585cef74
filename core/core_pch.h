// Precompiled header of jq::core: the expensive third-party headers, nothing of the project's own.
#pragma once
#include <ATen/ATen.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>
