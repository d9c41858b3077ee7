// The fully convolutional discriminator of Hung et al. (BMVC 2018), also
// AdaptSegNet's: five 4x4 convolutions of stride 2 (64, 128, 256, 512, 1
// channels) with LeakyReLU(0.2) between them, scoring the label map (and,
// through adversarial.encoding_with_image, the image) at the image's
// resolution: the step upsamples the segmentor's logits to the image before
// the softmax, as the authors do, and compares the score map, upsampled
// back, cell by cell (adversarial.reduction: pixel).
//
// For a Python twin: `layers` is an nn.Sequential with indices as in torch.nn
// (conv, LeakyReLU, conv, ...); every convolution has padding 1.
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <memory>

#include "advseg/models/adversary.h"

namespace advseg {

class FcdAdversaryImpl : public AdversaryImpl {
 public:
  // Throws advseg::Error when options.label_channels < 1.
  explicit FcdAdversaryImpl(const AdversaryOptions& options);

  bool sees_full_resolution() const override { return true; }
  // label_map [N,Cl,H,W] with H,W >= 32 -> [N,1,H/32,W/32] (each halving rounds down).
  torch::Tensor score_map_from_features(const torch::Tensor& features,
                                        const torch::Tensor& label_map) override;

 private:
  torch::nn::Sequential layers_{nullptr};
};

// For the registry (models/registry.cpp).
std::shared_ptr<AdversaryImpl> make_fcd_adversary(const AdversaryOptions& options);

}  // namespace advseg
