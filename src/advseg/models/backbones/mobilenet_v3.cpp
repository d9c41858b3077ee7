#include "advseg/models/backbones/mobilenet_v3.h"

#include <torch/nn/functional/pooling.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <algorithm>
#include <vector>

#include "advseg/models/batch_norm_folding.h"

namespace advseg {
namespace {

enum class Activation { none, relu, hardswish };

// A row of table 1 of the paper (torchvision's InvertedResidualConfig at width 1).
struct BlockConfig {
  int in_channels;
  int kernel;
  int expanded_channels;
  int out_channels;
  bool squeeze_excite;
  Activation activation;
  int stride;
  bool last_stage;  // dilated instead of strided in the dilated variant
};

constexpr Activation RE = Activation::relu;
constexpr Activation HS = Activation::hardswish;

const std::vector<BlockConfig>& large_blocks() {
  static const std::vector<BlockConfig> blocks = {
      {16, 3, 16, 16, false, RE, 1, false},  {16, 3, 64, 24, false, RE, 2, false},
      {24, 3, 72, 24, false, RE, 1, false},  {24, 5, 72, 40, true, RE, 2, false},
      {40, 5, 120, 40, true, RE, 1, false},  {40, 5, 120, 40, true, RE, 1, false},
      {40, 3, 240, 80, false, HS, 2, false}, {80, 3, 200, 80, false, HS, 1, false},
      {80, 3, 184, 80, false, HS, 1, false}, {80, 3, 184, 80, false, HS, 1, false},
      {80, 3, 480, 112, true, HS, 1, false}, {112, 3, 672, 112, true, HS, 1, false},
      {112, 5, 672, 160, true, HS, 2, true}, {160, 5, 960, 160, true, HS, 1, true},
      {160, 5, 960, 160, true, HS, 1, true},
  };
  return blocks;
}

// torchvision's _make_divisible: to a multiple of 8, never 10% below `value`.
int make_divisible(int value) {
  constexpr int kDivisor = 8;
  int rounded = std::max(kDivisor, (value + kDivisor / 2) / kDivisor * kDivisor);
  if (rounded < 0.9 * value) rounded += kDivisor;
  return rounded;
}

// In place, as torchvision's (inplace=True): `x` is a fresh normalised map.
torch::Tensor activate(torch::Tensor x, Activation activation) {
  switch (activation) {
    case Activation::relu:
      return x.relu_();
    case Activation::hardswish:
      return torch::hardswish_(x);
    case Activation::none:
      break;
  }
  return x;
}

// torchvision's Conv2dNormActivation: "0" conv without bias, "1" batch norm,
// then the activation (no parameters, so not a submodule here).
class ConvNormActivationImpl : public torch::nn::Module {
 public:
  ConvNormActivationImpl(int in_channels, int out_channels, int kernel, int stride, int groups, int dilation,
                         Activation activation)
      : conv_(
            register_module("0", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, kernel)
                                                       .stride(stride)
                                                       .padding((kernel - 1) / 2 * dilation)
                                                       .dilation(dilation)
                                                       .groups(groups)
                                                       .bias(false)))),
        norm_(register_module(
            "1", FoldableBatchNorm2d(torch::nn::BatchNormOptions(out_channels).eps(0.001).momentum(0.01)))),
        activation_(activation) {}

  torch::Tensor forward(const torch::Tensor& x) { return activate(norm_(conv_(x)), activation_); }

 private:
  torch::nn::Conv2d conv_;
  FoldableBatchNorm2d norm_;
  Activation activation_;
};
TORCH_MODULE(ConvNormActivation);

// Channel attention: x * hardsigmoid(fc2(relu(fc1(mean of x)))).
class SqueezeExcitationImpl : public torch::nn::Module {
 public:
  SqueezeExcitationImpl(int channels, int squeeze_channels)
      : fc1_(register_module("fc1",
                             torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, squeeze_channels, 1)))),
        fc2_(register_module("fc2",
                             torch::nn::Conv2d(torch::nn::Conv2dOptions(squeeze_channels, channels, 1)))) {}

  torch::Tensor forward(const torch::Tensor& x) {
    namespace F = torch::nn::functional;
    const auto pooled = F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions(1));
    return x * torch::hardsigmoid(fc2_(torch::relu(fc1_(pooled))));
  }

 private:
  torch::nn::Conv2d fc1_;
  torch::nn::Conv2d fc2_;
};
TORCH_MODULE(SqueezeExcitation);

// Expand (1x1, skipped when it would not widen), depthwise kxk, optional
// squeeze-excitation, project (1x1, linear); a residual when the shape stays.
class InvertedResidualImpl : public torch::nn::Module {
 public:
  InvertedResidualImpl(const BlockConfig& config, int dilation)
      : residual_(config.stride == 1 && config.in_channels == config.out_channels) {
    torch::nn::Sequential block;
    if (config.expanded_channels != config.in_channels)
      block->push_back(
          ConvNormActivation(config.in_channels, config.expanded_channels, 1, 1, 1, 1, config.activation));
    // A dilated block does not stride: dilation replaces the stride.
    const int stride = dilation > 1 ? 1 : config.stride;
    block->push_back(ConvNormActivation(config.expanded_channels, config.expanded_channels, config.kernel,
                                        stride, config.expanded_channels, dilation, config.activation));
    if (config.squeeze_excite)
      block->push_back(
          SqueezeExcitation(config.expanded_channels, make_divisible(config.expanded_channels / 4)));
    block->push_back(
        ConvNormActivation(config.expanded_channels, config.out_channels, 1, 1, 1, 1, Activation::none));
    block_ = register_module("block", block);
  }

  torch::Tensor forward(const torch::Tensor& x) {
    auto out = block_->forward(x);
    return residual_ ? out.add_(x) : out;  // in place, as torchvision's `result += input`
  }

 private:
  bool residual_;
  torch::nn::Sequential block_{nullptr};
};
TORCH_MODULE(InvertedResidual);

}  // namespace

MobileNetV3BackboneImpl::MobileNetV3BackboneImpl(const MobileNetV3Options& options) {
  const auto& blocks = large_blocks();
  features_ = torch::nn::Sequential();
  // The stem: 3x3 stride 2.
  features_->push_back(ConvNormActivation(3, blocks.front().in_channels, 3, 2, 1, 1, Activation::hardswish));
  int stride = 2;
  std::vector<std::size_t> stage_starts{0};  // torchvision's stage_indices
  std::vector<int> strides{stride};          // of each entry of features_
  for (const auto& config : blocks) {
    const int dilation = options.dilated && config.last_stage ? 2 : 1;
    if (config.stride > 1) stage_starts.push_back(features_->size());
    if (dilation == 1) stride *= config.stride;
    features_->push_back(InvertedResidual(config, dilation));
    strides.push_back(stride);
  }
  const int last_channels = 6 * blocks.back().out_channels;
  features_->push_back(
      ConvNormActivation(blocks.back().out_channels, last_channels, 1, 1, 1, 1, Activation::hardswish));
  strides.push_back(stride);
  stage_starts.push_back(features_->size() - 1);
  register_module("features", features_);

  // As torchvision's _lraspp_mobilenetv3: C2, the stage at output stride 8.
  low_index_ = stage_starts[stage_starts.size() - 4];
  const int low_channels = blocks[low_index_ - 1].out_channels;
  add_feature("low", low_channels, strides[low_index_]);
  add_feature("aux", low_channels, strides[low_index_]);
  add_feature("out", last_channels, stride);
}

FeatureMaps MobileNetV3BackboneImpl::forward(const torch::Tensor& images) {
  FeatureMaps features("feature");
  auto x = images;
  std::size_t index = 0;
  for (auto& layer : *features_) {
    x = layer.forward(x);
    if (index++ == low_index_) {
      features.insert("low", x);
      features.insert("aux", x);
    }
  }
  features.insert("out", x);
  return features;
}

}  // namespace advseg
