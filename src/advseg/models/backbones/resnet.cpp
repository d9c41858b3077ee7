#include "advseg/models/backbones/resnet.h"

#include <torch/nn/functional/pooling.h>
#include <torch/nn/pimpl.h>

#include <utility>

#include "advseg/error.h"
#include "advseg/models/batch_norm_folding.h"

namespace advseg {
namespace {

torch::nn::Conv2d conv3x3(int in_channels, int out_channels, int stride, int dilation) {
  // Padding = dilation keeps the size at stride 1.
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 3)
                               .stride(stride)
                               .padding(dilation)
                               .dilation(dilation)
                               .bias(false));
}

torch::nn::Conv2d conv1x1(int in_channels, int out_channels, int stride = 1) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 1).stride(stride).bias(false));
}

// The shortcut of a block that changes the size or the channels: "downsample.0/1".
torch::nn::Sequential make_downsample(int in_channels, int out_channels, int stride) {
  return torch::nn::Sequential(conv1x1(in_channels, out_channels, stride), FoldableBatchNorm2d(out_channels));
}

// Two 3x3 convolutions (resnet18/34); no dilation, as in torchvision.
class BasicBlockImpl : public torch::nn::Module {
 public:
  static constexpr int kExpansion = 1;

  BasicBlockImpl(int in_channels, int planes, int stride, torch::nn::Sequential downsample)
      : conv1_(register_module("conv1", conv3x3(in_channels, planes, stride, 1))),
        bn1_(register_module("bn1", FoldableBatchNorm2d(planes))),
        conv2_(register_module("conv2", conv3x3(planes, planes, 1, 1))),
        bn2_(register_module("bn2", FoldableBatchNorm2d(planes))),
        downsample_(std::move(downsample)) {
    if (downsample_) register_module("downsample", downsample_);
  }

  torch::Tensor forward(const torch::Tensor& input) {
    auto out = bn1_(conv1_(input)).relu_();
    out = bn2_(conv2_(out));
    return out.add_(downsample_ ? downsample_->forward(input) : input).relu_();
  }

 private:
  torch::nn::Conv2d conv1_;
  FoldableBatchNorm2d bn1_;
  torch::nn::Conv2d conv2_;
  FoldableBatchNorm2d bn2_;
  torch::nn::Sequential downsample_;
};
TORCH_MODULE(BasicBlock);

// 1x1 reduce, 3x3 (strided or dilated), 1x1 expand by 4 (resnet50/101).
class BottleneckImpl : public torch::nn::Module {
 public:
  static constexpr int kExpansion = 4;

  BottleneckImpl(int in_channels, int planes, int stride, torch::nn::Sequential downsample, int dilation)
      : conv1_(register_module("conv1", conv1x1(in_channels, planes))),
        bn1_(register_module("bn1", FoldableBatchNorm2d(planes))),
        conv2_(register_module("conv2", conv3x3(planes, planes, stride, dilation))),
        bn2_(register_module("bn2", FoldableBatchNorm2d(planes))),
        conv3_(register_module("conv3", conv1x1(planes, planes * kExpansion))),
        bn3_(register_module("bn3", FoldableBatchNorm2d(planes * kExpansion))),
        downsample_(std::move(downsample)) {
    if (downsample_) register_module("downsample", downsample_);
  }

  torch::Tensor forward(const torch::Tensor& input) {
    // In place, as torchvision's: each map is fresh, and fewer large
    // allocations are measurably faster (docs/performance.md).
    auto out = bn1_(conv1_(input)).relu_();
    out = bn2_(conv2_(out)).relu_();
    out = bn3_(conv3_(out));
    return out.add_(downsample_ ? downsample_->forward(input) : input).relu_();
  }

 private:
  torch::nn::Conv2d conv1_;
  FoldableBatchNorm2d bn1_;
  torch::nn::Conv2d conv2_;
  FoldableBatchNorm2d bn2_;
  torch::nn::Conv2d conv3_;
  FoldableBatchNorm2d bn3_;
  torch::nn::Sequential downsample_;
};
TORCH_MODULE(Bottleneck);

int expansion(ResNetOptions::Block block) {
  return block == ResNetOptions::Block::basic ? BasicBlockImpl::kExpansion : BottleneckImpl::kExpansion;
}

}  // namespace

ResNetOptions resnet_options(const std::string& name,
                             const std::array<bool, 3>& replace_stride_with_dilation) {
  using Block = ResNetOptions::Block;
  ResNetOptions options;
  options.name = name;
  options.replace_stride_with_dilation = replace_stride_with_dilation;
  if (name == "resnet18") {
    options.block = Block::basic;
    options.blocks = {2, 2, 2, 2};
  } else if (name == "resnet34") {
    options.block = Block::basic;
    options.blocks = {3, 4, 6, 3};
  } else if (name == "resnet50") {
    options.blocks = {3, 4, 6, 3};
  } else if (name == "resnet101") {
    options.blocks = {3, 4, 23, 3};
  } else {
    throw Error("unknown resnet '" + name + "' (available: resnet18, resnet34, resnet50, resnet101)");
  }
  const bool dilated =
      replace_stride_with_dilation[0] || replace_stride_with_dilation[1] || replace_stride_with_dilation[2];
  if (options.block == Block::basic && dilated)
    throw Error("backbone '" + name +
                "': replace_stride_with_dilation needs Bottleneck blocks (resnet50, resnet101), as in "
                "torchvision");
  return options;
}

ResNetBackboneImpl::ResNetBackboneImpl(const ResNetOptions& options) {
  // The stem: 7x7 stride 2, then a 3x3 stride 2 max pooling (in forward).
  conv1_ = register_module(
      "conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 64, 7).stride(2).padding(3).bias(false)));
  bn1_ = register_module("bn1", FoldableBatchNorm2d(64));

  const std::array<int, 4> planes{64, 128, 256, 512};
  int stride = 4;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const bool dilate = i > 0 && options.replace_stride_with_dilation[i - 1];
    const int layer_stride = i == 0 ? 1 : 2;
    layers_[i] = register_module("layer" + std::to_string(i + 1),
                                 make_layer(options, planes[i], options.blocks[i], layer_stride, dilate));
    if (!dilate) stride *= layer_stride;
    const int channels = planes[i] * expansion(options.block);
    if (i == 0) add_feature("low", channels, stride);
    if (i == 2) add_feature("aux", channels, stride);
    if (i == 3) add_feature("out", channels, stride);
  }
}

torch::nn::Sequential ResNetBackboneImpl::make_layer(const ResNetOptions& options, int planes, int blocks,
                                                     int stride, bool dilate) {
  // torchvision's previous_dilation: the first block of a dilated layer
  // still uses the dilation of the layer before, the others the new one.
  const int previous_dilation = dilation_;
  if (dilate) {
    dilation_ *= stride;
    stride = 1;
  }
  const int out_channels = planes * expansion(options.block);
  torch::nn::Sequential downsample{nullptr};
  if (stride != 1 || in_channels_ != out_channels)
    downsample = make_downsample(in_channels_, out_channels, stride);

  torch::nn::Sequential layer;
  for (int i = 0; i < blocks; ++i) {
    // Only the first block strides and changes the channels.
    const bool first = i == 0;
    const int in_channels = first ? in_channels_ : out_channels;
    const auto shortcut = first ? downsample : torch::nn::Sequential{nullptr};
    if (options.block == ResNetOptions::Block::basic)
      layer->push_back(BasicBlock(in_channels, planes, first ? stride : 1, shortcut));
    else
      layer->push_back(Bottleneck(in_channels, planes, first ? stride : 1, shortcut,
                                  first ? previous_dilation : dilation_));
  }
  in_channels_ = out_channels;
  return layer;
}

FeatureMaps ResNetBackboneImpl::forward(const torch::Tensor& images) {
  namespace F = torch::nn::functional;
  auto x = bn1_(conv1_(images)).relu_();
  x = F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(2).padding(1));
  FeatureMaps features("feature");
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    x = layers_[i]->forward(x);
    if (i == 0) features.insert("low", x);
    if (i == 2) features.insert("aux", x);
  }
  features.insert("out", x);
  return features;
}

}  // namespace advseg
