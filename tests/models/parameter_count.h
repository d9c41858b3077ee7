// Trainable parameter count of a module, for checks against hand arithmetic.
#pragma once

#include <torch/nn/module.h>

#include <cstdint>

namespace advseg::testing {

inline std::int64_t parameter_count(const torch::nn::Module& module) {
  std::int64_t count = 0;
  for (const auto& parameter : module.parameters()) count += parameter.numel();
  return count;
}

}  // namespace advseg::testing
