// DeepLab v2 (Chen et al., 2017) as the segmentor of Hung et al. (2018) and
// AdaptSegNet (Tsai et al., 2018): a ResNet (resnet101 by default, resnet50
// allowed) at output stride 8 (layer3 dilated by 2, layer4 by 4, torchvision's
// replace_stride_with_dilation {false, true, true}) and ASPP: four parallel
// 3x3 convolutions dilated 6, 12, 18 and 24 straight to num_classes (with
// bias), their outputs summed. The logits are at stride 8:
// ceil(H/8) x ceil(W/8), as torchvision's ResNet rounds.
//
// Weights: the backbone is "backbone.*" with torchvision's resnet names, so
// torchvision resnet101 weights load with LoadOptions{"", "backbone."}
// (strict=false, fc unexpected).
#pragma once

#include <torch/nn/modules/conv.h>

#include <memory>
#include <vector>

#include "advseg/models/backbones/backbone.h"
#include "advseg/models/segmentor.h"

namespace advseg {

class DeepLabV2SegmentorImpl : public SegmentorImpl {
 public:
  // Throws advseg::Error for a backbone other than resnet101/resnet50 or an
  // output_stride other than 8.
  explicit DeepLabV2SegmentorImpl(const SegmentorOptions& options);

  torch::Tensor forward(const torch::Tensor& images) override;

  int output_stride() const override { return 8; }

  std::vector<torch::Tensor> backbone_parameters() const override { return backbone_->parameters(); }

 private:
  std::shared_ptr<BackboneImpl> backbone_;
  std::vector<torch::nn::Conv2d> aspp_;  // "aspp.0" .. "aspp.3"
};

// For the registry (models/registry.cpp).
std::shared_ptr<SegmentorImpl> make_deeplabv2_segmentor(const SegmentorOptions& options);

}  // namespace advseg
