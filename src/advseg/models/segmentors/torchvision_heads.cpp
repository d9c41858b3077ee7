#include "advseg/models/segmentors/torchvision_heads.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/pooling.h>
#include <torch/nn/pimpl.h>

#include <algorithm>
#include <array>
#include <utility>

#include "advseg/error.h"
#include "advseg/models/batch_norm_folding.h"
#include "advseg/models/layers.h"
#include "advseg/models/segmentors/zoo_checks.h"

namespace advseg {
namespace {

constexpr int kAsppChannels = 256;
constexpr std::array<int, 3> kAtrousRates{12, 24, 36};
constexpr int kOutputStride8 = 8;
constexpr int kOutputStride16 = 16;

torch::nn::Conv2d conv(int in_channels, int out_channels, int kernel, int dilation, bool bias) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, kernel)
                               .padding(kernel / 2 * dilation)
                               .dilation(dilation)
                               .bias(bias));
}

// Conv (no bias), BN, ReLU: "0", "1", "2".
torch::nn::Sequential conv_bn_relu(int in_channels, int out_channels, int kernel, int dilation = 1) {
  return torch::nn::Sequential(conv(in_channels, out_channels, kernel, dilation, false),
                               FoldableBatchNorm2d(out_channels),
                               torch::nn::ReLU(torch::nn::ReLUOptions(true)));
}

// torchvision's ASPP: "convs" (1x1, the atrous 3x3s, then the image pooling
// branch "AdaptiveAvgPool2d, 1x1, BN, ReLU"), concatenated and "project"ed.
class AsppImpl : public torch::nn::Module {
 public:
  explicit AsppImpl(int in_channels) {
    convs_ = register_module("convs", torch::nn::ModuleList());
    branches_.push_back(conv_bn_relu(in_channels, kAsppChannels, 1));
    for (const int rate : kAtrousRates)
      branches_.push_back(conv_bn_relu(in_channels, kAsppChannels, 3, rate));
    for (const auto& branch : branches_) convs_->push_back(branch);
    pooling_ = torch::nn::Sequential(torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)),
                                     conv(in_channels, kAsppChannels, 1, 1, false),
                                     FoldableBatchNorm2d(kAsppChannels),
                                     torch::nn::ReLU(torch::nn::ReLUOptions(true)));
    convs_->push_back(pooling_);
    const int concatenated = kAsppChannels * static_cast<int>(convs_->size());
    project_ =
        register_module("project", torch::nn::Sequential(conv(concatenated, kAsppChannels, 1, 1, false),
                                                         FoldableBatchNorm2d(kAsppChannels),
                                                         torch::nn::ReLU(torch::nn::ReLUOptions(true)),
                                                         torch::nn::Dropout(torch::nn::DropoutOptions(0.5))));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    std::vector<torch::Tensor> maps;
    for (auto& branch : branches_) maps.push_back(branch->forward(x));
    maps.push_back(resize_bilinear(pooling_->forward(x), x.size(2), x.size(3)));
    return project_->forward(torch::cat(maps, 1));
  }

 private:
  torch::nn::ModuleList convs_{nullptr};
  std::vector<torch::nn::Sequential> branches_;  // all of convs_ but the pooling
  torch::nn::Sequential pooling_{nullptr};
  torch::nn::Sequential project_{nullptr};
};
TORCH_MODULE(Aspp);

bool is_resnet(const std::string& name) { return name.rfind("resnet", 0) == 0; }

}  // namespace

torch::nn::Sequential fcn_head(int in_channels, int num_classes) {
  const int inter_channels = in_channels / 4;
  return torch::nn::Sequential(
      conv(in_channels, inter_channels, 3, 1, false), FoldableBatchNorm2d(inter_channels),
      torch::nn::ReLU(torch::nn::ReLUOptions(true)), torch::nn::Dropout(torch::nn::DropoutOptions(0.1)),
      conv(inter_channels, num_classes, 1, 1, true));
}

torch::nn::Sequential deeplab_head(int in_channels, int num_classes) {
  return torch::nn::Sequential(
      Aspp(in_channels), conv(kAsppChannels, kAsppChannels, 3, 1, false), FoldableBatchNorm2d(kAsppChannels),
      torch::nn::ReLU(torch::nn::ReLUOptions(true)), conv(kAsppChannels, num_classes, 1, 1, true));
}

std::shared_ptr<BackboneImpl> make_torchvision_backbone(const TorchvisionBackboneChoice& choice,
                                                        const SegmentorOptions& options) {
  zoo::check_num_classes(choice.segmentor, options);
  BackboneOptions backbone;
  backbone.name = zoo::choose_backbone(choice.segmentor, options, choice.backbones);
  const std::vector<int> strides =
      is_resnet(backbone.name) ? std::vector<int>{kOutputStride8, kOutputStride16} : choice.mobilenet_strides;
  const int stride = options.output_stride == 0 ? strides.front() : options.output_stride;
  if (std::find(strides.begin(), strides.end(), stride) == strides.end()) {
    std::vector<std::string> allowed;
    for (const int value : strides) allowed.push_back(std::to_string(value));
    throw Error("segmentor '" + choice.segmentor + "': unsupported output_stride " + std::to_string(stride) +
                " with backbone '" + backbone.name + "' (allowed: " + zoo::join_allowed(allowed) +
                ", or 0 for the default)");
  }
  if (is_resnet(backbone.name))
    backbone.replace_stride_with_dilation = {false, stride == kOutputStride8, true};
  else
    backbone.dilated = true;
  return make_backbone(backbone);
}

void register_torchvision_backbone(torch::nn::Module& owner, const std::shared_ptr<BackboneImpl>& backbone) {
  const auto children = backbone->named_children();
  if (children.size() == 1 && children.contains("features"))
    owner.register_module("backbone", children["features"]);
  else
    owner.register_module("backbone", backbone);
}

SimpleSegmentationModelImpl::SimpleSegmentationModelImpl(std::shared_ptr<BackboneImpl> backbone,
                                                         torch::nn::Sequential classifier,
                                                         const SegmentorOptions& options)
    : backbone_(std::move(backbone)), classifier_(std::move(classifier)) {
  register_torchvision_backbone(*this, backbone_);
  register_module("classifier", classifier_);
  if (options.aux.value_or(false))
    aux_classifier_ =
        register_module("aux_classifier", fcn_head(backbone_->out_channels("aux"), options.num_classes));
}

torch::Tensor SimpleSegmentationModelImpl::forward(const torch::Tensor& images) {
  return classifier_->forward(backbone_->forward(images)["out"]);
}

SegmentorOutput SimpleSegmentationModelImpl::forward_train(const torch::Tensor& images) {
  const FeatureMaps features = backbone_->forward(images);
  SegmentorOutput output;
  output.logits = classifier_->forward(features["out"]);
  if (aux_classifier_) output.aux_logits = aux_classifier_->forward(features["aux"]);
  return output;
}

}  // namespace advseg
