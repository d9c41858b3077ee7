// torchvision's ResNet (He et al., 2016, "v1.5": the stride of a Bottleneck
// in its 3x3 convolution) without avgpool and fc: conv1/bn1, a 3x3 max
// pooling, layer1..layer4. Features: "low" (layer1, stride 4, for decoders
// with a skip connection), "aux" (layer3, the auxiliary head's input in
// torchvision's FCN and DeepLabV3) and "out" (layer4).
#pragma once

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <array>
#include <string>

#include "advseg/models/backbones/backbone.h"
#include "advseg/models/batch_norm_folding.h"

namespace advseg {

struct ResNetOptions {
  enum class Block { basic, bottleneck };
  std::string name;
  Block block = Block::bottleneck;
  std::array<int, 4> blocks{3, 4, 6, 3};  // per layer
  std::array<bool, 3> replace_stride_with_dilation{false, false, false};
};

// resnet18, resnet34 (BasicBlock), resnet50, resnet101 (Bottleneck).
// Throws advseg::Error for dilation with BasicBlocks, which torchvision refuses too.
ResNetOptions resnet_options(const std::string& name,
                             const std::array<bool, 3>& replace_stride_with_dilation);

class ResNetBackboneImpl : public BackboneImpl {
 public:
  explicit ResNetBackboneImpl(const ResNetOptions& options);

  FeatureMaps forward(const torch::Tensor& images) override;

 private:
  // One of layer1..layer4, as torchvision's ResNet._make_layer.
  torch::nn::Sequential make_layer(const ResNetOptions& options, int planes, int blocks, int stride,
                                   bool dilate);

  int in_channels_ = 64;
  int dilation_ = 1;
  torch::nn::Conv2d conv1_{nullptr};
  FoldableBatchNorm2d bn1_{nullptr};
  std::array<torch::nn::Sequential, 4> layers_{nullptr, nullptr, nullptr, nullptr};
};

}  // namespace advseg
