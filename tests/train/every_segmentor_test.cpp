// Every registered segmentor in the real training step: a few iterations with
// every adversary (cycling through the encodings and both losses), and the
// cross-entropy falling on a tiny fixed batch. Each family is built once, with
// its lightest backbone, on small inputs.
#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "advseg/config/config.h"
#include "advseg/models/from_config.h"
#include "advseg/models/registry.h"
#include "advseg/train/adversarial_step.h"
#include "support/tiny_run.h"
#include "support/without_onednn.h"

namespace advseg {
namespace {

constexpr int kClasses = 5;  // the shapes data of tiny_config
constexpr int kFitSteps = 8;

struct Family {
  std::string segmentor;
  std::string backbone;  // the lightest one the family takes ("" = its only one)
  int side;              // input side
  // VGG-16 without batch norm, fc6/fc7 as convolutions (256 channels here,
  // 4096 in the papers): a batch of one, one step per adversary, and no
  // oneDNN (support/without_onednn.h).
  bool vgg;
  std::string aux_loss = "auto";
  bool has_aux = false;  // with that aux_loss
  bool fit_test = true;  // false where a sibling stands for the family in the fit test
};

void PrintTo(const Family& f, std::ostream* out) { *out << f.segmentor; }

const std::vector<Family>& families() {
  static const std::vector<Family> list = {
      {"multiscale", "", 32, false},
      {"fcn32s", "", 32, true, "auto", false, false},  // fcn8s stands for the FCNs
      {"fcn16s", "", 32, true, "auto", false, false},
      {"fcn8s", "", 32, true},
      {"dilated8", "", 32, true},
      {"dilated8-context", "", 32, true, "auto", false, false},
      {"fcn_resnet", "resnet50", 32, false, "true", true},
      {"deeplabv3", "mobilenet_v3_large", 64, false},
      {"lraspp", "mobilenet_v3_large", 64, false},
      {"deeplabv2", "resnet50", 32, false},
      {"pspnet", "resnet50", 48, false, "auto", true},  // torchvision-style default: an aux head
      {"unet", "", 32, false},
  };
  return list;
}

Config family_config(const Family& family, const std::string& adversary) {
  auto config = testing::tiny_config(adversary);
  config.model.segmentor = family.segmentor;
  config.model.backbone = family.backbone;
  config.model.aux_loss = family.aux_loss;
  config.model.unet_widths = {16, 32, 64};
  config.model.fc_width = 256;  // the VGG families' fc6/fc7 (4096: 134M parameters, seconds per step)
  config.data.crop_height = config.data.crop_width = family.side;
  if (family.vgg) {
    // Adam diverges within a few steps on these from scratch; SGD does not.
    config.train.segmentor_optimizer.type = "sgd";
    config.train.segmentor_optimizer.lr = 1e-2;
    config.train.segmentor_optimizer.momentum = 0.9;
  }
  return config;
}

// Images whose colour tells the class: the left half class 1, the right half
// class 3, one square class 4, the rest 0, plus a little noise.
Batch fixed_batch(const Family& family) {
  const int side = family.side;
  const int batch_size = family.vgg ? 1 : 2;
  torch::manual_seed(5);
  auto labels = torch::zeros({batch_size, side, side}, torch::kLong);
  labels.index_put_({torch::indexing::Slice(), torch::indexing::Slice(side / 4, side * 3 / 4),
                     torch::indexing::Slice(0, side / 2)},
                    1);
  labels.index_put_({torch::indexing::Slice(), torch::indexing::Slice(side / 4, side * 3 / 4),
                     torch::indexing::Slice(side / 2, side)},
                    3);
  labels.index_put_(
      {batch_size - 1, torch::indexing::Slice(0, side / 4), torch::indexing::Slice(0, side / 4)}, 4);
  const auto colours = torch::randn({kClasses, 3});
  Batch batch;
  batch.images = colours.index({labels}).permute({0, 3, 1, 2}).contiguous() +
                 0.1 * torch::randn({batch_size, 3, side, side});
  batch.labels = labels;
  return batch;
}

class EverySegmentor : public ::testing::TestWithParam<Family> {
 protected:
  void SetUp() override {
    if (GetParam().vgg) without_onednn_.emplace();
  }
  std::optional<testing::WithoutOneDnn> without_onednn_;
};

TEST(EverySegmentorList, CoversTheRegistry) {
  std::set<std::string> listed;
  for (const auto& family : families()) listed.insert(family.segmentor);
  const auto registered = segmentor_names();
  EXPECT_EQ(listed, std::set<std::string>(registered.begin(), registered.end()));
}

TEST_P(EverySegmentor, TrainsWithEveryAdversary) {
  const std::vector<std::string> encodings = {"basic", "product", "scaling"};
  const std::vector<std::string> losses = {"flipped", "original"};
  testing::TinyRun run(family_config(GetParam(), "stanford"));
  const Batch batch = fixed_batch(GetParam());
  const auto adversaries = adversary_names();
  for (std::size_t i = 0; i < adversaries.size(); ++i) {
    SCOPED_TRACE(adversaries[i]);
    // One segmentor, trained on by each adversary in turn.
    auto config = family_config(GetParam(), adversaries[i]);
    config.adversarial.encoding = encodings[i % encodings.size()];
    config.adversarial.loss = losses[i % losses.size()];
    run.networks.adversary = make_configured_adversary(config, torch::kCPU);
    run.optimizers = make_optimizers(config, run.networks);
    const StepSettings settings = step_settings(config);
    for (int step = 0; step < (GetParam().vgg ? 1 : 2); ++step) {
      const StepStats stats = training_step(run.networks, run.optimizers, batch, {true, true, 0.1}, settings);
      ASSERT_TRUE(stats.finite) << config.adversarial.encoding << ", step " << step + 1;
      EXPECT_TRUE(stats.segmentor_updated && stats.adversary_updated);
      EXPECT_GT(stats.value("adversary_loss"), 0.0);
      EXPECT_NE(stats.value("adversarial_term"), 0.0);
      EXPECT_EQ(stats.has("aux_cross_entropy"), GetParam().has_aux);
    }
  }
}

TEST_P(EverySegmentor, CrossEntropyFallsOnATinyFixedBatch) {
  if (!GetParam().fit_test) GTEST_SKIP() << "a sibling of the same family has this test";
  auto config = family_config(GetParam(), "largefov-light");
  testing::TinyRun run(config);
  const Batch batch = fixed_batch(GetParam());
  std::vector<double> losses;
  for (int step = 0; step < kFitSteps; ++step) {
    const StepStats stats =
        training_step(run.networks, run.optimizers, batch, {true, true, 0.1}, run.settings);
    ASSERT_TRUE(stats.finite) << "step " << step + 1;
    losses.push_back(stats.value("cross_entropy"));
  }
  std::string trace;
  for (double loss : losses) trace += std::to_string(loss) + " ";
  if (GetParam().vgg) {
    // From scratch these deep nets without batch norm learn slowly (they are
    // meant to be fine-tuned): eight SGD steps lower the loss at every step.
    for (std::size_t i = 1; i < losses.size(); ++i) EXPECT_LT(losses[i], losses[i - 1]) << trace;
    EXPECT_LT(losses.back(), 0.99 * losses.front()) << trace;
  } else {
    EXPECT_LT(losses.back(), 0.8 * losses.front()) << trace;
  }
}

INSTANTIATE_TEST_SUITE_P(Zoo, EverySegmentor, ::testing::ValuesIn(families()),
                         [](const ::testing::TestParamInfo<Family>& param) {
                           std::string name = param.param.segmentor;
                           for (auto& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

}  // namespace
}  // namespace advseg
