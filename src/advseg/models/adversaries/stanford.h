// The adversary Luc et al. (2016) used on Stanford Background: a label-map
// branch and an image branch (which pools the full-resolution image down to
// the label map's 1/4 resolution) are concatenated and scored by a small
// convolutional trunk, one logit per remaining cell.
//
// For a Python twin: label_branch / image_branch / trunk are nn.Sequential
// with indices as in torch.nn; the image branch pools in floor mode (as the
// segmentor does, so its cells line up with the label map's), the trunk in
// ceil mode; concatenation order is (label features, image features).
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <memory>

#include "advseg/models/adversary.h"

namespace advseg {

class StanfordAdversaryImpl : public AdversaryImpl {
 public:
  // Throws advseg::Error when options.label_channels < 1.
  explicit StanfordAdversaryImpl(const AdversaryOptions& options);

  // image [N,3,H,W] with H,W >= 4 -> the image branch's [N,64,H/4,W/4].
  torch::Tensor image_features(const torch::Tensor& image) override;
  // label_map [N,Cl,h,w] (h,w ~ H/4, W/4) -> [N,1,ceil(ceil(h/2)/2),ceil(ceil(w/2)/2)].
  torch::Tensor score_map_from_features(const torch::Tensor& features,
                                        const torch::Tensor& label_map) override;

 private:
  torch::nn::Sequential label_branch_{nullptr};
  torch::nn::Sequential image_branch_{nullptr};
  torch::nn::Sequential trunk_{nullptr};
};

// For the registry (models/registry.cpp).
std::shared_ptr<AdversaryImpl> make_stanford_adversary(const AdversaryOptions& options);

}  // namespace advseg
