#include "advseg/models/segmentors/unet.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/modulelist.h>

#include <algorithm>
#include <string>

#include "advseg/error.h"
#include "advseg/models/batch_norm_folding.h"
#include "advseg/models/layers.h"
#include "advseg/models/segmentors/zoo_checks.h"

namespace advseg {
namespace {

// (3x3 conv, no bias, + BN + ReLU) twice.
torch::nn::Sequential double_conv(int in_channels, int out_channels) {
  return torch::nn::Sequential(
      same_conv(in_channels, out_channels, 3, false), FoldableBatchNorm2d(out_channels),
      torch::nn::ReLU(torch::nn::ReLUOptions(true)), same_conv(out_channels, out_channels, 3, false),
      FoldableBatchNorm2d(out_channels), torch::nn::ReLU(torch::nn::ReLUOptions(true)));
}

void check_unet_options(const SegmentorOptions& options) {
  const std::string name = "unet";
  zoo::check_num_classes(name, options);
  zoo::check_no_backbone(name, options);
  zoo::check_output_stride(name, options, 1);
  const auto& widths = options.unet_widths;
  if (widths.size() < 2 || !std::all_of(widths.begin(), widths.end(), [](int w) { return w > 0; }))
    throw Error("segmentor 'unet': unet_widths must list at least 2 positive channel counts");
}

}  // namespace

UNetSegmentorImpl::UNetSegmentorImpl(const SegmentorOptions& options) {
  check_unet_options(options);
  const auto& widths = options.unet_widths;
  // The encoder, finest level first.
  torch::nn::ModuleList down, up, decode;
  int channels = 3;
  for (int width : widths) {
    down_.push_back(double_conv(channels, width));
    down->push_back(down_.back());
    channels = width;
  }
  // The decoder, coarsest first: up to the level's width, concat, convs.
  for (std::size_t level = widths.size() - 1; level-- > 0;) {
    const int width = widths[level];
    up_.emplace_back(torch::nn::ConvTranspose2dOptions(channels, width, 2).stride(2));
    up->push_back(up_.back());
    decode_.push_back(double_conv(2 * width, width));
    decode->push_back(decode_.back());
    channels = width;
  }
  register_module("down", down);
  register_module("up", up);
  register_module("decode", decode);
  classifier_ = register_module(
      "classifier", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, options.num_classes, 1)));
}

torch::Tensor UNetSegmentorImpl::forward(const torch::Tensor& images) {
  // Contracting path: keep every level's map for the skips.
  std::vector<torch::Tensor> skips;
  auto x = images;
  for (std::size_t level = 0; level < down_.size(); ++level) {
    if (level > 0) x = torch::max_pool2d(x, {2, 2});
    x = down_[level]->forward(x);
    skips.push_back(x);
  }
  // Expanding path: upsample, match the skip's size, concatenate, convolve.
  for (std::size_t i = 0; i < up_.size(); ++i) {
    const auto& skip = skips[skips.size() - 2 - i];
    const auto upsampled = resize_bilinear(up_[i](x), skip.size(2), skip.size(3));
    x = decode_[i]->forward(torch::cat({skip, upsampled}, 1));
  }
  return classifier_(x);
}

std::shared_ptr<SegmentorImpl> make_unet_segmentor(const SegmentorOptions& options) {
  return std::make_shared<UNetSegmentorImpl>(options);
}

}  // namespace advseg
