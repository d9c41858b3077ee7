// U-Net (Ronneberger et al., 2015), trained from scratch (no backbone:
// backbone_parameters() is empty), with SegmentorOptions::unet_widths
// channels per level, finest first.
//
// Encoder: per level a double 3x3 convolution (padding 1, no bias) + BN +
// ReLU block, with a 2x2 max pooling between levels. Decoder: per level a
// 2x2 stride-2 ConvTranspose2d halving the channels, concatenated with the
// encoder's map of that level (skip first), then a double conv block. A 1x1
// convolution gives the logits at the input's resolution (output stride 1).
// Inputs whose sides are not divisible by 2^(levels-1) work too: the
// upsampled map is resized (bilinear) to its skip's size.
//
// Names: "down.{i}" / "up.{i}" / "decode.{i}" (each block's
// "0".."5": conv, bn, ReLU, conv, bn, ReLU), "classifier".
#pragma once

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <memory>
#include <vector>

#include "advseg/models/segmentor.h"

namespace advseg {

class UNetSegmentorImpl : public SegmentorImpl {
 public:
  // Throws advseg::Error for fewer than 2 or non-positive widths, a
  // backbone other than "" / "none", or an output_stride other than 1.
  explicit UNetSegmentorImpl(const SegmentorOptions& options);

  // images [N,3,H,W] -> logits [N,C,H,W].
  torch::Tensor forward(const torch::Tensor& images) override;

  int output_stride() const override { return 1; }

 private:
  std::vector<torch::nn::Sequential> down_;     // per level
  std::vector<torch::nn::ConvTranspose2d> up_;  // per level but the coarsest
  std::vector<torch::nn::Sequential> decode_;   // per level but the coarsest
  torch::nn::Conv2d classifier_{nullptr};
};

// For the registry (models/registry.cpp).
std::shared_ptr<SegmentorImpl> make_unet_segmentor(const SegmentorOptions& options);

}  // namespace advseg
