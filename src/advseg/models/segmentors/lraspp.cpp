#include "advseg/models/segmentors/lraspp.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/pooling.h>

#include "advseg/error.h"
#include "advseg/models/batch_norm_folding.h"
#include "advseg/models/layers.h"
#include "advseg/models/segmentors/torchvision_heads.h"

namespace advseg {
namespace {

constexpr int kInterChannels = 128;

torch::nn::Conv2d conv1x1(int in_channels, int out_channels, bool bias) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 1).bias(bias));
}

std::shared_ptr<BackboneImpl> lraspp_backbone(const SegmentorOptions& options) {
  if (options.aux.value_or(false))
    throw Error("segmentor 'lraspp': has no auxiliary head (aux must be false)");
  return make_torchvision_backbone({"lraspp", {"mobilenet_v3_large"}, {8}}, options);
}

}  // namespace

LRASPPSegmentorImpl::LRASPPSegmentorImpl(const SegmentorOptions& options)
    : backbone_(lraspp_backbone(options)) {
  register_torchvision_backbone(*this, backbone_);
  const int low_channels = backbone_->out_channels("low");
  const int high_channels = backbone_->out_channels("out");
  // torchvision's LRASPPHead, registered as "classifier".
  auto head = register_module("classifier", std::make_shared<torch::nn::Module>());
  cbr_ = head->register_module("cbr", torch::nn::Sequential(conv1x1(high_channels, kInterChannels, false),
                                                            FoldableBatchNorm2d(kInterChannels),
                                                            torch::nn::ReLU(torch::nn::ReLUOptions(true))));
  scale_ = head->register_module(
      "scale", torch::nn::Sequential(torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)),
                                     conv1x1(high_channels, kInterChannels, false), torch::nn::Sigmoid()));
  low_classifier_ = head->register_module("low_classifier", conv1x1(low_channels, options.num_classes, true));
  high_classifier_ =
      head->register_module("high_classifier", conv1x1(kInterChannels, options.num_classes, true));
}

torch::Tensor LRASPPSegmentorImpl::forward(const torch::Tensor& images) {
  const FeatureMaps features = backbone_->forward(images);
  const auto& low = features["low"];
  const auto& high = features["out"];
  const auto gated = cbr_->forward(high) * scale_->forward(high);
  return low_classifier_(low) + high_classifier_(resize_bilinear(gated, low.size(2), low.size(3)));
}

std::shared_ptr<SegmentorImpl> make_lraspp_segmentor(const SegmentorOptions& options) {
  return std::make_shared<LRASPPSegmentorImpl>(options);
}

}  // namespace advseg
