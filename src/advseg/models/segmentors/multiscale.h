// The multiscale segmentor of Farabet et al. (2013), as used by Luc et al.
// (2016) on Stanford Background: one convolutional feature extractor applied
// to the input at several scales, the per-scale features brought to a common
// resolution, concatenated and classified per pixel by a 1x1 convolution.
//
// For a Python twin: input sizes per scale are computed explicitly as
// max(floor(size * scale), 2^(stages-1)) and passed to interpolate as `size`
// (bilinear, align_corners=False); the extractor is conv{i}/bn{i}
// (7x7, padding 3, no bias) + ReLU with a 2x2 max pooling between stages, and
// the per-scale features are concatenated in the order of `scales`.
#pragma once

#include <torch/nn/modules/conv.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "advseg/models/batch_norm_folding.h"
#include "advseg/models/segmentor.h"

namespace advseg {

class MultiscaleSegmentorImpl : public SegmentorImpl {
 public:
  // Throws advseg::Error on empty or non-positive widths/scales or num_classes < 1.
  explicit MultiscaleSegmentorImpl(const SegmentorOptions& options);

  // images [N,3,H,W] -> logits [N,C,floor(H/2^(s-1)),floor(W/2^(s-1))] for s
  // stages (1/4 resolution with the default three).
  torch::Tensor forward(const torch::Tensor& images) override;

  int output_stride() const override { return static_cast<int>(std::int64_t{1} << pool_levels_); }

  // The shared extractor; the 1x1 classifier is the head.
  std::vector<torch::Tensor> backbone_parameters() const override;

 private:
  // The extractor, the same weights at every scale.
  torch::Tensor extract_features(torch::Tensor images);
  // Side of an input of `size` pixels at `scale`, at least one pixel per pool level.
  std::int64_t scaled_size(std::int64_t size, double scale) const;

  std::vector<double> scales_;
  std::int64_t pool_levels_ = 0;
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<FoldableBatchNorm2d> norms_;
  torch::nn::Conv2d classifier_{nullptr};
};

// For the registry (models/registry.cpp).
std::shared_ptr<SegmentorImpl> make_multiscale_segmentor(const SegmentorOptions& options);

}  // namespace advseg
