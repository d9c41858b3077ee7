// torchvision's VGG (Simonyan & Zisserman, 2015) feature layers only:
// `features.N`, numbered as torchvision's nn.Sequential (conv, [bn,] ReLU,
// ..., max pooling). Features: "pool3" (stride 8) and "pool4" (stride 16),
// the skip connections of FCN-8s/16s, and "out" (pool5, stride 32).
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <cstddef>
#include <vector>

#include "advseg/models/backbones/backbone.h"
#include "advseg/models/layers.h"

namespace advseg {

struct VggOptions {
  std::vector<LayerSpec> layers;  // 3x3 convolutions and 2x2 poolings
  bool batch_norm = false;
};

// Configuration "D" of the paper: 13 convolutions, 5 poolings.
VggOptions vgg16_options(bool batch_norm);

class VggBackboneImpl : public BackboneImpl {
 public:
  explicit VggBackboneImpl(const VggOptions& options);

  FeatureMaps forward(const torch::Tensor& images) override;

 private:
  torch::nn::Sequential features_{nullptr};
  std::vector<std::size_t> pool_indices_;  // in features_, the 5 poolings
};

}  // namespace advseg
