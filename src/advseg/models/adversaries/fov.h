// Label-map-only adversaries of Luc et al. (2016, Pascal VOC): a plain conv
// stack whose field of view (34x34 "largefov", 18x18 "smallfov", each with a
// narrower "-light" variant) limits how much context the adversary judges.
// The image argument is ignored. Each variant is one layer list in fov.cpp.
//
// For a Python twin: `layers` is an nn.Sequential with indices as in torch.nn;
// padding kernel//2, ReLU after every conv but the last, MaxPool2d(2, ceil_mode=True).
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <memory>
#include <vector>

#include "advseg/models/adversary.h"
#include "advseg/models/layers.h"

namespace advseg {

class FovAdversaryImpl : public AdversaryImpl {
 public:
  // Throws advseg::Error when options.label_channels < 1.
  FovAdversaryImpl(const AdversaryOptions& options, const std::vector<LayerSpec>& layers);

  // label_map [N,Cl,h,w] -> [N,1,ceil(ceil(h/2)/2),ceil(ceil(w/2)/2)]; no image features.
  torch::Tensor score_map_from_features(const torch::Tensor& features,
                                        const torch::Tensor& label_map) override;

 private:
  torch::nn::Sequential layers_{nullptr};
};

// The four variants, for the registry (models/registry.cpp).
std::shared_ptr<AdversaryImpl> make_largefov_adversary(const AdversaryOptions& options);
std::shared_ptr<AdversaryImpl> make_smallfov_adversary(const AdversaryOptions& options);
std::shared_ptr<AdversaryImpl> make_largefov_light_adversary(const AdversaryOptions& options);
std::shared_ptr<AdversaryImpl> make_smallfov_light_adversary(const AdversaryOptions& options);

}  // namespace advseg
