// PSPNet (Zhao et al., 2017): a dilated ResNet (resnet50 by default,
// resnet101 allowed; output stride 8: layer3 dilated by 2, layer4 by 4), the
// pyramid pooling module and a classifier, with an auxiliary FCN head on
// layer3 used in training.
//
// Pyramid pooling on the C-channel layer4 map: for bins 1, 2, 3 and 6, an
// adaptive average pooling to bins x bins, a 1x1 convolution to C/4 (no
// bias), BN, ReLU and a bilinear upsampling (align_corners=false) back to the
// map's size; the four results are concatenated after the map (2C
// channels). Then 3x3 conv 512 (no bias), BN, ReLU, Dropout(0.1), 1x1 to
// num_classes. Aux head (SegmentorOptions::aux, default on): 3x3 conv 256
// (no bias), BN, ReLU, Dropout(0.1), 1x1 to num_classes on layer3.
// Logits at stride 8: ceil(H/8) x ceil(W/8), as torchvision's ResNet rounds.
//
// Names: "backbone.*" (torchvision resnet weights load with LoadOptions{"",
// "backbone."}, strict=false), "ppm.stages.{0..3}.{conv,bn}", "head.*",
// "aux_head.*".
#pragma once

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <memory>
#include <vector>

#include "advseg/models/backbones/backbone.h"
#include "advseg/models/batch_norm_folding.h"
#include "advseg/models/segmentor.h"

namespace advseg {

class PyramidPoolingImpl : public torch::nn::Module {
 public:
  PyramidPoolingImpl(int channels, const std::vector<int>& bins);

  // [N,C,h,w] -> [N,2C,h,w] (C/4 per bin after the input).
  torch::Tensor forward(const torch::Tensor& features);

 private:
  struct Stage {
    int bins;
    torch::nn::Conv2d conv;
    FoldableBatchNorm2d bn;
  };
  std::vector<Stage> stages_;
};
TORCH_MODULE(PyramidPooling);

class PspNetSegmentorImpl : public SegmentorImpl {
 public:
  // Throws advseg::Error for a backbone other than resnet50/resnet101 or an
  // output_stride other than 8.
  explicit PspNetSegmentorImpl(const SegmentorOptions& options);

  torch::Tensor forward(const torch::Tensor& images) override;

  // forward() plus the aux head's logits (same size) when it has one.
  SegmentorOutput forward_train(const torch::Tensor& images) override;

  int output_stride() const override { return 8; }

  std::vector<torch::Tensor> backbone_parameters() const override { return backbone_->parameters(); }

  bool has_aux() const { return !aux_head_.is_empty(); }

 private:
  std::shared_ptr<BackboneImpl> backbone_;
  PyramidPooling ppm_{nullptr};
  torch::nn::Sequential head_{nullptr};
  torch::nn::Sequential aux_head_{nullptr};
};

// For the registry (models/registry.cpp).
std::shared_ptr<SegmentorImpl> make_pspnet_segmentor(const SegmentorOptions& options);

}  // namespace advseg
