#include "advseg/train/optimizers.h"

#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include <algorithm>
#include <cmath>

#include "advseg/config/config.h"
#include "advseg/error.h"

namespace advseg {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimizerConfig& config,
                                                        std::vector<torch::Tensor> parameters) {
  if (config.type == "adam") {
    auto options = torch::optim::AdamOptions(config.lr)
                       .betas(std::make_tuple(config.beta1, config.beta2))
                       .weight_decay(config.weight_decay);
    return std::make_unique<torch::optim::Adam>(std::move(parameters), options);
  }
  if (config.type == "sgd") {
    auto options =
        torch::optim::SGDOptions(config.lr).momentum(config.momentum).weight_decay(config.weight_decay);
    return std::make_unique<torch::optim::SGD>(std::move(parameters), options);
  }
  throw Error("unknown optimizer '" + config.type + "' (expected adam or sgd)");
}

double learning_rate_at(const OptimizerConfig& config, std::int64_t iteration,
                        std::int64_t total_iterations) {
  if (config.schedule != "poly" || total_iterations <= 0) return config.lr;
  double progress =
      std::clamp(static_cast<double>(iteration) / static_cast<double>(total_iterations), 0.0, 1.0);
  return config.lr * std::pow(1.0 - progress, config.poly_power);
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

double learning_rate(const torch::optim::Optimizer& optimizer) {
  return optimizer.param_groups().at(0).options().get_lr();
}

}  // namespace advseg
