#include "advseg/models/backbones/vgg.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/pooling.h>

#include <string>

#include "advseg/error.h"
#include "advseg/models/batch_norm_folding.h"

namespace advseg {
namespace {

constexpr std::size_t kPoolings = 5;

}  // namespace

VggOptions vgg16_options(bool batch_norm) {
  VggOptions options;
  options.batch_norm = batch_norm;
  for (const auto& [convs, channels] :
       std::vector<std::pair<int, int>>{{2, 64}, {2, 128}, {3, 256}, {3, 512}, {3, 512}}) {
    for (int i = 0; i < convs; ++i) options.layers.push_back(conv_layer(3, channels));
    options.layers.push_back(pool_layer());
  }
  return options;
}

VggBackboneImpl::VggBackboneImpl(const VggOptions& options) {
  features_ = torch::nn::Sequential();
  int channels = 3;
  std::vector<int> pooled_channels;
  for (const auto& layer : options.layers) {
    if (layer.kind == LayerSpec::Kind::pool) {
      pool_indices_.push_back(features_->size());
      pooled_channels.push_back(channels);
      features_->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).stride(2)));
      continue;
    }
    // The conv keeps its bias even before a batch norm, as in torchvision.
    features_->push_back(torch::nn::Conv2d(
        torch::nn::Conv2dOptions(channels, layer.channels, layer.kernel).padding(layer.kernel / 2)));
    if (options.batch_norm) features_->push_back(FoldableBatchNorm2d(layer.channels));
    features_->push_back(torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)));  // as torchvision's
    channels = layer.channels;
  }
  if (pool_indices_.size() != kPoolings)
    throw Error("VGG backbone: expected " + std::to_string(kPoolings) + " poolings, got " +
                std::to_string(pool_indices_.size()));
  register_module("features", features_);

  add_feature("pool3", pooled_channels[2], 8);
  add_feature("pool4", pooled_channels[3], 16);
  add_feature("out", pooled_channels[4], 32);
}

FeatureMaps VggBackboneImpl::forward(const torch::Tensor& images) {
  FeatureMaps features("feature");
  auto x = images;
  std::size_t index = 0;
  for (auto& layer : *features_) {
    x = layer.forward(x);
    if (index == pool_indices_[2]) features.insert("pool3", x);
    if (index == pool_indices_[3]) features.insert("pool4", x);
    ++index;
  }
  features.insert("out", x);
  return features;
}

}  // namespace advseg
