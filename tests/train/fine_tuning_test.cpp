// The fine-tuning machinery of torchvision-style segmentors: parameter groups
// (backbone and head learning rates, no weight decay on normalisation and
// biases), frozen BatchNorm, the auxiliary head's loss, and exact resume
// with all of them.
#include <gtest/gtest.h>
#include <torch/nn/modules/conv.h>

#include <ostream>
#include <set>
#include <string>

#include "advseg/config/config.h"
#include "advseg/error.h"
#include "advseg/models/backbones/backbone.h"
#include "advseg/models/from_config.h"
#include "advseg/models/norm_layers.h"
#include "advseg/models/segmentor.h"
#include "advseg/run/training_run.h"
#include "advseg/train/adversarial_step.h"
#include "advseg/train/networks.h"
#include "advseg/train/optimizers.h"
#include "support/aux_segmentor.h"
#include "support/state_dict_files.h"
#include "support/temp_dir.h"
#include "support/tiny_config.h"
#include "support/tiny_run.h"

namespace advseg {
namespace {

std::set<const void*> ids(const std::vector<torch::Tensor>& tensors) {
  std::set<const void*> set;
  for (const auto& t : tensors) set.insert(t.unsafeGetTensorImpl());
  return set;
}

TEST(ParameterGroups, BackboneLearnsAtTheRateAndTheHeadAtItsMultiple) {
  auto config = testing::tiny_config();
  config.model.head_lr_multiplier = 10;
  testing::TinyRun run(config);
  const auto groups = segmentor_parameter_groups(*run.networks.segmentor, config.model);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(ids(groups[0].parameters), ids(run.networks.segmentor->backbone_parameters()));
  EXPECT_DOUBLE_EQ(groups[1].lr_scale, 10.0);
  EXPECT_EQ(groups[0].parameters.size() + groups[1].parameters.size(),
            run.networks.segmentor->parameters().size());
  // The optimiser's groups start at the configured rate times their scale.
  const auto& optimizer_groups = run.optimizers.segmentor->param_groups();
  ASSERT_EQ(optimizer_groups.size(), 2u);
  EXPECT_DOUBLE_EQ(optimizer_groups[1].options().get_lr(), 10 * config.train.segmentor_optimizer.lr);
  set_learning_rate(*run.optimizers.segmentor, 0.5, run.optimizers.segmentor_lr_scales);
  EXPECT_DOUBLE_EQ(optimizer_groups[0].options().get_lr(), 0.5);
  EXPECT_DOUBLE_EQ(optimizer_groups[1].options().get_lr(), 5.0);
}

TEST(ParameterGroups, NormalisationAndBiasesCanSkipWeightDecay) {
  auto config = testing::tiny_config();
  config.model.no_weight_decay_on_norm_and_bias = true;
  config.train.segmentor_optimizer.weight_decay = 1e-4;
  testing::TinyRun run(config);
  const auto no_decay = ids(norm_and_bias_parameters(*run.networks.segmentor));
  // 3 BatchNorm layers (weight, bias) and the classifier's bias.
  EXPECT_EQ(no_decay.size(), 7u);
  for (const auto& group : segmentor_parameter_groups(*run.networks.segmentor, config.model))
    for (const auto& p : group.parameters)
      EXPECT_EQ(no_decay.count(p.unsafeGetTensorImpl()) == 0, group.weight_decay);
}

TEST(FreezeBn, BatchNormStaysInEvalModeAndItsParametersDoNotLearn) {
  auto config = testing::tiny_config();
  config.model.freeze_bn = true;
  config.adversarial.enabled = false;
  testing::TinyRun run(config);
  auto& segmentor = *run.networks.segmentor;
  std::vector<torch::Tensor> statistics;
  for (const auto& b : segmentor.buffers()) statistics.push_back(b.clone());
  Batch batch{torch::randn({2, 3, 32, 32}), torch::randint(0, 5, {2, 32, 32}, torch::kLong), {"a", "b"}};
  const auto stats = training_step(run.networks, run.optimizers, batch, plan_step(config, 0), run.settings);
  ASSERT_TRUE(stats.segmentor_updated);
  for (const auto& module : segmentor.modules(false)) {
    if (is_normalization_layer(*module)) {
      EXPECT_FALSE(module->is_training());
    }
  }
  const auto buffers = segmentor.buffers();
  for (std::size_t i = 0; i < buffers.size(); ++i) EXPECT_TRUE(torch::equal(buffers[i], statistics[i])) << i;
  std::size_t in_optimizer = 0;
  for (const auto& group : run.optimizers.segmentor->param_groups()) in_optimizer += group.params().size();
  // The 3 convolutions (no bias) and the classifier's weight and bias; not the 6 BatchNorm parameters.
  EXPECT_EQ(in_optimizer, 5u);
  EXPECT_EQ(segmentor.parameters().size(), 11u);
}

using testing::AuxSegmentorImpl;

TEST(AuxiliaryHead, ItsCrossEntropyJoinsTheSegmentorLossWithItsWeight) {
  auto config = testing::tiny_config();
  config.adversarial.enabled = false;
  auto step_once = [&](double aux_weight) {
    torch::manual_seed(5);
    auto segmentor = std::make_shared<AuxSegmentorImpl>();
    Networks networks;
    networks.segmentor = segmentor;
    config.model.aux_weight = aux_weight;
    Optimizers optimizers = make_optimizers(config, networks);
    auto settings = step_settings(config);
    Batch batch{torch::randn({2, 3, 8, 8}), torch::randint(0, 5, {2, 8, 8}, torch::kLong), {"a", "b"}};
    const auto before = segmentor->aux_->weight.clone();
    const auto stats = training_step(networks, optimizers, batch, plan_step(config, 0), settings);
    EXPECT_GT(stats.value("aux_cross_entropy"), 0.0);
    return !torch::equal(before, segmentor->aux_->weight);
  };
  EXPECT_TRUE(step_once(0.5));   // the aux head learns from its weighted loss
  EXPECT_FALSE(step_once(0.0));  // weight 0: measured, but it does not learn
}

std::vector<torch::Tensor> final_weights(const Config& config, const std::filesystem::path& out,
                                         int stop_at) {
  if (stop_at > 0) {
    auto first =
        make_trainer(config, out, [stop_at](const TrainingProgress& p) { return p.iteration == stop_at; });
    EXPECT_FALSE(first->run().completed);
  }
  auto trainer = make_trainer(config, out);
  if (stop_at > 0) trainer->resume_from(out / "last");
  EXPECT_TRUE(trainer->run().completed);
  std::vector<torch::Tensor> weights;
  for (const auto& p : trainer->networks().segmentor->parameters()) weights.push_back(p.detach().clone());
  return weights;
}

TEST(ParameterGroups, ResumeIsExactWithEveryGroupOnThePolySchedule) {
  testing::TempDir dir;
  auto config = testing::tiny_config();
  config.model.head_lr_multiplier = 10;
  config.model.no_weight_decay_on_norm_and_bias = true;
  config.model.freeze_bn = true;
  config.train.segmentor_optimizer.type = "sgd";
  config.train.segmentor_optimizer.weight_decay = 1e-4;
  config.train.segmentor_optimizer.schedule = "poly";
  const auto whole = final_weights(config, dir.path() / "whole", 0);
  const auto resumed = final_weights(config, dir.path() / "resumed", 4);
  ASSERT_EQ(whole.size(), resumed.size());
  for (std::size_t i = 0; i < whole.size(); ++i) EXPECT_TRUE(torch::equal(whole[i], resumed[i])) << i;
}

// model.pretrained: a whole segmentor's weights, checked tensor by tensor.
TEST(Pretrained, WholeModelWeightsLoadStrictlyOrListWhatWasLeftOut) {
  testing::TempDir dir;
  auto config = testing::tiny_config();
  const testing::TinyRun source(config, /*seed=*/7);
  save_state_dict(state_of(*source.networks.segmentor), dir.file("weights.pth"));
  config.model.pretrained = dir.file("weights.pth").string();
  testing::TinyRun target(config, /*seed=*/1);
  const auto notes = load_pretrained_weights(*target.networks.segmentor, config.model);
  ASSERT_FALSE(notes.empty());
  EXPECT_NE(notes[0].find("loaded 20 tensors"), std::string::npos) << notes[0];
  const auto expected = state_of(*source.networks.segmentor);
  for (const auto& entry : state_of(*target.networks.segmentor))
    EXPECT_TRUE(torch::equal(entry.value(), expected[entry.key()])) << entry.key();

  // A file without the classifier: an error naming it, or (not strict) a note.
  auto partial = state_of(*source.networks.segmentor);
  partial.erase("classifier.weight");
  save_state_dict(partial, dir.file("partial.pth"));
  config.model.pretrained = dir.file("partial.pth").string();
  try {
    load_pretrained_weights(*target.networks.segmentor, config.model);
    ADD_FAILURE() << "a missing tensor was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("classifier.weight"), std::string::npos) << e.what();
  }
  config.model.strict_loading = false;
  const auto lenient = load_pretrained_weights(*target.networks.segmentor, config.model);
  ASSERT_EQ(lenient.size(), 2u);
  EXPECT_NE(lenient[1].find("left as initialised: classifier.weight"), std::string::npos) << lenient[1];
}

// model.backbone_pretrained: an ImageNet classification file as torchvision
// saves it (the backbone's own names plus a classifier) fits the backbone of
// each family that takes it; the classifier is ignored, the head left new.
struct BackboneFileCase {
  std::string segmentor;
  std::string backbone;
  std::string classifier_key;  // torchvision's classification head in the file
};

void PrintTo(const BackboneFileCase& c, std::ostream* out) { *out << c.segmentor << "/" << c.backbone; }

class BackbonePretrained : public ::testing::TestWithParam<BackboneFileCase> {};

TEST_P(BackbonePretrained, AClassificationFileFillsTheBackboneAndNothingElse) {
  const auto& c = GetParam();
  torch::manual_seed(11);
  BackboneOptions backbone_options;
  backbone_options.name = c.backbone;
  auto file_weights = state_of(*make_backbone(backbone_options));
  file_weights.insert(c.classifier_key, torch::randn({10, 4}));
  testing::TempDir dir;
  save_state_dict(file_weights, dir.file("imagenet.pth"));

  auto config = testing::tiny_config();
  config.model.segmentor = c.segmentor;
  config.model.backbone = c.backbone;
  config.model.backbone_pretrained = dir.file("imagenet.pth").string();
  torch::manual_seed(1);
  const auto segmentor = make_configured_segmentor(config, torch::kCPU);
  const auto head_before = state_of(*segmentor);
  const auto notes = load_pretrained_weights(*segmentor, config.model);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("loaded " + std::to_string(file_weights.size() - 1) + " tensors"),
            std::string::npos)
      << notes[0];
  // Every file tensor is in the backbone now, under "backbone." (for
  // MobileNetV3, in place of "features."); the rest is as initialised.
  std::size_t matched = 0;
  for (const auto& entry : state_of(*segmentor)) {
    const std::string& name = entry.key();
    if (name.rfind("backbone.", 0) != 0) {
      EXPECT_TRUE(torch::equal(entry.value(), head_before[name])) << name;
      continue;
    }
    std::string file_name = name.substr(std::string("backbone.").size());
    if (!file_weights.contains(file_name)) file_name = "features." + file_name;
    ASSERT_TRUE(file_weights.contains(file_name)) << name;
    EXPECT_TRUE(torch::equal(entry.value(), file_weights[file_name])) << name;
    ++matched;
  }
  EXPECT_EQ(matched, file_weights.size() - 1);
}

INSTANTIATE_TEST_SUITE_P(
    Torchvision, BackbonePretrained,
    ::testing::Values(BackboneFileCase{"lraspp", "mobilenet_v3_large", "classifier.0.weight"},
                      BackboneFileCase{"deeplabv3", "resnet50", "fc.weight"},
                      BackboneFileCase{"fcn8s", "vgg16", "classifier.0.weight"}),
    [](const ::testing::TestParamInfo<BackboneFileCase>& param) { return param.param.segmentor; });

TEST(Pretrained, ABackboneFileOfAnotherNetworkIsAnErrorNamingIt) {
  torch::manual_seed(11);
  BackboneOptions backbone_options;
  backbone_options.name = "resnet18";
  testing::TempDir dir;
  save_state_dict(state_of(*make_backbone(backbone_options)), dir.file("resnet18.pth"));
  auto config = testing::tiny_config();
  config.model.segmentor = "deeplabv3";
  config.model.backbone = "resnet50";
  config.model.backbone_pretrained = dir.file("resnet18.pth").string();
  const auto segmentor = make_configured_segmentor(config, torch::kCPU);
  try {
    load_pretrained_weights(*segmentor, config.model);
    ADD_FAILURE() << "a resnet18 file was loaded into a resnet50";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("resnet18.pth: model.backbone_pretrained does not fit the backbone"),
              std::string::npos)
        << message;
  }
}

}  // namespace
}  // namespace advseg
