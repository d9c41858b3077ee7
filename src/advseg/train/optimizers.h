// Optimisers and learning-rate schedules for the two networks, each with its
// own settings (train.segmentor_optimizer, train.adversary_optimizer). A
// network's parameters may fall into groups with their own learning-rate
// scale and weight decay: a pretrained backbone learns at the scheduled
// rate, a new head at model.head_lr_multiplier times it.
#pragma once

#include <torch/optim/optimizer.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace advseg {

struct OptimizerConfig;

struct ParameterGroup {
  std::vector<torch::Tensor> parameters;
  double lr_scale = 1.0;     // times the scheduled learning rate
  bool weight_decay = true;  // false: no weight decay for this group
};

// Adam, or SGD with momentum and weight decay, over `groups` (in this order,
// which the saved optimiser state follows).
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimizerConfig& config,
                                                        const std::vector<ParameterGroup>& groups);

// The learning rate at `iteration` of `total_iterations`: constant, or the
// poly schedule lr * (1 - iteration / total)^power.
double learning_rate_at(const OptimizerConfig& config, std::int64_t iteration, std::int64_t total_iterations);

// Group i learns at lr * lr_scales[i].
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr, const std::vector<double>& lr_scales);

}  // namespace advseg
