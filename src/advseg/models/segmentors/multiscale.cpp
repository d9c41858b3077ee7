#include "advseg/models/segmentors/multiscale.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "advseg/error.h"
#include "advseg/models/batch_norm_folding.h"
#include "advseg/models/conv_relu.h"
#include "advseg/models/layers.h"
#include "advseg/models/segmentors/zoo_checks.h"

namespace advseg {
namespace {

constexpr int kExtractorKernel = 7;

void check_multiscale_options(const SegmentorOptions& options) {
  const auto positive = [](auto value) { return value > 0; };
  if (options.num_classes < 1)
    throw Error("segmentor 'multiscale': num_classes must be at least 1, got " +
                std::to_string(options.num_classes));
  if (options.widths.empty() || !std::all_of(options.widths.begin(), options.widths.end(), positive))
    throw Error("segmentor 'multiscale': widths must be a non-empty list of positive channel counts");
  if (options.scales.empty() || !std::all_of(options.scales.begin(), options.scales.end(), positive))
    throw Error("segmentor 'multiscale': scales must be a non-empty list of positive factors");
  zoo::check_no_backbone("multiscale", options);
}

}  // namespace

MultiscaleSegmentorImpl::MultiscaleSegmentorImpl(const SegmentorOptions& options) {
  check_multiscale_options(options);
  scales_ = options.scales;
  pool_levels_ = static_cast<std::int64_t>(options.widths.size()) - 1;
  int channels = 3;
  for (std::size_t i = 0; i < options.widths.size(); ++i) {
    const std::string stage = std::to_string(i + 1);
    const int width = options.widths[i];
    // No conv bias: the batch norm's shift makes it redundant.
    convs_.push_back(register_module("conv" + stage, same_conv(channels, width, kExtractorKernel, false)));
    norms_.push_back(register_module("bn" + stage, FoldableBatchNorm2d(width)));
    channels = width;
  }
  const int concatenated = channels * static_cast<int>(scales_.size());
  classifier_ = register_module(
      "classifier", torch::nn::Conv2d(torch::nn::Conv2dOptions(concatenated, options.num_classes, 1)));
}

torch::Tensor MultiscaleSegmentorImpl::extract_features(torch::Tensor images) {
  for (std::size_t i = 0; i < convs_.size(); ++i) {
    if (i > 0) images = torch::max_pool2d(images, {2, 2});
    // Folded for inference, the batch norm is part of the convolution, and
    // the ReLU can be too; the folded norm, now the identity, still refuses training.
    images =
        norms_[i]->folded() ? norms_[i](conv_relu(*convs_[i], images)) : norms_[i](convs_[i](images)).relu_();
  }
  return images;
}

std::int64_t MultiscaleSegmentorImpl::scaled_size(std::int64_t size, double scale) const {
  // Tiny inputs would pool down to nothing at the coarse scales.
  const auto scaled = static_cast<std::int64_t>(std::floor(static_cast<double>(size) * scale));
  return std::max(scaled, std::int64_t{1} << pool_levels_);
}

torch::Tensor MultiscaleSegmentorImpl::forward(const torch::Tensor& images) {
  const std::int64_t height = images.size(2);
  const std::int64_t width = images.size(3);
  // The full-resolution features' size: every scale is classified on this grid.
  const std::int64_t out_height = scaled_size(height, 1.0) >> pool_levels_;
  const std::int64_t out_width = scaled_size(width, 1.0) >> pool_levels_;

  // The 1x1 classifier over the concatenated, resized features is a sum of
  // one 1x1 convolution per scale; both it and bilinear resizing are linear,
  // so each scale is classified first and its few class maps resized, not
  // its hundreds of feature maps: the same logits for a fraction of the work.
  const auto& weight = classifier_->weight;
  const std::int64_t per_scale = weight.size(1) / static_cast<std::int64_t>(scales_.size());
  torch::Tensor logits;
  for (std::size_t i = 0; i < scales_.size(); ++i) {
    const double scale = scales_[i];
    const auto input = resize_bilinear(images, scaled_size(height, scale), scaled_size(width, scale));
    const auto slice = weight.narrow(1, static_cast<std::int64_t>(i) * per_scale, per_scale);
    const auto scores = resize_bilinear(torch::conv2d(extract_features(input), slice), out_height, out_width);
    logits = logits.defined() ? logits + scores : scores;
  }
  return logits + classifier_->bias.view({1, -1, 1, 1});
}

std::vector<torch::Tensor> MultiscaleSegmentorImpl::backbone_parameters() const {
  std::vector<torch::Tensor> parameters;
  for (const auto& conv : convs_)
    for (const auto& p : conv->parameters()) parameters.push_back(p);
  for (const auto& norm : norms_)
    for (const auto& p : norm->parameters()) parameters.push_back(p);
  return parameters;
}

std::shared_ptr<SegmentorImpl> make_multiscale_segmentor(const SegmentorOptions& options) {
  return std::make_shared<MultiscaleSegmentorImpl>(options);
}

}  // namespace advseg
