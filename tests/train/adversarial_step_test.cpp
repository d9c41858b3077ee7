// The training step must keep the two networks apart: the segmentor's update
// leaves the adversary alone and vice versa, and the adversary never sends
// gradients into the segmentor through the predicted map.
#include "advseg/train/adversarial_step.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <tuple>

#include "advseg/config/config.h"
#include "advseg/inference/prediction.h"
#include "advseg/train/networks.h"
#include "support/random_batch.h"
#include "support/step_checks.h"
#include "support/tiny_run.h"

namespace advseg {
namespace {

using testing::config_of;
using testing::expect_same_segmentor_gradients;
using testing::frozen_fcd_scores;
using testing::random_batch;
using testing::snapshot;
using testing::StepMode;
using testing::TinyRun;
using testing::unchanged;
using testing::unlabeled_images;

TEST(TrainingStep, SegmentorUpdateChangesNoAdversaryWeight) {
  TinyRun setup;
  auto adversary_before = snapshot(*setup.networks.adversary);
  auto segmentor_before = snapshot(*setup.networks.segmentor);
  auto stats = training_step(setup.networks, setup.optimizers, random_batch(5), StepPlan{true, false, 1.0},
                             setup.settings);
  EXPECT_TRUE(stats.segmentor_updated);
  EXPECT_FALSE(stats.adversary_updated);
  EXPECT_TRUE(unchanged(*setup.networks.adversary, adversary_before));
  EXPECT_FALSE(unchanged(*setup.networks.segmentor, segmentor_before));
  // No weight gradient was even computed for the adversary.
  for (const auto& p : setup.networks.adversary->parameters()) EXPECT_FALSE(p.grad().defined());
  for (const auto& p : setup.networks.adversary->parameters()) EXPECT_TRUE(p.requires_grad());
  EXPECT_NE(stats.value("adversarial_term"), 0.0);
}

TEST(TrainingStep, AdversaryUpdateChangesNoSegmentorWeight) {
  TinyRun setup;
  auto adversary_before = snapshot(*setup.networks.adversary);
  auto segmentor_before = snapshot(*setup.networks.segmentor);
  auto stats = training_step(setup.networks, setup.optimizers, random_batch(5), StepPlan{false, true, 1.0},
                             setup.settings);
  EXPECT_FALSE(stats.segmentor_updated);
  EXPECT_TRUE(stats.adversary_updated);
  EXPECT_TRUE(unchanged(*setup.networks.segmentor, segmentor_before));
  EXPECT_FALSE(unchanged(*setup.networks.adversary, adversary_before));
  for (const auto& p : setup.networks.segmentor->parameters()) EXPECT_FALSE(p.grad().defined());
}

// With both updates in one step, the segmentor's gradients must be exactly
// those of its own loss: were the fake map not detached, the adversary's
// backward pass would add to them.
TEST(TrainingStep, FakeMapIsDetachedInTheAdversaryUpdate) {
  auto batch = random_batch(5);
  TinyRun stepped;
  training_step(stepped.networks, stepped.optimizers, batch, StepPlan{true, true, 0.5}, stepped.settings);

  TinyRun reference;  // same seed, same initial weights
  auto logits = reference.networks.segmentor->forward(batch.images);
  auto probs = torch::softmax(logits, 1);
  auto fake = encode_prediction(probs, downsample_image(batch.images, probs), reference.settings.encoding);
  auto judged = judged_cells(downsample_ground_truth(batch.labels, probs.detach(), 255).valid_share);
  auto term = segmentor_adversarial_term(reference.networks.adversary->score_map(batch.images, fake), judged,
                                         reference.settings.loss, reference.settings.criterion);
  auto loss = segmentation_cross_entropy(logits, batch.labels, 255) + 0.5 * term;
  loss.backward();

  expect_same_segmentor_gradients(stepped, reference);
}

// Every mode of the step keeps the two networks apart: pixel verdicts, least
// squares, spectral norm, the fcd adversary at the image's resolution, the
// entropy encoding, semi-supervised steps with unlabelled images, and domain
// adaptation with target images.

class EveryStepMode : public ::testing::TestWithParam<StepMode> {};

TEST_P(EveryStepMode, SegmentorUpdateChangesNoAdversaryWeight) {
  TinyRun setup(config_of(GetParam()));
  auto adversary_before = snapshot(*setup.networks.adversary);
  auto segmentor_before = snapshot(*setup.networks.segmentor);
  auto plan = plan_step(setup.config, 0);
  plan.update_segmentor = true;
  plan.update_adversary = false;
  auto stats = training_step(setup.networks, setup.optimizers, random_batch(5), plan, setup.settings,
                             unlabeled_images(GetParam()));
  EXPECT_TRUE(stats.segmentor_updated);
  EXPECT_TRUE(unchanged(*setup.networks.adversary, adversary_before));
  EXPECT_FALSE(unchanged(*setup.networks.segmentor, segmentor_before));
  for (const auto& p : setup.networks.adversary->parameters()) EXPECT_FALSE(p.grad().defined());
  // Adapting, the adversary judges target predictions only.
  EXPECT_EQ(stats.has("adversarial_term"), !GetParam().adapt);
  EXPECT_EQ(stats.has("target_adversarial_term"), GetParam().adapt);
  EXPECT_EQ(stats.has("target_entropy"), GetParam().adapt);
  EXPECT_EQ(stats.has("semi_adversarial_term"), GetParam().semi);
  EXPECT_EQ(stats.has("semi_cross_entropy"), GetParam().semi);
}

TEST_P(EveryStepMode, AdversaryUpdateChangesNoSegmentorWeight) {
  TinyRun setup(config_of(GetParam()));
  auto adversary_before = snapshot(*setup.networks.adversary);
  auto segmentor_before = snapshot(*setup.networks.segmentor);
  auto stats =
      training_step(setup.networks, setup.optimizers, random_batch(5), StepPlan{false, true, 1.0, 1.0, 1.0},
                    setup.settings, unlabeled_images(GetParam()));
  EXPECT_TRUE(stats.adversary_updated);
  EXPECT_GT(stats.value("adversary_loss"), 0.0);
  EXPECT_TRUE(unchanged(*setup.networks.segmentor, segmentor_before));
  EXPECT_FALSE(unchanged(*setup.networks.adversary, adversary_before));
  for (const auto& p : setup.networks.segmentor->parameters()) EXPECT_FALSE(p.grad().defined());
}

INSTANTIATE_TEST_SUITE_P(
    Modes, EveryStepMode,
    ::testing::Values(
        StepMode{"image_bce", "stanford", "image", "bce", "basic", false, false},
        StepMode{"pixel_bce", "stanford", "pixel", "bce", "product", false, false},
        StepMode{"pixel_lsgan_spectral", "smallfov", "pixel", "lsgan", "scaling", true, false},
        StepMode{"fcd_entropy", "fcd", "pixel", "bce", "entropy", false, false},
        StepMode{"semi_fcd", "fcd", "pixel", "bce", "basic", false, true},
        StepMode{"semi_stanford_lsgan", "stanford", "pixel", "lsgan", "basic", true, true},
        StepMode{"adapt_fcd", "fcd", "pixel", "bce", "basic", false, false, true},
        StepMode{"adapt_entropy_lsgan", "smallfov", "pixel", "lsgan", "entropy", true, false, true},
        StepMode{"adapt_image_largefov", "largefov", "image", "bce", "basic", false, false, true}),
    [](const ::testing::TestParamInfo<StepMode>& mode) { return std::string(mode.param.name); });

// The semi-supervised step's segmentor gradients are exactly those of
// mce + lambda*term + lambda_semi_adv*term(u) + lambda_semi*mce(u, pseudo-labels),
// built here by hand from the pieces; the adversary's update in the same
// step (which sees s(u) as fake) adds nothing to them.
TEST(TrainingStep, SemiSupervisedSegmentorLossIsTheSumOfItsTerms) {
  const StepMode mode{"semi_fcd", "fcd", "pixel", "bce", "basic", false, true};
  const auto batch = random_batch(5);
  const auto unlabeled = unlabeled_images(mode);
  const StepPlan plan{true, true, 0.3, 0.2, 0.7};
  TinyRun stepped(config_of(mode)), reference(config_of(mode));  // same initial weights

  const auto scores_of = frozen_fcd_scores(reference);
  const auto logits = reference.networks.segmentor->forward(batch.images);
  const auto unlabeled_logits = reference.networks.segmentor->forward(unlabeled);
  const auto unlabeled_scores = scores_of(unlabeled_logits);
  // The fcd scores a 32x32 map once: a threshold between the two images'
  // confidences keeps the pseudo-labels of one and voids the other's.
  const auto& criterion = reference.settings.criterion;
  stepped.settings.semi.threshold =
      adversary_confidence(unlabeled_scores, 1, 1, criterion).mean().item<double>();
  const auto pseudo_labels = confident_pseudo_labels(unlabeled_logits, unlabeled_scores, 32, 32,
                                                     stepped.settings.semi.threshold, criterion, 255);
  const auto probs = torch::softmax(upsample_logits(logits, 32, 32), 1);
  const auto valid = judged_cells(downsample_ground_truth(batch.labels, probs.detach(), 255).valid_share);
  const auto loss_kind = reference.settings.loss;
  const auto self_training = segmentation_cross_entropy(unlabeled_logits, pseudo_labels, 255);
  const auto loss =
      segmentation_cross_entropy(logits, batch.labels, 255) +
      0.3 * segmentor_adversarial_term(scores_of(logits), valid, loss_kind, criterion) +
      0.2 * segmentor_adversarial_term(unlabeled_scores, torch::ones({2, 1, 32, 32}), loss_kind, criterion) +
      0.7 * self_training;
  loss.backward();

  const auto stats =
      training_step(stepped.networks, stepped.optimizers, batch, plan, stepped.settings, unlabeled);
  EXPECT_TRUE(stats.adversary_updated);
  EXPECT_NEAR(stats.value("semi_cross_entropy"), self_training.item<double>(), 1e-5);
  EXPECT_NEAR(stats.value("semi_mask_share"), 0.5, 1e-6);
  EXPECT_TRUE(torch::equal(std::get<0>((pseudo_labels != 255).sum({1, 2}).sort()),
                           torch::tensor({0, 32 * 32}, torch::kLong)));
  expect_same_segmentor_gradients(stepped, reference);
}

TEST(PlanStep, SemiSupervisedTermsFollowTheirOwnStart) {
  Config config;
  SemiConfig& semi = config.semi;
  semi.enabled = true;
  semi.lambda_adv = 0.01;
  semi.lambda_self = 0.5;
  semi.start_iteration = 3;
  EXPECT_EQ(plan_step(config, 2).lambda_semi_adv, 0.01);
  EXPECT_EQ(plan_step(config, 2).lambda_semi, 0.0);
  EXPECT_EQ(plan_step(config, 3).lambda_semi, 0.5);
  // The unlabelled adversarial term waits, as the labelled one does, for adversarial.start_iteration.
  config.adversarial.start_iteration = 4;
  EXPECT_EQ(plan_step(config, 3).lambda_semi_adv, 0.0);
  EXPECT_EQ(plan_step(config, 4).lambda_semi_adv, 0.01);
  semi.enabled = false;
  EXPECT_EQ(plan_step(config, 9).lambda_semi_adv, 0.0);
  EXPECT_EQ(plan_step(config, 9).lambda_semi, 0.0);
}

TEST(TrainingStep, StandardBaselineUsesTheSamePathWithoutAdversary) {
  auto config = testing::tiny_config();
  config.adversarial.enabled = false;
  TinyRun setup(config);
  EXPECT_EQ(setup.networks.adversary, nullptr);
  auto plan = plan_step(config, 0);
  EXPECT_FALSE(plan.update_adversary);
  auto stats = training_step(setup.networks, setup.optimizers, random_batch(5), plan, setup.settings);
  EXPECT_TRUE(stats.segmentor_updated);
  EXPECT_GT(stats.value("cross_entropy"), 0.0);
  EXPECT_FALSE(stats.has("adversarial_term"));
}

TEST(TrainingStep, SegmentorTrainsInTrainModeAndEvaluatesInEvalModeWithoutGrad) {
  TinyRun setup;
  setup.networks.segmentor->eval();
  training_step(setup.networks, setup.optimizers, random_batch(5), StepPlan{true, true, 1.0}, setup.settings);
  EXPECT_TRUE(setup.networks.segmentor->is_training());

  // Prediction runs in eval mode (one image's result does not depend on the
  // rest of the batch, as it would with batch statistics), without autograd,
  // and restores the mode it found.
  auto images = torch::randn({3, 3, 32, 32});
  {
    InferenceNetwork network(*setup.networks.segmentor);
    auto together = predict_classes(network, images, PredictionOptions{});
    auto alone = predict_classes(network, images.narrow(0, 0, 1), PredictionOptions{});
    EXPECT_TRUE(torch::equal(together.narrow(0, 0, 1), alone));
    EXPECT_FALSE(together.requires_grad());
  }
  EXPECT_TRUE(setup.networks.segmentor->is_training());
}

TEST(TrainingStep, NonFiniteLossAppliesNoUpdate) {
  TinyRun setup;
  auto batch = random_batch(5);
  batch.images[0][0][0][0] = std::numeric_limits<float>::quiet_NaN();
  auto before = snapshot(*setup.networks.segmentor);
  auto stats =
      training_step(setup.networks, setup.optimizers, batch, StepPlan{true, false, 1.0}, setup.settings);
  EXPECT_FALSE(stats.finite);
  EXPECT_TRUE(unchanged(*setup.networks.segmentor, before));
}

TEST(PlanStep, AlternatesDStepsAndSStepsPerRound) {
  Config config;
  config.adversarial.d_steps = 2;
  config.adversarial.s_steps = 1;
  config.adversarial.lambda = 0.3;
  config.adversarial.start_iteration = 2;
  std::vector<bool> segmentor, adversary;
  std::vector<double> lambdas;
  for (int it = 0; it < 4; ++it) {
    auto plan = plan_step(config, it);
    segmentor.push_back(plan.update_segmentor);
    adversary.push_back(plan.update_adversary);
    lambdas.push_back(plan.lambda);
  }
  EXPECT_EQ(segmentor, (std::vector<bool>{true, false, true, false}));
  EXPECT_EQ(adversary, (std::vector<bool>{true, true, true, true}));
  EXPECT_EQ(lambdas, (std::vector<double>{0.0, 0.0, 0.3, 0.3}));
}

TEST(PlanStep, DisabledAdversaryNeverTrains) {
  Config config;
  config.adversarial.enabled = false;
  for (int it = 0; it < 3; ++it) {
    auto plan = plan_step(config, it);
    EXPECT_TRUE(plan.update_segmentor);
    EXPECT_FALSE(plan.update_adversary);
    EXPECT_EQ(plan.lambda, 0.0);
  }
}

}  // namespace
}  // namespace advseg
