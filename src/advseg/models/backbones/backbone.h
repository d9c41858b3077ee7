// Feature extractors for segmentation heads, built like torchvision 0.14's
// classification networks: their parameter and buffer names are
// torchvision's state_dict keys ("conv1.weight", "layer1.0.bn1.running_mean",
// "features.1.block.0.0.weight"), so torchvision's weights load 1:1 with
// load_state_dict (state_dict.h). Only the feature layers are built: a full
// classification state dict loads with strict=false, its classifier unexpected.
//
// Chosen by name with one explicit factory (no static registration, so the
// list is complete even when advseg is linked as a static library).
#pragma once

#include <torch/nn/module.h>
#include <torch/ordered_dict.h>
#include <torch/types.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace advseg {

struct BackboneOptions {
  std::string name = "resnet50";
  // Bottleneck resnets only: layer2..layer4 keep the resolution and dilate
  // instead of striding, as torchvision's replace_stride_with_dilation
  // ({false, true, true}: output stride 8, {false, false, true}: 16).
  std::array<bool, 3> replace_stride_with_dilation{false, false, false};
  // mobilenet_v3_large only: the last stage dilated instead of strided
  // (output stride 16), as in torchvision's segmentation models.
  bool dilated = false;
};

// Feature maps by name, finest first, like the OrderedDict of torchvision's
// IntermediateLayerGetter. Every backbone has "out", its last map.
using FeatureMaps = torch::OrderedDict<std::string, torch::Tensor>;

class BackboneImpl : public torch::nn::Module {
 public:
  // images [N,3,H,W] -> the feature maps named by feature_names().
  virtual FeatureMaps forward(const torch::Tensor& images) = 0;

  std::vector<std::string> feature_names() const;
  // Throws advseg::Error listing the backbone's features for an unknown one.
  int out_channels(const std::string& feature) const;
  int stride(const std::string& feature) const;
  // The stride of "out".
  int output_stride() const;

 protected:
  // Declares a feature forward returns, in the order it returns them.
  void add_feature(const std::string& feature, int channels, int stride);

 private:
  struct Feature {
    std::string name;
    int channels;
    int stride;
  };
  const Feature& feature(const std::string& name) const;

  std::vector<Feature> features_;
};

// Throws advseg::Error listing the valid names for an unknown name, and for
// options the backbone does not have (dilation on a VGG, say).
std::shared_ptr<BackboneImpl> make_backbone(const BackboneOptions& options);

std::vector<std::string> backbone_names();

}  // namespace advseg
