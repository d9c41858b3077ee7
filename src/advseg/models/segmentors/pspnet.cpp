#include "advseg/models/segmentors/pspnet.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>

#include <string>

#include "advseg/models/batch_norm_folding.h"
#include "advseg/models/layers.h"
#include "advseg/models/segmentors/zoo_checks.h"

namespace advseg {
namespace {

constexpr int kHeadWidth = 512;
constexpr int kAuxWidth = 256;
constexpr double kHeadDropout = 0.1;

torch::nn::Conv2d conv_no_bias(int in_channels, int out_channels, int kernel) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in_channels, out_channels, kernel).padding(kernel / 2).bias(false));
}

// 3x3 conv + BN + ReLU + Dropout + 1x1 classifier: PSPNet's final layers and
// its FCN-style aux head ("0".."4", as torchvision's FCNHead).
torch::nn::Sequential classifier_head(int in_channels, int width, int classes) {
  return torch::nn::Sequential(conv_no_bias(in_channels, width, 3), FoldableBatchNorm2d(width),
                               torch::nn::ReLU(torch::nn::ReLUOptions(true)),
                               torch::nn::Dropout(kHeadDropout),
                               torch::nn::Conv2d(torch::nn::Conv2dOptions(width, classes, 1)));
}

}  // namespace

PyramidPoolingImpl::PyramidPoolingImpl(int channels, const std::vector<int>& bins) {
  torch::nn::ModuleList stages;
  for (int bin : bins) {
    auto stage = std::make_shared<torch::nn::Module>();
    Stage s{bin, stage->register_module("conv", conv_no_bias(channels, channels / 4, 1)),
            stage->register_module("bn", FoldableBatchNorm2d(channels / 4))};
    stages_.push_back(s);
    stages->push_back(stage);
  }
  register_module("stages", stages);
}

torch::Tensor PyramidPoolingImpl::forward(const torch::Tensor& features) {
  std::vector<torch::Tensor> pyramid{features};
  for (auto& stage : stages_) {
    const auto pooled = torch::adaptive_avg_pool2d(features, {stage.bins, stage.bins});
    const auto reduced = stage.bn(stage.conv(pooled)).relu_();
    pyramid.push_back(resize_bilinear(reduced, features.size(2), features.size(3)));
  }
  return torch::cat(pyramid, 1);
}

PspNetSegmentorImpl::PspNetSegmentorImpl(const SegmentorOptions& options) {
  const std::string name = "pspnet";
  backbone_ = register_module("backbone", zoo::dilated_resnet8(name, options, {"resnet50", "resnet101"}));
  // Pyramid pooling on layer4, then the classifier.
  const int channels = backbone_->out_channels("out");
  ppm_ = register_module("ppm", PyramidPooling(channels, std::vector<int>{1, 2, 3, 6}));
  head_ = register_module("head", classifier_head(2 * channels, kHeadWidth, options.num_classes));
  // The aux head on layer3.
  if (options.aux.value_or(true))
    aux_head_ = register_module(
        "aux_head", classifier_head(backbone_->out_channels("aux"), kAuxWidth, options.num_classes));
}

torch::Tensor PspNetSegmentorImpl::forward(const torch::Tensor& images) {
  const auto features = backbone_->forward(images);
  return head_->forward(ppm_(features["out"]));
}

SegmentorOutput PspNetSegmentorImpl::forward_train(const torch::Tensor& images) {
  const auto features = backbone_->forward(images);
  SegmentorOutput output{head_->forward(ppm_(features["out"])), {}};
  if (has_aux()) output.aux_logits = aux_head_->forward(features["aux"]);
  return output;
}

std::shared_ptr<SegmentorImpl> make_pspnet_segmentor(const SegmentorOptions& options) {
  return std::make_shared<PspNetSegmentorImpl>(options);
}

}  // namespace advseg
