// The front end of Yu & Koltun (2016), "Multi-scale context aggregation by
// dilated convolutions" (their VOC model), and optionally its basic context
// module.
//
// Front end: VGG-16's 13 convolutions without pool4 and pool5, the conv5
// block dilated by 2, fc6 as a 7x7 convolution dilated by 4 (4096 channels,
// or model.fc_width), ReLU, Dropout(0.5), fc7 (1x1, as wide), ReLU,
// Dropout(0.5), a 1x1 classifier:
// output stride 8 (floor(H/8) x floor(W/8)). Every convolution is padded to
// keep the size (the paper pads the input by reflection and convolves
// without padding instead).
//
// Context module ("dilated8-context"): Table 1's basic module, C = num_classes
// channels: 3x3 convolutions dilated 1, 1, 2, 4, 8, 16, 1, each followed by a
// ReLU, then a 1x1 convolution, all identity-initialised (the module starts
// as the identity on non-negative scores).
//
// Weights: the VGG part is "backbone.features.N" with torchvision vgg16's
// numbering (pool4, index 23, is an Identity, pool5 is gone), so its
// "features.{0,2,5,7,10,12,14,17,19,21,24,26,28}.{weight,bias}" (all 13
// convolutions) load with LoadOptions{"features.", "backbone.features."}.
#pragma once

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>

#include <memory>
#include <vector>

#include "advseg/models/segmentor.h"

namespace advseg {

class DilatedSegmentorImpl : public SegmentorImpl {
 public:
  // Throws advseg::Error for a backbone other than vgg16 or an output_stride other than 8.
  DilatedSegmentorImpl(const SegmentorOptions& options, bool context);

  // images [N,3,H,W] -> logits [N,C,floor(H/8),floor(W/8)].
  torch::Tensor forward(const torch::Tensor& images) override;

  int output_stride() const override { return 8; }

  // The VGG convolutions.
  std::vector<torch::Tensor> backbone_parameters() const override { return features_->parameters(); }

 private:
  torch::nn::Sequential features_{nullptr};
  torch::nn::Conv2d fc6_{nullptr}, fc7_{nullptr}, classifier_{nullptr};
  torch::nn::Dropout drop6_{nullptr}, drop7_{nullptr};
  torch::nn::Sequential context_{nullptr};  // "dilated8-context" only
};

// For the registry (models/registry.cpp): "dilated8" and "dilated8-context".
std::shared_ptr<SegmentorImpl> make_dilated8_segmentor(const SegmentorOptions& options);
std::shared_ptr<SegmentorImpl> make_dilated8_context_segmentor(const SegmentorOptions& options);

}  // namespace advseg
