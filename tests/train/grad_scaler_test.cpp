// fp16 training's loss scaling: gradients come back divided by the scale, an
// overflow skips the step and halves the scale without counting as a
// diverged step, clean steps grow it again, its state survives a
// checkpoint, and a whole fp16 step tracks the fp32 step.
#include "advseg/train/grad_scaler.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "advseg/train/adversarial_step.h"
#include "support/tiny_run.h"

namespace advseg {
namespace {

// One parameter whose gradient after backward() of scaler.scale(sum(p * g))
// is scale * g.
struct OneParameter {
  torch::Tensor p = torch::ones({3}, torch::requires_grad());
  torch::optim::SGD optimizer{std::vector<torch::Tensor>{p}, torch::optim::SGDOptions(1.0)};

  void backward(GradScaler& scaler, const torch::Tensor& g) {
    optimizer.zero_grad();
    scaler.scale((p * g).sum()).backward();
  }
};

GradScaler::Options small_interval() {
  GradScaler::Options options;
  options.init_scale = 1024;
  options.growth_interval = 3;
  return options;
}

}  // namespace

TEST(GradScaler, UnscalesGradientsBackToTheLossOwn) {
  GradScaler scaler(torch::kCPU, small_interval());
  OneParameter one;
  one.backward(scaler, torch::tensor({1.0f, -2.0f, 0.5f}));
  EXPECT_TRUE(torch::allclose(one.p.grad(), torch::tensor({1024.0f, -2048.0f, 512.0f})));
  EXPECT_TRUE(scaler.unscale(one.optimizer));
  EXPECT_TRUE(torch::allclose(one.p.grad(), torch::tensor({1.0f, -2.0f, 0.5f})));
}

TEST(GradScaler, AnOverflowHalvesTheScaleAndCleanStepsGrowItBack) {
  GradScaler scaler(torch::kCPU, small_interval());
  OneParameter one;
  one.backward(scaler, torch::tensor({1.0f, std::numeric_limits<float>::infinity(), 0.0f}));
  EXPECT_FALSE(scaler.unscale(one.optimizer));
  scaler.update();
  EXPECT_EQ(scaler.current_scale(), 512);
  for (int step = 0; step < 2; ++step) {
    one.backward(scaler, torch::ones({3}));
    EXPECT_TRUE(scaler.unscale(one.optimizer));
    scaler.update();
    EXPECT_EQ(scaler.current_scale(), 512) << "after " << step + 1 << " clean steps of 3";
  }
  one.backward(scaler, torch::ones({3}));
  EXPECT_TRUE(scaler.unscale(one.optimizer));
  scaler.update();
  EXPECT_EQ(scaler.current_scale(), 1024);
}

TEST(GradScaler, ItsStateSurvivesSavingAndLoading) {
  GradScaler scaler(torch::kCPU, small_interval());
  OneParameter one;
  one.backward(scaler, torch::full({3}, std::numeric_limits<float>::quiet_NaN()));
  scaler.unscale(one.optimizer);
  scaler.update();  // 512
  one.backward(scaler, torch::ones({3}));
  scaler.unscale(one.optimizer);
  scaler.update();  // one clean step of 3
  std::stringstream bytes;
  torch::serialize::OutputArchive out;
  scaler.save(out);
  out.save_to(bytes);

  GradScaler loaded(torch::kCPU, small_interval());
  torch::serialize::InputArchive in;
  in.load_from(bytes);
  loaded.load(in);
  EXPECT_EQ(loaded.current_scale(), 512);
  for (int step = 0; step < 2; ++step) {  // two more clean steps complete the interval
    one.backward(loaded, torch::ones({3}));
    loaded.unscale(one.optimizer);
    loaded.update();
  }
  EXPECT_EQ(loaded.current_scale(), 1024);
}

// Whole steps: fp16 (autocast + scaler) tracks fp32 and keeps fp32 weights;
// a scale so large that the gradients overflow skips the update without
// calling the step non-finite, and the next step has half the scale.
TEST(GradScaler, AnFp16StepTracksTheFp32StepAndAnOverflowIsNotADivergence) {
  torch::manual_seed(5);
  Batch batch;
  batch.images = torch::randn({4, 3, 32, 32});
  batch.labels = torch::randint(0, 5, {4, 32, 32}, torch::kLong);
  const StepPlan plan{true, true, 0.5};

  testing::TinyRun fp32;
  auto fp16_config = testing::tiny_config();
  fp16_config.train.precision = "fp16";
  testing::TinyRun fp16(fp16_config);
  ASSERT_TRUE(fp16.optimizers.scaler) << "fp16 makes a scaler";
  ASSERT_FALSE(fp32.optimizers.scaler);
  EXPECT_EQ(fp16.settings.precision.compute, c10::kHalf);
  const StepStats expected = training_step(fp32.networks, fp32.optimizers, batch, plan, fp32.settings);
  const StepStats actual = training_step(fp16.networks, fp16.optimizers, batch, plan, fp16.settings);
  ASSERT_TRUE(actual.segmentor_updated && actual.adversary_updated);
  EXPECT_NEAR(actual.value("cross_entropy"), expected.value("cross_entropy"),
              0.01 * expected.value("cross_entropy"));
  EXPECT_NEAR(actual.value("adversary_loss"), expected.value("adversary_loss"),
              0.01 * expected.value("adversary_loss"));
  for (const auto& p : fp16.networks.segmentor->parameters()) EXPECT_EQ(p.scalar_type(), torch::kFloat);

  testing::TinyRun overflowing(fp16_config);
  GradScaler::Options huge;
  huge.init_scale = 3e38;  // any gradient above ~1 overflows fp32 once scaled
  overflowing.optimizers.scaler = std::make_unique<GradScaler>(torch::kCPU, huge);
  const auto before = overflowing.networks.segmentor->parameters().front().clone();
  const StepStats skipped =
      training_step(overflowing.networks, overflowing.optimizers, batch, plan, overflowing.settings);
  EXPECT_FALSE(skipped.segmentor_updated);
  EXPECT_TRUE(skipped.finite) << "an overflow is the scaler's business, not a diverged step";
  EXPECT_FALSE(skipped.segmentor_failed);
  EXPECT_TRUE(torch::equal(before, overflowing.networks.segmentor->parameters().front()));
  EXPECT_FLOAT_EQ(overflowing.optimizers.scaler->current_scale(), 1.5e38);
}

}  // namespace advseg
