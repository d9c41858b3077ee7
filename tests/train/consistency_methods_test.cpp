// The consistency methods of the training step, against their losses built
// by hand from the same networks: the mean teacher's CutMix consistency
// (French et al. 2020) and weak-to-strong pseudo-labels (FixMatch-style);
// the teacher follows the segmentor after applied updates only.
#include <gtest/gtest.h>

#include "advseg/config/config.h"
#include "advseg/train/adversarial_step.h"
#include "advseg/train/losses.h"
#include "support/random_batch.h"
#include "support/step_checks.h"
#include "support/tiny_run.h"

namespace advseg {
namespace {

using testing::expect_same_segmentor_gradients;
using testing::random_batch;
using testing::snapshot;
using testing::TinyRun;
using testing::unchanged;

Config consistency_config(const std::string& method) {
  auto config = testing::tiny_config();
  config.adversarial.enabled = false;
  config.semi.enabled = true;
  config.semi.method = method;
  config.semi.start_iteration = 0;
  config.data.labeled_fraction = 0.5;
  return config;
}

// Two unlabelled images, a box over the top half of each and a strong view.
UnlabeledViews fixed_views() {
  torch::manual_seed(11);
  UnlabeledViews views(torch::randn({2, 3, 32, 32}));
  views.mix_mask = torch::zeros({2, 1, 32, 32});
  views.mix_mask.narrow(2, 0, 16).fill_(1);
  views.strong = views.images * 0.5 + 0.1;
  return views;
}

torch::Tensor probabilities(const torch::Tensor& logits) {
  return torch::softmax(upsample_logits(logits, 32, 32), 1);
}

// A threshold that keeps about half of the pixels.
double half_kept(const torch::Tensor& confidence) { return confidence.flatten().median().item<double>(); }

TEST(MeanTeacher, TheConsistencyTermIsTheSquaredErrorToTheMixedTeacherWhereItIsConfident) {
  const auto config = consistency_config("mean_teacher_cutmix");
  const auto batch = random_batch(5);
  const auto views = fixed_views();
  TinyRun stepped(config), reference(config);
  ASSERT_NE(stepped.networks.teacher, nullptr);
  EXPECT_FALSE(stepped.networks.teacher->is_training());
  EXPECT_TRUE(unchanged(*stepped.networks.teacher, snapshot(*stepped.networks.segmentor)))
      << "the teacher starts as the segmentor";

  const auto logits = reference.networks.segmentor->forward(batch.images);
  torch::Tensor target;
  {
    torch::NoGradGuard no_grad;
    target = cutmix(probabilities(reference.networks.teacher->forward(views.images)), views.mix_mask);
  }
  const auto confidence = std::get<0>(target.max(1));
  stepped.settings.semi.confidence = half_kept(confidence);
  const auto confident = (confidence >= stepped.settings.semi.confidence).to(torch::kFloat);
  const auto student =
      probabilities(reference.networks.segmentor->forward(cutmix(views.images, views.mix_mask)));
  const auto term = ((student - target).pow(2).sum(1) * confident).sum() / confident.numel();
  (segmentation_cross_entropy(logits, batch.labels, 255) + 0.7 * term).backward();

  StepPlan plan;
  plan.lambda_consistency = 0.7;
  const auto stats =
      training_step(stepped.networks, stepped.optimizers, batch, plan, stepped.settings, views);
  EXPECT_NEAR(stats.value("consistency"), term.item<double>(), 1e-6);
  EXPECT_NEAR(stats.value("consistency_mask_share"), confident.mean().item<double>(), 1e-6);
  EXPECT_GT(confident.mean().item<double>(), 0.2);
  EXPECT_LT(confident.mean().item<double>(), 0.8);
  expect_same_segmentor_gradients(stepped, reference);
}

TEST(MeanTeacher, TheTeacherFollowsTheSegmentorAfterAnAppliedUpdateOnly) {
  auto config = consistency_config("mean_teacher_cutmix");
  config.semi.ema_decay = 0.9;
  TinyRun run(config);
  StepPlan plan;
  plan.lambda_consistency = 1.0;
  const auto teacher_before = snapshot(*run.networks.teacher);
  const auto stats =
      training_step(run.networks, run.optimizers, random_batch(5), plan, run.settings, fixed_views());
  ASSERT_TRUE(stats.segmentor_updated);
  const auto student = run.networks.segmentor->parameters();
  const auto teacher = run.networks.teacher->parameters();
  ASSERT_EQ(teacher.size(), student.size());
  for (std::size_t i = 0; i < teacher.size(); ++i)
    EXPECT_TRUE(torch::allclose(teacher[i], 0.9 * teacher_before[i] + 0.1 * student[i], 1e-6, 1e-7)) << i;
  EXPECT_FALSE(unchanged(*run.networks.teacher, snapshot(*run.networks.segmentor)));

  auto bad = random_batch(5);
  bad.images[0][0][0][0] = std::numeric_limits<float>::quiet_NaN();
  const auto before_bad_step = snapshot(*run.networks.teacher);
  EXPECT_FALSE(training_step(run.networks, run.optimizers, bad, plan, run.settings, fixed_views()).finite);
  EXPECT_TRUE(unchanged(*run.networks.teacher, before_bad_step)) << "a skipped update moves no teacher";
}

TEST(PseudoLabel, TheStrongMixLearnsTheWeakViewsConfidentArgmax) {
  const auto config = consistency_config("pseudo_label");
  const auto batch = random_batch(5);
  const auto views = fixed_views();
  TinyRun stepped(config), reference(config);
  EXPECT_EQ(stepped.networks.teacher, nullptr);

  const auto logits = reference.networks.segmentor->forward(batch.images);
  torch::Tensor confidence, labels;
  {
    torch::NoGradGuard no_grad;
    std::tie(confidence, labels) = probabilities(reference.networks.segmentor->forward(views.images)).max(1);
  }
  const auto mixed_confidence = cutmix(confidence.unsqueeze(1), views.mix_mask).squeeze(1);
  const auto mixed_labels = cutmix(labels, views.mix_mask);
  stepped.settings.semi.confidence = half_kept(mixed_confidence);
  const auto confident = (mixed_confidence >= stepped.settings.semi.confidence).to(torch::kFloat);
  const auto strong =
      upsample_logits(reference.networks.segmentor->forward(cutmix(views.strong, views.mix_mask)), 32, 32);
  namespace F = torch::nn::functional;
  const auto per_pixel =
      F::cross_entropy(strong, mixed_labels, F::CrossEntropyFuncOptions().reduction(torch::kNone));
  const auto term = (per_pixel * confident).mean();
  (segmentation_cross_entropy(logits, batch.labels, 255) + 0.4 * term).backward();

  StepPlan plan;
  plan.lambda_pseudo = 0.4;
  const auto stats =
      training_step(stepped.networks, stepped.optimizers, batch, plan, stepped.settings, views);
  EXPECT_NEAR(stats.value("pseudo_label_cross_entropy"), term.item<double>(), 1e-6);
  EXPECT_NEAR(stats.value("pseudo_label_mask_share"), confident.mean().item<double>(), 1e-6);
  EXPECT_FALSE(stats.has("consistency"));
  expect_same_segmentor_gradients(stepped, reference);
}

TEST(PlanStep, TheConsistencyTermsWaitForSemiStartIteration) {
  auto config = consistency_config("adversarial+mean_teacher_cutmix+pseudo_label");
  config.adversarial.enabled = true;
  config.semi.start_iteration = 3;
  config.semi.lambda_consistency = 0.5;
  config.semi.lambda_pseudo = 0.25;
  EXPECT_EQ(plan_step(config, 2).lambda_consistency, 0.0);
  EXPECT_EQ(plan_step(config, 2).lambda_pseudo, 0.0);
  EXPECT_EQ(plan_step(config, 3).lambda_consistency, 0.5);
  EXPECT_EQ(plan_step(config, 3).lambda_pseudo, 0.25);
  EXPECT_GT(plan_step(config, 3).lambda_semi, 0.0);
  config.semi.method = "pseudo_label";
  EXPECT_EQ(plan_step(config, 3).lambda_consistency, 0.0);
  EXPECT_EQ(plan_step(config, 3).lambda_semi, 0.0) << "Hung et al.'s terms only with their method";
}

}  // namespace
}  // namespace advseg
