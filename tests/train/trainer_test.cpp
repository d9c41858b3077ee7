// Whole training runs on tiny shapes data: they learn, they log, and a run
// stopped and resumed from its checkpoint ends with exactly the weights of a
// run that was never interrupted.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "advseg/run/training_run.h"
#include "support/temp_dir.h"
#include "support/tiny_config.h"

namespace advseg {
namespace {
namespace fs = std::filesystem;

std::vector<torch::Tensor> weights(const Trainer& trainer) {
  std::vector<torch::Tensor> all;
  for (const auto& p : trainer.networks().segmentor->parameters()) all.push_back(p.detach().clone());
  for (const auto& b : trainer.networks().segmentor->buffers()) all.push_back(b.detach().clone());
  if (const auto& teacher = trainer.networks().teacher) {
    for (const auto& p : teacher->parameters()) all.push_back(p.detach().clone());
    for (const auto& b : teacher->buffers()) all.push_back(b.detach().clone());
  }
  for (const auto& adversary : {trainer.networks().adversary, trainer.networks().aux_adversary}) {
    if (!adversary) continue;
    for (const auto& p : adversary->parameters()) all.push_back(p.detach().clone());
    for (const auto& b : adversary->buffers()) all.push_back(b.detach().clone());
  }
  return all;
}

void expect_equal(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "tensor " << i;
}

std::vector<torch::Tensor> uninterrupted_run(const Config& config, const fs::path& out) {
  auto trainer = make_trainer(config, out);
  EXPECT_TRUE(trainer->run().completed);
  return weights(*trainer);
}

// Stops after `stop_at` iterations, then resumes in a new Trainer.
std::vector<torch::Tensor> interrupted_run(const Config& config, const fs::path& out, std::int64_t stop_at) {
  {
    auto first =
        make_trainer(config, out, [stop_at](const TrainingProgress& p) { return p.iteration == stop_at; });
    auto outcome = first->run();
    EXPECT_FALSE(outcome.completed);
    EXPECT_EQ(outcome.progress.iteration, stop_at);
  }
  auto second = make_trainer(config, out);
  second->resume_from(out / "last");
  EXPECT_TRUE(second->run().completed);
  return weights(*second);
}

// Semi-supervised: two loaders, the unlabelled one through epochs of its own
// (8 labelled images make 2 batches an epoch, 12 unlabelled ones 3), so a
// resume must restore both positions.
Config semi_supervised_config() {
  auto config = testing::tiny_config("fcd");
  config.data.shapes_train_size = 20;
  config.data.labeled_fraction = 0.4;
  config.adversarial.reduction = "pixel";
  config.semi.enabled = true;
  config.semi.start_iteration = 2;
  config.adversarial.spectral_norm = true;  // its power-iteration state must resume too
  config.train.epochs = 3;
  return config;
}

TEST(Trainer, SemiSupervisedRunResumesExactlyWithBothLoaders) {
  testing::TempDir dir;
  const auto config = semi_supervised_config();
  auto reference = uninterrupted_run(config, dir.path() / "whole");
  // Mid labelled epoch and mid unlabelled epoch; then at an unlabelled epoch's end.
  expect_equal(interrupted_run(config, dir.path() / "mid", 1), reference);
  expect_equal(interrupted_run(config, dir.path() / "unlabelled_epoch_end", 3), reference);
}

TEST(Trainer, SemiSupervisedLogNamesTheUnlabelledTerms) {
  testing::TempDir dir;
  const auto config = semi_supervised_config();
  uninterrupted_run(config, dir.path() / "run");
  std::ifstream log(dir.path() / "run" / "log.jsonl");
  int train_entries = 0, self_training_entries = 0;
  for (std::string line; std::getline(log, line);) {
    const auto entry = nlohmann::json::parse(line);
    if (entry.value("type", "") != "train") continue;
    ++train_entries;
    ASSERT_TRUE(entry.contains("semi_adversarial_term")) << line;
    const double share = entry.at("semi_mask_share").get<double>();
    EXPECT_GE(share, 0.0);
    EXPECT_LE(share, 1.0);
    // Self-training from iteration 3 on (semi.start_iteration 2 counts from 0).
    if (entry.at("iteration").get<int>() >= 3) {
      EXPECT_TRUE(entry.at("semi_cross_entropy").is_number()) << line;
      ++self_training_entries;
    } else {
      EXPECT_FALSE(entry.contains("semi_cross_entropy")) << line;
    }
  }
  EXPECT_EQ(train_entries, 6);
  EXPECT_EQ(self_training_entries, 4);
}

// Every semi-supervised method at once: the mean teacher is part of the
// checkpoint and the views' draws follow the unlabelled batch count, so a
// resumed run ends with the same weights, teacher included.
TEST(Trainer, ConsistencyMethodsResumeExactlyAndLogTheirTerms) {
  testing::TempDir dir;
  auto config = semi_supervised_config();
  config.semi.method = "adversarial+mean_teacher_cutmix+pseudo_label";
  config.semi.confidence = 0.2;  // five classes, barely trained: keep some pixels
  auto reference = uninterrupted_run(config, dir.path() / "whole");
  expect_equal(interrupted_run(config, dir.path() / "mid", 1), reference);
  expect_equal(interrupted_run(config, dir.path() / "unlabelled_epoch_end", 3), reference);
  EXPECT_TRUE(fs::exists(dir.path() / "whole" / "last" / "teacher.pt"));
  std::ifstream log(dir.path() / "whole" / "log.jsonl");
  int with_terms = 0;
  for (std::string line; std::getline(log, line);) {
    const auto entry = nlohmann::json::parse(line);
    if (entry.value("type", "") != "train" || entry.at("iteration").get<int>() < 3) continue;
    EXPECT_TRUE(entry.at("consistency").is_number()) << line;
    EXPECT_TRUE(entry.at("pseudo_label_cross_entropy").is_number()) << line;
    EXPECT_GT(entry.at("pseudo_label_mask_share").get<double>(), 0.0) << line;
    ++with_terms;
  }
  EXPECT_EQ(with_terms, 4);
}

// train.iterations: 12 images make 3 batches an epoch, so 5 iterations end
// part way through the second epoch, which still validates; a run resumed in
// that epoch stops at the same step with the same weights.
TEST(Trainer, IterationsSetTheRunsLengthAndItsLastEpochStopsPartWay) {
  testing::TempDir dir;
  auto config = testing::tiny_config();
  config.train.epochs = 7;  // ignored
  config.train.iterations = 5;
  auto trainer = make_trainer(config, dir.path() / "whole");
  const auto outcome = trainer->run();
  EXPECT_TRUE(outcome.completed);
  EXPECT_EQ(outcome.progress.iteration, 5);
  EXPECT_EQ(outcome.progress.epoch, 2);
  const auto reference = weights(*trainer);
  expect_equal(interrupted_run(config, dir.path() / "resumed", 4), reference);
  std::ifstream log(dir.path() / "whole" / "log.jsonl");
  int validations = 0;
  for (std::string line; std::getline(log, line);)
    if (nlohmann::json::parse(line).value("type", "") == "val") ++validations;
  EXPECT_EQ(validations, 2);
}

// Domain adaptation: 12 source images (3 batches an epoch) and 8 target
// images (2), validated on the target's 3 val images.
Config adaptation_config() {
  auto config = testing::tiny_config("fcd");
  config.adversarial.reduction = "pixel";
  config.adversarial.encoding = "entropy";
  config.data.shapes_domain = "source";
  config.target = config.data;
  config.target.shapes_domain = "target";
  config.target.shapes_train_size = 8;
  config.target.shapes_val_size = 3;
  config.adaptation.lambda_ent = 0.001;
  return config;
}

TEST(Trainer, DomainAdaptationResumesExactlyValidatesOnTheTargetAndLogsItsTerms) {
  testing::TempDir dir;
  const auto config = adaptation_config();
  EXPECT_EQ(make_validator(config)->size(), 3u);
  auto reference = uninterrupted_run(config, dir.path() / "whole");
  expect_equal(interrupted_run(config, dir.path() / "mid", 1), reference);
  std::ifstream log(dir.path() / "whole" / "log.jsonl");
  int train_entries = 0;
  for (std::string line; std::getline(log, line);) {
    const auto entry = nlohmann::json::parse(line);
    if (entry.value("type", "") != "train") continue;
    ++train_entries;
    EXPECT_TRUE(entry.at("target_adversarial_term").is_number()) << line;
    const double entropy = entry.at("target_entropy").get<double>();
    EXPECT_GT(entropy, 0.0);
    EXPECT_LE(entropy, 1.0);
    EXPECT_FALSE(entry.contains("semi_adversarial_term")) << line;
  }
  EXPECT_EQ(train_entries, 6);
}

// Multi-level adaptation: the second adversary and its optimiser are in the checkpoint.
TEST(Trainer, MultiLevelAdaptationResumesExactly) {
  testing::TempDir dir;
  auto config = adaptation_config();
  config.model.segmentor = "deeplabv3";
  config.model.backbone = "mobilenet_v3_large";
  config.model.aux_loss = "true";
  config.adaptation.aux_adversary = true;
  config.train.epochs = 1;
  auto reference = uninterrupted_run(config, dir.path() / "whole");
  EXPECT_TRUE(fs::exists(dir.path() / "whole" / "last" / "aux_adversary.pt"));
  expect_equal(interrupted_run(config, dir.path() / "mid", 1), reference);
}

TEST(Trainer, ResumedRunEndsWithTheWeightsOfAnUninterruptedRun) {
  testing::TempDir dir;
  auto config = testing::tiny_config();
  config.train.segmentor_optimizer.schedule = "poly";
  config.adversarial.d_steps = 2;  // rounds of two iterations, to resume mid-round
  auto reference = uninterrupted_run(config, dir.path() / "whole");
  // Mid-epoch (3 batches per epoch) and at an epoch boundary.
  expect_equal(interrupted_run(config, dir.path() / "mid_epoch", 4), reference);
  expect_equal(interrupted_run(config, dir.path() / "epoch_end", 3), reference);
}

// Ctrl-C during a validation abandons it (validation may take minutes); the
// checkpoint marks it pending, and the resumed run validates that epoch
// first, so the log and the final weights are those of an uninterrupted run.
TEST(Trainer, Item20InterruptedValidationIsDoneFirstOnResume) {
  testing::TempDir dir;
  auto config = testing::tiny_config();
  const auto reference = uninterrupted_run(config, dir.path() / "whole");
  const auto out = dir.path() / "interrupted";
  {
    // Asked after each of the 3 iterations of epoch 1, then between validation images.
    int calls = 0;
    auto first = make_trainer(config, out, [&calls](const TrainingProgress&) { return ++calls == 4; });
    auto outcome = first->run();
    EXPECT_FALSE(outcome.completed);
    EXPECT_FALSE(outcome.validation);
  }
  std::ifstream state(out / "last" / "state.json");
  const auto saved = nlohmann::json::parse(state);
  EXPECT_TRUE(saved["validation_pending"].get<bool>());
  EXPECT_EQ(saved["epoch"], 1);
  auto second = make_trainer(config, out);
  second->resume_from(out / "last");
  EXPECT_TRUE(second->run().completed);
  expect_equal(weights(*second), reference);
  std::ifstream log(out / "log.jsonl");
  std::vector<int> validated_epochs;
  for (std::string line; std::getline(log, line);) {
    auto entry = nlohmann::json::parse(line);
    if (entry["type"] == "val") validated_epochs.push_back(entry["epoch"].get<int>());
  }
  EXPECT_EQ(validated_epochs, (std::vector<int>{1, 2}));
}

TEST(Trainer, WritesLogCheckpointsAndValidationMetrics) {
  testing::TempDir dir;
  auto config = testing::tiny_config();
  auto trainer = make_trainer(config, dir.path());
  auto outcome = trainer->run();
  EXPECT_TRUE(outcome.completed);
  EXPECT_EQ(outcome.progress.iteration, 6);  // 2 epochs of 12 images in batches of 4
  ASSERT_TRUE(outcome.validation);
  EXPECT_GT(outcome.validation->metrics["pixels"].get<std::int64_t>(), 0);
  EXPECT_TRUE(fs::exists(dir.path() / "last" / "segmentor.pt"));
  EXPECT_TRUE(fs::exists(dir.path() / "best" / "adversary.pt"));

  std::ifstream log(dir.path() / "log.jsonl");
  int train_lines = 0, val_lines = 0;
  for (std::string line; std::getline(log, line);) {
    auto entry = nlohmann::json::parse(line);
    if (entry["type"] == "train") {
      ++train_lines;
      EXPECT_TRUE(entry.contains("adversary_accuracy_real"));
      EXPECT_GT(entry["images_per_s"].get<double>(), 0.0);
    } else {
      ++val_lines;
      EXPECT_TRUE(entry["metrics"].contains("mean_iou"));
    }
  }
  EXPECT_EQ(train_lines, 6);  // log_every = 1
  EXPECT_EQ(val_lines, 2);    // val_every = 1
}

TEST(Trainer, LearnsTheShapesBetterThanChance) {
  testing::TempDir dir;
  auto config = testing::tiny_config();
  config.adversarial.enabled = false;
  config.data.shapes_train_size = 64;
  config.data.shapes_val_size = 16;
  config.train.epochs = 6;
  config.train.batch_size = 8;
  config.train.log_every = 100;
  auto trainer = make_trainer(config, dir.path());
  auto outcome = trainer->run();
  // Predicting background everywhere scores about 1/5 mean class accuracy.
  ASSERT_TRUE(outcome.validation);
  EXPECT_GT(outcome.validation->metrics["pixel_accuracy"].get<double>(), 0.6);
  EXPECT_GT(outcome.validation->metrics["mean_class_accuracy"].get<double>(), 0.25);
}

}  // namespace
}  // namespace advseg
