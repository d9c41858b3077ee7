// torchvision's lraspp_mobilenet_v3_large (Howard et al., 2019): the dilated
// MobileNetV3-Large and the LR-ASPP head: "cbr" (1x1, BN, ReLU) on the
// high-level map (features.16, 960 channels) gated by "scale" (image pooling,
// 1x1, sigmoid), upsampled to the low-level map (features.4, 40 channels,
// stride 8), then low_classifier(low) + high_classifier(high). No auxiliary
// head. The module names are torchvision's: its state dicts load strictly.
#pragma once

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <memory>
#include <vector>

#include "advseg/models/backbones/backbone.h"
#include "advseg/models/segmentor.h"

namespace advseg {

class LRASPPSegmentorImpl : public SegmentorImpl {
 public:
  // Backbone mobilenet_v3_large (the default), output_stride 8 (the
  // default), aux unset or false; throws advseg::Error otherwise.
  explicit LRASPPSegmentorImpl(const SegmentorOptions& options);

  // At the low-level map's resolution (stride 8): torchvision's classifier
  // output, before its final upsampling to the input.
  torch::Tensor forward(const torch::Tensor& images) override;

  int output_stride() const override { return backbone_->stride("low"); }
  std::vector<torch::Tensor> backbone_parameters() const override { return backbone_->parameters(); }

 private:
  std::shared_ptr<BackboneImpl> backbone_;
  torch::nn::Sequential cbr_{nullptr};
  torch::nn::Sequential scale_{nullptr};
  torch::nn::Conv2d low_classifier_{nullptr};
  torch::nn::Conv2d high_classifier_{nullptr};
};

// For the registry (models/registry.cpp).
std::shared_ptr<SegmentorImpl> make_lraspp_segmentor(const SegmentorOptions& options);

}  // namespace advseg
