// The domain-adaptation step (AdaptSegNet, ADVENT): its losses by hand, the
// second adversary of multi-level adaptation, entropy minimisation without
// an adversary, and the plan that moves lambda to target predictions.
#include <gtest/gtest.h>

#include <string>

#include "advseg/config/config.h"
#include "advseg/error.h"
#include "advseg/train/adversarial_step.h"
#include "advseg/train/networks.h"
#include "support/aux_segmentor.h"
#include "support/random_batch.h"
#include "support/step_checks.h"

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

// The domain-adaptation step by hand (AdaptSegNet with ADVENT's entropy
// term): the segmentor's gradients are those of
//   mce(s(x), y) + lambda_target_adv * gan(a(s(t)), 1) + lambda_entropy * entropy(s(t)),
// and the adversary's loss is gan(a(s(x)), 1) + gan(a(s(t)), 0): source
// predictions are real, target ones fake, and no ground truth is judged.
TEST(TrainingStep, DomainAdaptationLossesByHand) {
  const StepMode mode{"adapt_fcd", "fcd", "pixel", "bce", "basic", false, false, true};
  const auto batch = random_batch(5);
  const auto target = unlabeled_images(mode);
  StepPlan plan;
  plan.update_adversary = true;
  plan.lambda_target_adv = 0.3;
  plan.lambda_entropy = 0.2;
  TinyRun stepped(config_of(mode)), reference(config_of(mode));  // same initial weights

  const auto scores_of = frozen_fcd_scores(reference);
  const auto logits = reference.networks.segmentor->forward(batch.images);
  const auto target_logits = reference.networks.segmentor->forward(target);
  const auto& criterion = reference.settings.criterion;
  const auto term = segmentor_adversarial_term(scores_of(target_logits), torch::ones({2, 1, 32, 32}),
                                               AdversarialLoss::flipped, criterion);
  const auto entropy = mean_entropy(target_logits);
  (segmentation_cross_entropy(logits, batch.labels, 255) + 0.3 * term + 0.2 * entropy).backward();
  const auto adversary_loss_by_hand =
      adversary_loss(scores_of(logits.detach()), torch::ones({2, 1, 32, 32}),
                     scores_of(target_logits.detach()), torch::ones({2, 1, 32, 32}), criterion);

  const auto stats =
      training_step(stepped.networks, stepped.optimizers, batch, plan, stepped.settings, target);
  EXPECT_TRUE(stats.has("target_entropy"));
  EXPECT_NEAR(stats.value("target_adversarial_term"), term.item<double>(), 1e-5);
  EXPECT_NEAR(stats.value("target_entropy"), entropy.item<double>(), 1e-6);
  EXPECT_FALSE(stats.has("adversarial_term"));
  EXPECT_NEAR(stats.value("adversary_loss"), adversary_loss_by_hand.item<double>(), 1e-5);
  expect_same_segmentor_gradients(stepped, reference);
}

// AdaptSegNet's multi-level adaptation: a second adversary judges the
// auxiliary head's maps. The segmentor's gradients are those of
//   mce + aux_weight * mce(aux) + lambda_target_adv * term + lambda_target_aux_adv * aux term,
// the second adversary's loss is gan(a2(aux(x)), 1) + gan(a2(aux(t)), 0), and
// a segmentor update leaves both adversaries alone.
struct MultiLevelRun : TinyRun {
  explicit MultiLevelRun(const Config& config) : TinyRun(config) {
    torch::manual_seed(5);
    networks.segmentor = std::make_shared<testing::AuxSegmentorImpl>();
    optimizers = make_optimizers(config, networks);
  }
};

Config multi_level_config() {
  auto config = config_of({"adapt_fcd", "fcd", "pixel", "bce", "basic", false, false, true});
  config.adaptation.aux_adversary = true;
  config.model.aux_loss = "true";
  return config;
}

TEST(TrainingStep, MultiLevelAdaptationByHand) {
  const auto config = multi_level_config();
  const auto batch = random_batch(5);
  const auto target = torch::randn({2, 3, 32, 32});
  StepPlan plan;
  plan.update_adversary = true;
  plan.lambda_target_adv = 0.3;
  plan.lambda_target_aux_adv = 0.05;
  MultiLevelRun stepped(config), reference(config);
  ASSERT_NE(stepped.networks.aux_adversary, nullptr);

  auto& adversary = *reference.networks.adversary;
  auto& aux_adversary = *reference.networks.aux_adversary;
  for (auto* network : {&adversary, &aux_adversary})
    for (auto& p : network->parameters()) p.requires_grad_(false);
  const auto source_out = reference.networks.segmentor->forward_train(batch.images);
  const auto target_out = reference.networks.segmentor->forward_train(target);
  const auto& criterion = reference.settings.criterion;
  const auto ones = torch::ones({2, 1, 32, 32});
  auto term_of = [&](AdversaryImpl& judge, const torch::Tensor& logits) {
    return segmentor_adversarial_term(judge.score_map({}, torch::softmax(logits, 1)), ones,
                                      AdversarialLoss::flipped, criterion);
  };
  const auto aux_term = term_of(aux_adversary, target_out.aux_logits);
  (segmentation_cross_entropy(source_out.logits, batch.labels, 255) +
   0.5 * segmentation_cross_entropy(source_out.aux_logits, batch.labels, 255) +
   0.3 * term_of(adversary, target_out.logits) + 0.05 * aux_term)
      .backward();
  const auto aux_loss_by_hand = adversary_loss(
      aux_adversary.score_map({}, torch::softmax(source_out.aux_logits.detach(), 1)), ones,
      aux_adversary.score_map({}, torch::softmax(target_out.aux_logits.detach(), 1)), ones, criterion);

  const auto aux_before = snapshot(*stepped.networks.aux_adversary);
  const auto stats =
      training_step(stepped.networks, stepped.optimizers, batch, plan, stepped.settings, target);
  EXPECT_NEAR(stats.value("target_aux_adversarial_term"), aux_term.item<double>(), 1e-5);
  EXPECT_TRUE(stats.aux_adversary_updated);
  EXPECT_NEAR(stats.value("aux_adversary_loss"), aux_loss_by_hand.item<double>(), 1e-5);
  EXPECT_FALSE(unchanged(*stepped.networks.aux_adversary, aux_before));
  expect_same_segmentor_gradients(stepped, reference);
}

TEST(TrainingStep, MultiLevelSegmentorUpdateLeavesBothAdversariesAlone) {
  MultiLevelRun setup(multi_level_config());
  const auto before = snapshot(*setup.networks.adversary),
             aux_before = snapshot(*setup.networks.aux_adversary);
  StepPlan plan;
  plan.lambda_target_adv = 0.3;
  plan.lambda_target_aux_adv = 0.05;
  const auto stats = training_step(setup.networks, setup.optimizers, random_batch(5), plan, setup.settings,
                                   torch::randn({2, 3, 32, 32}));
  EXPECT_TRUE(stats.segmentor_updated);
  EXPECT_NE(stats.value("target_aux_adversarial_term"), 0.0);
  EXPECT_TRUE(unchanged(*setup.networks.adversary, before));
  EXPECT_TRUE(unchanged(*setup.networks.aux_adversary, aux_before));
  for (const auto& p : setup.networks.aux_adversary->parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(TrainingStep, MultiLevelAdaptationNeedsAnAuxiliaryHead) {
  TinyRun setup(multi_level_config());  // the multiscale segmentor has none
  try {
    training_step(setup.networks, setup.optimizers, random_batch(5), plan_step(setup.config, 0),
                  setup.settings, torch::randn({2, 3, 32, 32}));
    FAIL() << "a segmentor without an auxiliary head was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("adaptation.aux_adversary"), std::string::npos) << e.what();
  }
}

// ADVENT's MinEnt: entropy minimisation on target images with no adversary at all.
TEST(TrainingStep, EntropyMinimisationNeedsNoAdversary) {
  StepMode mode{"minent", "stanford", "image", "bce", "basic", false, false, true};
  auto config = config_of(mode);
  config.adversarial.enabled = false;
  TinyRun stepped(config), reference(config);
  EXPECT_EQ(stepped.networks.adversary, nullptr);
  const auto batch = random_batch(5);
  const auto target = unlabeled_images(mode);
  const auto plan = plan_step(config, 0);
  ASSERT_EQ(plan.lambda_entropy, 0.001);
  const auto logits = reference.networks.segmentor->forward(batch.images);
  const auto entropy = mean_entropy(reference.networks.segmentor->forward(target));
  (segmentation_cross_entropy(logits, batch.labels, 255) + 0.001 * entropy).backward();
  const auto stats =
      training_step(stepped.networks, stepped.optimizers, batch, plan, stepped.settings, target);
  EXPECT_FALSE(stats.adversary_updated);
  EXPECT_NEAR(stats.value("target_entropy"), entropy.item<double>(), 1e-6);
  expect_same_segmentor_gradients(stepped, reference);
}

TEST(PlanStep, DomainAdaptationMovesLambdaToTargetPredictions) {
  Config config;
  config.target.dataset = "shapes";
  config.adversarial.lambda = 0.002;
  config.adversarial.start_iteration = 2;
  config.adaptation.lambda_ent = 0.001;
  EXPECT_EQ(plan_step(config, 1).lambda_target_adv, 0.0);
  EXPECT_EQ(plan_step(config, 1).lambda_entropy, 0.001);  // entropy minimisation needs no adversary
  const auto plan = plan_step(config, 2);
  EXPECT_EQ(plan.lambda, 0.0);  // source predictions are real: nothing pushes them
  EXPECT_EQ(plan.lambda_target_adv, 0.002);
  config.adversarial.enabled = false;
  EXPECT_EQ(plan_step(config, 5).lambda_target_adv, 0.0);
  EXPECT_EQ(plan_step(config, 5).lambda_entropy, 0.001);
  config.target.dataset.clear();
  EXPECT_EQ(plan_step(config, 5).lambda_entropy, 0.0);
}

}  // namespace
}  // namespace advseg
