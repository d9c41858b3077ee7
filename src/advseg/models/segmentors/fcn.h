// The fully convolutional networks of Long et al. (2015) on VGG-16:
// FCN-32s, FCN-16s and FCN-8s.
//
// The classifier of VGG-16 becomes convolutions: fc6 (7x7, 4096 or
// model.fc_width), ReLU, Dropout(0.5), fc7 (1x1, as wide), ReLU,
// Dropout(0.5), score_fr (1x1, num_classes). FCN-16s upsamples those scores 2x (upscore2, a learnable
// ConvTranspose2d initialised to bilinear interpolation) and adds
// score_pool4 (1x1 on pool4); FCN-8s upsamples that sum 2x again
// (upscore_pool4) and adds score_pool3. The final 32x/16x/8x upsampling of
// the paper is left out: forward() returns the logits at stride 32, 16 or 8
// (the grid of pool5, pool4 or pool3: floor(H/stride) x floor(W/stride)).
//
// Weights: the backbone is registered as "backbone", so torchvision vgg16's
// "features.N" load with LoadOptions{"", "backbone."} (strict=false, its
// classifier unexpected). torchvision's classifier.0 / classifier.3 are fc6 /
// fc7 reshaped to [4096,512,7,7] / [4096,4096,1,1] (not loaded by name).
#pragma once

#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>

#include <memory>
#include <vector>

#include "advseg/models/backbones/backbone.h"
#include "advseg/models/segmentor.h"

namespace advseg {

// Bilinear upsampling weights for a ConvTranspose2d of `channels` -> `channels`
// with kernel 2*factor - factor%2 and stride factor, as FCN's surgery.py:
// [channels, channels, k, k], each channel mapped to itself only.
torch::Tensor bilinear_upsampling_weight(int channels, int kernel);

class FcnSegmentorImpl : public SegmentorImpl {
 public:
  // stride: 32 (fcn32s), 16 (fcn16s) or 8 (fcn8s). Throws advseg::Error for
  // a backbone other than vgg16 or an output_stride other than `stride`.
  FcnSegmentorImpl(const SegmentorOptions& options, int stride);

  // images [N,3,H,W] -> logits [N,C,floor(H/s),floor(W/s)], s = output_stride().
  torch::Tensor forward(const torch::Tensor& images) override;

  int output_stride() const override { return stride_; }

  std::vector<torch::Tensor> backbone_parameters() const override { return backbone_->parameters(); }

 private:
  int stride_;
  std::shared_ptr<BackboneImpl> backbone_;
  torch::nn::Conv2d fc6_{nullptr}, fc7_{nullptr}, score_fr_{nullptr};
  torch::nn::Dropout drop6_{nullptr}, drop7_{nullptr};
  // fcn16s and fcn8s.
  torch::nn::ConvTranspose2d upscore2_{nullptr};
  torch::nn::Conv2d score_pool4_{nullptr};
  // fcn8s.
  torch::nn::ConvTranspose2d upscore_pool4_{nullptr};
  torch::nn::Conv2d score_pool3_{nullptr};
};

// For the registry (models/registry.cpp).
std::shared_ptr<SegmentorImpl> make_fcn32s_segmentor(const SegmentorOptions& options);
std::shared_ptr<SegmentorImpl> make_fcn16s_segmentor(const SegmentorOptions& options);
std::shared_ptr<SegmentorImpl> make_fcn8s_segmentor(const SegmentorOptions& options);

}  // namespace advseg
