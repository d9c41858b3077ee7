// The training step must keep the two networks apart: the segmentor's update
// leaves the adversary alone and vice versa, and the adversary never sends
// gradients into the segmentor through the predicted map.
#include "advseg/train/adversarial_step.h"

#include <gtest/gtest.h>

#include "advseg/config/config.h"
#include "advseg/inference/prediction.h"
#include "advseg/train/networks.h"
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
  auto term = segmentor_adversarial_term(reference.networks.adversary->forward(batch.images, fake),
                                         reference.settings.loss);
  auto loss = segmentation_cross_entropy(logits, batch.labels, 255) + 0.5 * term;
  loss.backward();

  auto stepped_parameters = stepped.networks.segmentor->parameters();
  auto reference_parameters = reference.networks.segmentor->parameters();
  ASSERT_EQ(stepped_parameters.size(), reference_parameters.size());
  for (std::size_t i = 0; i < stepped_parameters.size(); ++i)
    EXPECT_TRUE(torch::allclose(stepped_parameters[i].grad(), reference_parameters[i].grad(), 1e-5, 1e-7))
        << i;
}

TEST(TrainingStep, StandardBaselineUsesTheSamePathWithoutAdversary) {
  auto config = testing::tiny_config();
  config.adversarial.enabled = false;
  TinyRun setup(config);
  EXPECT_EQ(setup.networks.adversary, nullptr);
  auto plan = plan_step(config.adversarial, 0);
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
  AdversarialConfig config;
  config.d_steps = 2;
  config.s_steps = 1;
  config.lambda = 0.3;
  config.start_iteration = 2;
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
  AdversarialConfig config;
  config.enabled = false;
  for (int it = 0; it < 3; ++it) {
    auto plan = plan_step(config, it);
    EXPECT_TRUE(plan.update_segmentor);
    EXPECT_FALSE(plan.update_adversary);
    EXPECT_EQ(plan.lambda, 0.0);
  }
}

}  // namespace
}  // namespace advseg
