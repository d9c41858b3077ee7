#include "advseg/models/norm_layers.h"

#include <torch/nn/functional/instancenorm.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/instancenorm.h>
#include <torch/nn/modules/normalization.h>

#include <string>

#include "advseg/models/batch_norm_folding.h"

namespace advseg {
namespace {

bool is_batchnorm(const torch::nn::Module& module) {
  return dynamic_cast<const torch::nn::BatchNorm1dImpl*>(&module) != nullptr ||
         dynamic_cast<const torch::nn::BatchNorm2dImpl*>(&module) != nullptr ||
         dynamic_cast<const torch::nn::BatchNorm3dImpl*>(&module) != nullptr ||
         dynamic_cast<const FoldableBatchNorm2dImpl*>(&module) != nullptr;
}

bool has_suffix(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool is_normalization_layer(const torch::nn::Module& module) {
  return is_batchnorm(module) || dynamic_cast<const torch::nn::GroupNormImpl*>(&module) != nullptr ||
         dynamic_cast<const torch::nn::LayerNormImpl*>(&module) != nullptr ||
         dynamic_cast<const torch::nn::InstanceNorm2dImpl*>(&module) != nullptr;
}

void set_train_mode(torch::nn::Module& network, bool freeze_bn) {
  network.train();
  if (!freeze_bn) return;
  for (const auto& module : network.modules(/*include_self=*/false))
    if (is_batchnorm(*module)) module->eval();
}

void freeze_batchnorm_parameters(torch::nn::Module& network) {
  for (const auto& module : network.modules(/*include_self=*/false))
    if (is_batchnorm(*module))
      for (auto& p : module->parameters(/*recurse=*/false)) p.requires_grad_(false);
}

std::vector<torch::Tensor> norm_and_bias_parameters(const torch::nn::Module& network) {
  std::vector<torch::Tensor> parameters;
  for (const auto& item : network.named_modules("", /*include_self=*/true)) {
    const bool norm = is_normalization_layer(*item.value());
    for (const auto& p : item.value()->named_parameters(/*recurse=*/false))
      if (norm || has_suffix(p.key(), "bias")) parameters.push_back(p.value());
  }
  return parameters;
}

}  // namespace advseg
