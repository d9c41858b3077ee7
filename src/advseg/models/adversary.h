// The adversary a(x, y) of the method: sees an image and a label map (already
// encoded, see encoding.h) at the segmentor's output resolution and scores
// how likely the map is ground truth. Implementations live in
// models/adversaries/ and are listed by name in registry.cpp.
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

namespace advseg {

struct AdversaryOptions {
  int label_channels = 5;      // channels of the encoded label map
  bool spectral_norm = false;  // every convolution spectrally normalised (spectral_norm.h)
  double width = 1.0;          // a multiple of every hidden layer's channels (the score map keeps 1)
};

class AdversaryImpl : public torch::nn::Module {
 public:
  // True when the adversary judges label maps at the image's resolution
  // (the segmentor's logits are upsampled first, as Hung et al. do); false
  // when it judges them at the segmentor's output resolution.
  virtual bool sees_full_resolution() const { return false; }

  // What the adversary computes from the image alone (the stanford
  // adversary's image branch): a training step computes it once and shares
  // it between its passes, since the image is the same in all of them.
  // Undefined for adversaries that ignore the image.
  virtual torch::Tensor image_features(const torch::Tensor& image) {
    (void)image;
    return {};
  }

  // features: image_features(image), one per label map (repeated as the maps
  // are); label_map [N,Cl,h,w] -> score map [N,1,h',w'] of logits.
  virtual torch::Tensor score_map_from_features(const torch::Tensor& features,
                                                const torch::Tensor& label_map) = 0;

  // image [N,3,H,W] normalised, full resolution (label-only adversaries ignore
  // it); label_map [N,Cl,h,w] -> score map [N,1,h',w'] of logits.
  torch::Tensor score_map(const torch::Tensor& image, const torch::Tensor& label_map) {
    return score_map_from_features(image_features(image), label_map);
  }

  // One logit per image: the spatial mean of the score map, [N]. Its sigmoid
  // is the probability that label_map is ground truth.
  torch::Tensor forward(const torch::Tensor& image, const torch::Tensor& label_map) {
    return score_map(image, label_map).mean({1, 2, 3});
  }
  torch::Tensor forward_from_features(const torch::Tensor& features, const torch::Tensor& label_map) {
    return score_map_from_features(features, label_map).mean({1, 2, 3});
  }
};

}  // namespace advseg
