// torchvision's MobileNetV3-Large (Howard et al., 2019) feature layers only:
// `features.0` (stem), `features.1..15` (inverted residual blocks with
// squeeze-excitation `block.N.fc1/fc2`), `features.16` (1x1 to 960
// channels); batch norm eps 0.001, momentum 0.01. Features, as torchvision's
// LR-ASPP and DeepLabV3 take them: "low" and "aux" (features.4, 40
// channels, stride 8; LR-ASPP's low-level input, DeepLabV3's auxiliary one)
// and "out" (features.16, stride 32, or 16 when dilated).
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include "advseg/models/backbones/backbone.h"

namespace advseg {

struct MobileNetV3Options {
  // The last stage (features.13..15) at stride 1 with dilation 2.
  bool dilated = false;
};

class MobileNetV3BackboneImpl : public BackboneImpl {
 public:
  explicit MobileNetV3BackboneImpl(const MobileNetV3Options& options);

  FeatureMaps forward(const torch::Tensor& images) override;

 private:
  torch::nn::Sequential features_{nullptr};
  std::size_t low_index_ = 0;  // in features_
};

}  // namespace advseg
