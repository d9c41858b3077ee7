// The torchvision segmentors (fcn_resnet, deeplabv3, lraspp) in the training
// step: one step updating both networks, with the largefov-light adversary,
// stays finite and changes both.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "advseg/config/config.h"
#include "advseg/train/adversarial_step.h"
#include "support/tiny_run.h"

namespace advseg {
namespace {

constexpr int kClasses = 5;  // the shapes data of tiny_config
constexpr int kSide = 64;

// Every parameter in one vector, a copy.
torch::Tensor flat(const torch::nn::Module& module) {
  std::vector<torch::Tensor> parameters;
  for (const auto& p : module.parameters()) parameters.push_back(p.detach().reshape(-1));
  return torch::cat(parameters);
}

struct StepCase {
  std::string segmentor;
  std::string backbone;
  std::string aux_loss;
};

void PrintTo(const StepCase& c, std::ostream* out) { *out << c.segmentor << "/" << c.backbone; }

class TorchvisionSegmentorStep : public ::testing::TestWithParam<StepCase> {};

TEST_P(TorchvisionSegmentorStep, UpdatesBothNetworksWithFiniteLosses) {
  auto config = testing::tiny_config("largefov-light");
  config.model.segmentor = GetParam().segmentor;
  config.model.backbone = GetParam().backbone;
  config.model.aux_loss = GetParam().aux_loss;
  testing::TinyRun run(config);
  torch::manual_seed(3);
  Batch batch;
  batch.images = torch::randn({2, 3, kSide, kSide});
  batch.labels = torch::randint(0, kClasses, {2, kSide, kSide}, torch::kLong);
  const auto segmentor_before = flat(*run.networks.segmentor);
  const auto adversary_before = flat(*run.networks.adversary);

  const StepStats stats =
      training_step(run.networks, run.optimizers, batch, StepPlan{true, true, 1.0}, run.settings);
  EXPECT_TRUE(stats.finite);
  EXPECT_TRUE(stats.segmentor_updated);
  EXPECT_TRUE(stats.adversary_updated);
  EXPECT_FALSE(torch::equal(flat(*run.networks.segmentor), segmentor_before));
  EXPECT_FALSE(torch::equal(flat(*run.networks.adversary), adversary_before));
  if (GetParam().aux_loss == "true") {
    EXPECT_GT(stats.aux_cross_entropy, 0.0);
  }
}

INSTANTIATE_TEST_SUITE_P(Zoo, TorchvisionSegmentorStep,
                         ::testing::Values(StepCase{"fcn_resnet", "", "true"},
                                           StepCase{"deeplabv3", "mobilenet_v3_large", "false"},
                                           StepCase{"lraspp", "", "auto"}),
                         [](const ::testing::TestParamInfo<StepCase>& param) {
                           return param.param.segmentor;
                         });

}  // namespace
}  // namespace advseg
