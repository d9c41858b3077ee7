// The adversary's image features are computed once per training step and
// shared by the segmentor update and both adversary passes. Pinned here:
// the weights after a few steps equal those of the same steps computed with
// the image run through the adversary in every pass, as before the sharing.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "advseg/config/config.h"
#include "advseg/models/encoding.h"
#include "advseg/models/registry.h"
#include "advseg/train/adversarial_step.h"
#include "advseg/train/losses.h"
#include "support/random_batch.h"
#include "support/tiny_run.h"

namespace advseg {
namespace {

using testing::TinyRun;

constexpr int kSteps = 3;
constexpr double kLambda = 0.5;

// One step with every adversary pass seeing the image itself.
void step_with_separate_passes(TinyRun& run, const Batch& batch) {
  auto& adversary = *run.networks.adversary;
  const StepSettings& settings = run.settings;
  run.networks.segmentor->train();
  const auto logits = run.networks.segmentor->forward(batch.images);
  const auto probs = torch::softmax(logits, 1);
  const auto image_small = downsample_image(batch.images, probs);

  const auto prediction = probs.detach();
  const auto truth = downsample_ground_truth(batch.labels, prediction, settings.ignore_index);
  const auto judged = judged_cells(truth.valid_share);

  for (auto& p : adversary.parameters()) p.requires_grad_(false);
  const auto fake_for_segmentor = encode_prediction(probs, image_small, settings.encoding);
  const auto term = segmentor_adversarial_term(adversary.score_map(batch.images, fake_for_segmentor), judged,
                                               settings.loss, settings.criterion);
  for (auto& p : adversary.parameters()) p.requires_grad_(true);
  const auto loss = segmentation_cross_entropy(logits, batch.labels, settings.ignore_index) + kLambda * term;
  run.optimizers.segmentor->zero_grad();
  loss.backward();
  run.optimizers.segmentor->step();

  const auto real = encode_ground_truth(truth, prediction, image_small, settings.encoding);
  const auto fake = encode_prediction(prediction, image_small, settings.encoding);
  const auto scores = adversary.score_map(torch::cat({batch.images, batch.images}), torch::cat({real, fake}));
  const auto n = real.size(0);
  const auto adversary_loss_value =
      adversary_loss(scores.narrow(0, 0, n), judged, scores.narrow(0, n, n), judged, settings.criterion);
  run.optimizers.adversary->zero_grad();
  adversary_loss_value.backward();
  run.optimizers.adversary->step();
}

double largest_difference(const torch::nn::Module& a, const torch::nn::Module& b) {
  const auto pa = a.parameters(), pb = b.parameters();
  double largest = 0;
  for (std::size_t i = 0; i < pa.size(); ++i)
    largest = std::max(largest, (pa[i] - pb[i]).abs().max().item<double>());
  return largest;
}

TEST(SharedImageFeatures, WeightsEqualThoseOfSeparatePassesForEveryAdversaryWithAnImageBranch) {
  int adversaries_with_image_features = 0;
  for (const auto& name : adversary_names()) {
    for (const std::string encoding : {"basic", "product"}) {
      SCOPED_TRACE(name + ", " + encoding);
      auto config = testing::tiny_config(name);
      config.adversarial.encoding = encoding;
      // SGD: an update proportional to the gradient. Adam divides by the
      // gradient's running size, which turns the rounding differences of
      // near-zero gradients (the two ways sum in different orders) into
      // steps of up to the learning rate: a property of Adam, not of sharing.
      for (auto* optimizer : {&config.train.segmentor_optimizer, &config.train.adversary_optimizer}) {
        optimizer->type = "sgd";
        optimizer->lr = 0.01;
        optimizer->momentum = 0.9;
      }
      TinyRun shared(config), separate(config);  // same seed: same initial weights
      if (!shared.networks.adversary->image_features(torch::zeros({1, 3, 32, 32})).defined()) continue;
      ++adversaries_with_image_features;
      const Batch batch = testing::random_batch(config.data.num_classes);
      for (int step = 0; step < kSteps; ++step) {
        const auto stats =
            training_step(shared.networks, shared.optimizers, batch, {true, true, kLambda}, shared.settings);
        ASSERT_TRUE(stats.segmentor_updated && stats.adversary_updated);
        step_with_separate_passes(separate, batch);
      }
      EXPECT_LE(largest_difference(*shared.networks.segmentor, *separate.networks.segmentor), 1e-6);
      EXPECT_LE(largest_difference(*shared.networks.adversary, *separate.networks.adversary), 1e-6);
      // The weights did move: the comparison is not of two untouched networks.
      EXPECT_GT(largest_difference(*shared.networks.adversary, *TinyRun(config).networks.adversary), 1e-4);
    }
  }
  EXPECT_GE(adversaries_with_image_features, 2);  // stanford, with both encodings
}

}  // namespace
}  // namespace advseg
