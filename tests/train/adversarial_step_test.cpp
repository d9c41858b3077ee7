// The training step must keep the two networks apart: the segmentor's update
// leaves the adversary alone and vice versa, and the adversary never sends
// gradients into the segmentor through the predicted map.
#include "advseg/train/adversarial_step.h"

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <tuple>

#include "advseg/config/config.h"
#include "advseg/error.h"
#include "advseg/inference/prediction.h"
#include "advseg/train/networks.h"
#include "support/aux_segmentor.h"
#include "support/random_batch.h"
#include "support/tiny_run.h"

namespace advseg {
namespace {

std::vector<torch::Tensor> snapshot(const torch::nn::Module& module) {
  std::vector<torch::Tensor> copies;
  for (const auto& p : module.parameters()) copies.push_back(p.detach().clone());
  return copies;
}

bool unchanged(const torch::nn::Module& module, const std::vector<torch::Tensor>& before) {
  auto now = module.parameters();
  for (std::size_t i = 0; i < now.size(); ++i)
    if (!torch::equal(now[i], before[i])) return false;
  return true;
}

using testing::random_batch;
using testing::TinyRun;

// The segmentor of `stepped` got, parameter by parameter, the gradients of `reference`.
void expect_same_segmentor_gradients(const TinyRun& stepped, const TinyRun& reference) {
  auto stepped_parameters = stepped.networks.segmentor->parameters();
  auto reference_parameters = reference.networks.segmentor->parameters();
  ASSERT_EQ(stepped_parameters.size(), reference_parameters.size());
  for (std::size_t i = 0; i < stepped_parameters.size(); ++i)
    EXPECT_TRUE(torch::allclose(stepped_parameters[i].grad(), reference_parameters[i].grad(), 1e-5, 1e-7))
        << i;
}

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
  EXPECT_NE(stats.adversarial_term, 0.0);
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

std::ostream& operator<<(std::ostream& out, const StepMode& mode) { return out << mode.name; }

Config config_of(const StepMode& mode) {
  auto config = testing::tiny_config(mode.adversary);
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

torch::Tensor unlabeled_images(const StepMode& mode) {
  return mode.semi || mode.adapt ? torch::randn({2, 3, 32, 32}) : torch::Tensor();
}

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
  EXPECT_EQ(stats.adversarial_term != 0.0, !GetParam().adapt);
  EXPECT_EQ(stats.target_adversarial_term != 0.0, GetParam().adapt);
  EXPECT_EQ(stats.used_target, GetParam().adapt);
  EXPECT_EQ(stats.used_unlabeled, GetParam().semi);
  EXPECT_EQ(stats.self_trained, GetParam().semi);
}

TEST_P(EveryStepMode, AdversaryUpdateChangesNoSegmentorWeight) {
  TinyRun setup(config_of(GetParam()));
  auto adversary_before = snapshot(*setup.networks.adversary);
  auto segmentor_before = snapshot(*setup.networks.segmentor);
  auto stats =
      training_step(setup.networks, setup.optimizers, random_batch(5), StepPlan{false, true, 1.0, 1.0, 1.0},
                    setup.settings, unlabeled_images(GetParam()));
  EXPECT_TRUE(stats.adversary_updated);
  EXPECT_GT(stats.adversary_loss, 0.0);
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

// The fcd adversary of `run`, its weights frozen, as a function of logits:
// its score maps of their softmax at the image's 32x32 (as the step feeds it).
std::function<torch::Tensor(const torch::Tensor&)> frozen_fcd_scores(TinyRun& run) {
  auto& adversary = *run.networks.adversary;
  for (auto& p : adversary.parameters()) p.requires_grad_(false);
  return [&adversary](const torch::Tensor& logits) {
    return adversary.score_map({}, torch::softmax(upsample_logits(logits, 32, 32), 1));
  };
}

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
  EXPECT_NEAR(stats.semi_cross_entropy, self_training.item<double>(), 1e-5);
  EXPECT_NEAR(stats.semi_mask_share, 0.5, 1e-6);
  EXPECT_TRUE(torch::equal(std::get<0>((pseudo_labels != 255).sum({1, 2}).sort()),
                           torch::tensor({0, 32 * 32}, torch::kLong)));
  expect_same_segmentor_gradients(stepped, reference);
}

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
  EXPECT_TRUE(stats.used_target);
  EXPECT_NEAR(stats.target_adversarial_term, term.item<double>(), 1e-5);
  EXPECT_NEAR(stats.target_entropy, entropy.item<double>(), 1e-6);
  EXPECT_EQ(stats.adversarial_term, 0.0);
  EXPECT_NEAR(stats.adversary_loss, adversary_loss_by_hand.item<double>(), 1e-5);
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
  EXPECT_NEAR(stats.target_aux_adversarial_term, aux_term.item<double>(), 1e-5);
  EXPECT_TRUE(stats.aux_adversary_updated);
  EXPECT_NEAR(stats.aux_adversary_loss, aux_loss_by_hand.item<double>(), 1e-5);
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
  EXPECT_NE(stats.target_aux_adversarial_term, 0.0);
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
  EXPECT_NEAR(stats.target_entropy, entropy.item<double>(), 1e-6);
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

TEST(TrainingStep, StandardBaselineUsesTheSamePathWithoutAdversary) {
  auto config = testing::tiny_config();
  config.adversarial.enabled = false;
  TinyRun setup(config);
  EXPECT_EQ(setup.networks.adversary, nullptr);
  auto plan = plan_step(config, 0);
  EXPECT_FALSE(plan.update_adversary);
  auto stats = training_step(setup.networks, setup.optimizers, random_batch(5), plan, setup.settings);
  EXPECT_TRUE(stats.segmentor_updated);
  EXPECT_GT(stats.cross_entropy, 0.0);
  EXPECT_EQ(stats.adversarial_term, 0.0);
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
