#include "advseg/models/segmentors/fcn.h"

#include <cmath>
#include <string>

#include "advseg/models/layers.h"
#include "advseg/models/segmentors/zoo_checks.h"

namespace advseg {
namespace {

constexpr int kUpKernel = 4;  // 2x upsampling: kernel 2*2, stride 2, padding 1
constexpr double kDropout = 0.5;

std::string fcn_name(int stride) { return "fcn" + std::to_string(stride) + "s"; }

torch::nn::Conv2d conv(int in_channels, int out_channels, int kernel, int padding = 0) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, kernel).padding(padding));
}

// 2x learnable upsampling; padding 1 makes the output exactly twice the
// input (Caffe's FCN crops the unpadded output by the same offset).
torch::nn::ConvTranspose2d upsampling_2x(int channels) {
  torch::nn::ConvTranspose2d up(
      torch::nn::ConvTranspose2dOptions(channels, channels, kUpKernel).stride(2).padding(1).bias(false));
  torch::NoGradGuard no_grad;
  up->weight.copy_(bilinear_upsampling_weight(channels, kUpKernel));
  return up;
}

// The sum of an upsampled map and a skip's scores: they differ by a pixel
// after odd-sized poolings, so the upsampled map is resized to the skip's.
torch::Tensor fuse(const torch::Tensor& upsampled, const torch::Tensor& skip) {
  return resize_bilinear(upsampled, skip.size(2), skip.size(3)) + skip;
}

}  // namespace

torch::Tensor bilinear_upsampling_weight(int channels, int kernel) {
  // surgery.upsample_filt: 1 - |i - center| / factor per axis.
  const int factor = (kernel + 1) / 2;
  const double center = kernel % 2 == 1 ? factor - 1 : factor - 0.5;
  const auto taps = 1 - (torch::arange(kernel, torch::kDouble) - center).abs() / factor;
  const auto filter = torch::outer(taps, taps).to(torch::kFloat);
  auto weight = torch::zeros({channels, channels, kernel, kernel});
  for (int c = 0; c < channels; ++c) weight[c][c] = filter;
  return weight;
}

FcnSegmentorImpl::FcnSegmentorImpl(const SegmentorOptions& options, int stride) : stride_(stride) {
  const std::string name = fcn_name(stride);
  zoo::check_num_classes(name, options);
  zoo::choose_backbone(name, options, {"vgg16"});
  zoo::check_output_stride(name, options, stride);
  const int classes = options.num_classes;
  const int fc_width = options.fc_width;

  // VGG-16's convolutions and poolings: pool3, pool4, pool5.
  BackboneOptions backbone_options;
  backbone_options.name = "vgg16";
  backbone_ = register_module("backbone", make_backbone(backbone_options));
  // fc6 .. score_fr, the classifier as convolutions. fc6 is padded by 3 so
  // that small inputs keep at least one cell; the original pads the input
  // by 100 instead (and crops the upsampled output).
  fc6_ = register_module("fc6", conv(backbone_->out_channels("out"), fc_width, 7, 3));
  drop6_ = register_module("drop6", torch::nn::Dropout(kDropout));
  fc7_ = register_module("fc7", conv(fc_width, fc_width, 1));
  drop7_ = register_module("drop7", torch::nn::Dropout(kDropout));
  score_fr_ = register_module("score_fr", conv(fc_width, classes, 1));
  // The skips, finest last.
  if (stride <= 16) {
    upscore2_ = register_module("upscore2", upsampling_2x(classes));
    score_pool4_ = register_module("score_pool4", conv(backbone_->out_channels("pool4"), classes, 1));
  }
  if (stride <= 8) {
    upscore_pool4_ = register_module("upscore_pool4", upsampling_2x(classes));
    score_pool3_ = register_module("score_pool3", conv(backbone_->out_channels("pool3"), classes, 1));
  }
}

torch::Tensor FcnSegmentorImpl::forward(const torch::Tensor& images) {
  const auto features = backbone_->forward(images);
  // The classifier on pool5: stride 32.
  auto x = drop6_(fc6_(features["out"]).relu_());
  x = drop7_(fc7_(x).relu_());
  auto scores = score_fr_(x);
  if (stride_ == 32) return scores;
  // + pool4's scores: stride 16.
  scores = fuse(upscore2_(scores), score_pool4_(features["pool4"]));
  if (stride_ == 16) return scores;
  // + pool3's scores: stride 8.
  return fuse(upscore_pool4_(scores), score_pool3_(features["pool3"]));
}

std::shared_ptr<SegmentorImpl> make_fcn32s_segmentor(const SegmentorOptions& options) {
  return std::make_shared<FcnSegmentorImpl>(options, 32);
}

std::shared_ptr<SegmentorImpl> make_fcn16s_segmentor(const SegmentorOptions& options) {
  return std::make_shared<FcnSegmentorImpl>(options, 16);
}

std::shared_ptr<SegmentorImpl> make_fcn8s_segmentor(const SegmentorOptions& options) {
  return std::make_shared<FcnSegmentorImpl>(options, 8);
}

}  // namespace advseg
