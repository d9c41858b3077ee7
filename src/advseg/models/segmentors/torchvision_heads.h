// What torchvision 0.14's segmentation models (torchvision.models.segmentation:
// fcn, deeplabv3, lraspp) share, built with torchvision's module names so
// that their full state dicts ("backbone.conv1.weight",
// "classifier.0.convs.0.0.weight", "aux_classifier.0.weight") load 1:1 with
// load_state_dict (state_dict.h): the heads, the choice of backbone, and
// _SimpleSegmentationModel (a backbone, a classifier on its "out" map and an
// optional auxiliary classifier on its "aux" map).
//
// Logits are returned at the head's resolution; torchvision's forward
// upsamples them to the input (bilinear, align_corners=False) afterwards.
#pragma once

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <memory>
#include <string>
#include <vector>

#include "advseg/models/backbones/backbone.h"
#include "advseg/models/segmentor.h"

namespace advseg {

// torchvision's FCNHead: 3x3 conv to in_channels/4 (no bias), BN, ReLU,
// Dropout(0.1), 1x1 conv to the classes.
torch::nn::Sequential fcn_head(int in_channels, int num_classes);

// torchvision's DeepLabHead: ASPP (1x1, 3x3 at rates 12/24/36, image pooling;
// 256 channels each; projection with Dropout(0.5)), 3x3 conv, BN, ReLU, 1x1.
torch::nn::Sequential deeplab_head(int in_channels, int num_classes);

// A backbone for a torchvision segmentor.
struct TorchvisionBackboneChoice {
  std::string segmentor;               // for error messages
  std::vector<std::string> backbones;  // allowed names, the default first
  // The segmentor's output strides with mobilenet_v3_large (always dilated,
  // "out" at 16): 16 for DeepLabV3, 8 ("low") for LR-ASPP.
  std::vector<int> mobilenet_strides;
};

// options.backbone ("" = the default) and options.output_stride (0 = the
// first allowed) checked against `choice`: resnets take 8 ([F,T,T] dilation,
// torchvision's) or 16 ([F,F,T]). Throws advseg::Error naming the allowed
// values, and for num_classes < 1.
std::shared_ptr<BackboneImpl> make_torchvision_backbone(const TorchvisionBackboneChoice& choice,
                                                        const SegmentorOptions& options);

// Registers `backbone` as "backbone" of `owner` under torchvision's names. A
// MobileNetV3's feature Sequential is registered itself, as torchvision's
// IntermediateLayerGetter(backbone.features) holds it ("backbone.0.0.weight").
void register_torchvision_backbone(torch::nn::Module& owner, const std::shared_ptr<BackboneImpl>& backbone);

// torchvision's _SimpleSegmentationModel, the base of FCN and DeepLabV3.
class SimpleSegmentationModelImpl : public SegmentorImpl {
 public:
  // With options.aux (default false, torchvision's without weights), an
  // fcn_head on the backbone's "aux" map: "aux_classifier".
  SimpleSegmentationModelImpl(std::shared_ptr<BackboneImpl> backbone, torch::nn::Sequential classifier,
                              const SegmentorOptions& options);

  // classifier(backbone(images)["out"]), at the backbone's output stride.
  torch::Tensor forward(const torch::Tensor& images) override;
  // And aux_classifier(backbone(images)["aux"]), at that map's stride.
  SegmentorOutput forward_train(const torch::Tensor& images) override;

  int output_stride() const override { return backbone_->output_stride(); }
  std::vector<torch::Tensor> backbone_parameters() const override { return backbone_->parameters(); }

 private:
  std::shared_ptr<BackboneImpl> backbone_;
  torch::nn::Sequential classifier_;
  torch::nn::Sequential aux_classifier_{nullptr};
};

}  // namespace advseg
