// Optimisers and learning-rate schedules for the two networks, each with its
// own settings (train.segmentor_optimizer, train.adversary_optimizer).
#pragma once

#include <torch/optim/optimizer.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace advseg {

struct OptimizerConfig;

// Adam, or SGD with momentum and weight decay.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimizerConfig& config,
                                                        std::vector<torch::Tensor> parameters);

// The learning rate at `iteration` of `total_iterations`: constant, or the
// poly schedule lr * (1 - iteration / total)^power.
double learning_rate_at(const OptimizerConfig& config, std::int64_t iteration, std::int64_t total_iterations);

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);
double learning_rate(const torch::optim::Optimizer& optimizer);

}  // namespace advseg
