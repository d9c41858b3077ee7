// A network's state for tests of code that changes weights for a while
// (batch norm folding, export): batch norms far from the identity, so that a
// wrong fold shows, and a copy of every tensor, to check they come back.
#pragma once

#include <torch/nn/module.h>
#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "advseg/models/batch_norm_folding.h"
#include "advseg/models/registry.h"
#include "advseg/models/segmentor.h"

namespace advseg::testing {

// Affine parameters far from the identity, and running statistics those of
// the network's own activations on a random batch of `side` x `side` images
// (one training-mode pass with momentum 1). Random statistics alone make a
// deep network's signal vanish: a randomly initialised DeepLabv3 on
// MobileNetV3 then predicts the same logits for every image, and a test
// comparing two ways of computing them could not fail.
inline void randomise_batch_norms(SegmentorImpl& network, int side) {
  std::vector<std::shared_ptr<FoldableBatchNorm2dImpl>> norms;
  for (const auto& module : network.modules())
    if (auto norm = std::dynamic_pointer_cast<FoldableBatchNorm2dImpl>(module)) norms.push_back(norm);
  torch::NoGradGuard no_grad;
  std::vector<c10::optional<double>> momenta;
  for (auto& norm : norms) {
    momenta.push_back(norm->options.momentum());
    // rand/randn rather than uniform_/normal_: GCC's sanitizer build warns
    // (maybe-uninitialized) inside LibTorch's optional generator argument.
    norm->weight.copy_(0.5 + torch::rand_like(norm->weight));
    norm->bias.copy_(0.2 * torch::randn_like(norm->bias));
    norm->options.momentum(1.0);
  }
  const bool was_training = network.is_training();
  network.train();
  network.forward(torch::randn({4, 3, side, side}));
  network.train(was_training);
  for (std::size_t i = 0; i < norms.size(); ++i) norms[i]->options.momentum(momenta[i]);
}

// A segmentor family at a test size, named in test output as "unet/" or
// "deeplabv3/mobilenet_v3_large".
struct SegmentorFamily {
  std::string segmentor;
  std::string backbone;
  int side;  // input side the family's strides and pooling allow
};

inline void PrintTo(const SegmentorFamily& f, std::ostream* out) { *out << f.segmentor << "/" << f.backbone; }

// The family's network, with small U-Net widths and VGG classifiers (fc6 and
// fc7 of the FCNs and Dilated-8: 256 channels, not 4096: a tenth of the
// parameters), from a fixed seed.
inline std::shared_ptr<SegmentorImpl> segmentor_of(const SegmentorFamily& family, int num_classes, int seed) {
  SegmentorOptions options;
  options.num_classes = num_classes;
  options.backbone = family.backbone;
  options.unet_widths = {16, 32, 64};
  options.fc_width = 256;
  torch::manual_seed(seed);
  return make_segmentor(family.segmentor, options);
}

inline std::map<std::string, torch::Tensor> state_of(const torch::nn::Module& network) {
  std::map<std::string, torch::Tensor> state;
  for (const auto& item : network.named_parameters()) state[item.key()] = item.value().detach().clone();
  for (const auto& item : network.named_buffers()) state[item.key()] = item.value().clone();
  return state;
}

// The largest difference between two networks' outputs, relative to the
// largest magnitude in `expected` (at least 1): fp32 rounding grows with it.
inline double relative_difference(const torch::Tensor& actual, const torch::Tensor& expected) {
  const double scale = std::max(1.0, expected.abs().max().item<double>());
  return (actual - expected).abs().max().item<double>() / scale;
}

}  // namespace advseg::testing
