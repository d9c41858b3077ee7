// Small float tensors spelled out in a test, and how close float32
// arithmetic over a few terms comes to the exact value.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace advseg::testing {

constexpr double kFloatTolerance = 1e-5;

inline torch::Tensor floats(std::vector<float> values) { return torch::tensor(values, torch::kFloat); }

}  // namespace advseg::testing
