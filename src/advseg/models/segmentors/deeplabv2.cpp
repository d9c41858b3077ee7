#include "advseg/models/segmentors/deeplabv2.h"

#include <torch/nn/modules/container/modulelist.h>

#include <string>

#include "advseg/models/segmentors/zoo_checks.h"

namespace advseg {

DeepLabV2SegmentorImpl::DeepLabV2SegmentorImpl(const SegmentorOptions& options) {
  const std::string name = "deeplabv2";
  backbone_ = register_module("backbone", zoo::dilated_resnet8(name, options, {"resnet101", "resnet50"}));
  // ASPP: one 3x3 classifier per rate, weights drawn from N(0, 0.01^2) as
  // in Hung et al.'s and AdaptSegNet's Classifier_Module.
  const int channels = backbone_->out_channels("out");
  torch::nn::ModuleList aspp;
  torch::NoGradGuard no_grad;
  for (int rate : {6, 12, 18, 24}) {
    aspp_.emplace_back(
        torch::nn::Conv2dOptions(channels, options.num_classes, 3).padding(rate).dilation(rate));
    aspp_.back()->weight.normal_(0.0, 0.01);
    aspp->push_back(aspp_.back());
  }
  register_module("aspp", aspp);
}

torch::Tensor DeepLabV2SegmentorImpl::forward(const torch::Tensor& images) {
  const auto features = backbone_->forward(images)["out"];
  // The sum of the four rates' scores.
  torch::Tensor logits;
  for (auto& conv : aspp_) logits = logits.defined() ? logits + conv(features) : conv(features);
  return logits;
}

std::shared_ptr<SegmentorImpl> make_deeplabv2_segmentor(const SegmentorOptions& options) {
  return std::make_shared<DeepLabV2SegmentorImpl>(options);
}

}  // namespace advseg
