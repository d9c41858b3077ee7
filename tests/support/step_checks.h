// What the training-step tests share: snapshots of weights, the check that
// two runs got the same segmentor gradients, the step's modes as configs,
// and the fcd adversary frozen as a function of logits.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <ostream>
#include <vector>

#include "advseg/config/config.h"
#include "advseg/train/losses.h"
#include "support/tiny_config.h"
#include "support/tiny_run.h"

namespace advseg::testing {

inline std::vector<torch::Tensor> snapshot(const torch::nn::Module& module) {
  std::vector<torch::Tensor> copies;
  for (const auto& p : module.parameters()) copies.push_back(p.detach().clone());
  return copies;
}

inline bool unchanged(const torch::nn::Module& module, const std::vector<torch::Tensor>& before) {
  auto now = module.parameters();
  for (std::size_t i = 0; i < now.size(); ++i)
    if (!torch::equal(now[i], before[i])) return false;
  return true;
}

// The segmentor of `stepped` got, parameter by parameter, the gradients of `reference`.
inline void expect_same_segmentor_gradients(const TinyRun& stepped, const TinyRun& reference) {
  auto stepped_parameters = stepped.networks.segmentor->parameters();
  auto reference_parameters = reference.networks.segmentor->parameters();
  ASSERT_EQ(stepped_parameters.size(), reference_parameters.size());
  for (std::size_t i = 0; i < stepped_parameters.size(); ++i)
    EXPECT_TRUE(torch::allclose(stepped_parameters[i].grad(), reference_parameters[i].grad(), 1e-5, 1e-7))
        << i;
}

// A mode of the step: adversary, verdicts, GAN loss, encoding, spectral
// norm, and unlabelled images for semi-supervised training or target images
// for domain adaptation.
struct StepMode {
  const char* name;
  const char* adversary;
  const char* reduction;
  const char* gan_loss;
  const char* encoding;
  bool spectral_norm;
  bool semi;
  bool adapt = false;
};

inline std::ostream& operator<<(std::ostream& out, const StepMode& mode) { return out << mode.name; }

inline Config config_of(const StepMode& mode) {
  auto config = tiny_config(mode.adversary);
  config.adversarial.reduction = mode.reduction;
  config.adversarial.gan_loss = mode.gan_loss;
  config.adversarial.encoding = mode.encoding;
  config.adversarial.spectral_norm = mode.spectral_norm;
  config.semi.enabled = mode.semi;
  config.semi.start_iteration = 0;
  config.data.labeled_fraction = mode.semi ? 0.5 : 1.0;
  if (mode.adapt) {
    config.data.shapes_domain = "source";
    config.target = config.data;
    config.target.shapes_domain = "target";
    config.adaptation.lambda_ent = 0.001;
  }
  return config;
}

inline torch::Tensor unlabeled_images(const StepMode& mode) {
  return mode.semi || mode.adapt ? torch::randn({2, 3, 32, 32}) : torch::Tensor();
}

// The fcd adversary of `run`, its weights frozen, as a function of logits:
// its score maps of their softmax at the image's 32x32 (as the step feeds it).
inline std::function<torch::Tensor(const torch::Tensor&)> frozen_fcd_scores(TinyRun& run) {
  auto& adversary = *run.networks.adversary;
  for (auto& p : adversary.parameters()) p.requires_grad_(false);
  return [&adversary](const torch::Tensor& logits) {
    return adversary.score_map({}, torch::softmax(upsample_logits(logits, 32, 32), 1));
  };
}

}  // namespace advseg::testing
