#include "advseg/train/optimizers.h"

#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include <algorithm>
#include <cmath>

#include "advseg/config/config.h"
#include "advseg/error.h"

namespace advseg {
namespace {

// One LibTorch group per ParameterGroup, each with its own copy of the options.
template <class Options>
std::vector<torch::optim::OptimizerParamGroup> param_groups(const std::vector<ParameterGroup>& groups,
                                                            const Options& defaults) {
  std::vector<torch::optim::OptimizerParamGroup> result;
  for (const auto& group : groups) {
    auto options = std::make_unique<Options>(defaults);
    if (!group.weight_decay) options->weight_decay(0.0);
    options->lr(defaults.lr() * group.lr_scale);
    result.emplace_back(group.parameters, std::move(options));
  }
  return result;
}

}  // namespace

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimizerConfig& config,
                                                        const std::vector<ParameterGroup>& groups) {
  if (config.type == "adam") {
    auto options = torch::optim::AdamOptions(config.lr)
                       .betas(std::make_tuple(config.beta1, config.beta2))
                       .weight_decay(config.weight_decay);
    return std::make_unique<torch::optim::Adam>(param_groups(groups, options), options);
  }
  if (config.type == "sgd") {
    auto options =
        torch::optim::SGDOptions(config.lr).momentum(config.momentum).weight_decay(config.weight_decay);
    return std::make_unique<torch::optim::SGD>(param_groups(groups, options), options);
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

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr, const std::vector<double>& lr_scales) {
  auto& groups = optimizer.param_groups();
  for (std::size_t i = 0; i < groups.size(); ++i)
    groups[i].options().set_lr(lr * (i < lr_scales.size() ? lr_scales[i] : 1.0));
}

}  // namespace advseg
