#include "advseg/train/checkpoint.h"

#include <gtest/gtest.h>

#include <fstream>

#include "advseg/config/config.h"
#include "advseg/error.h"
#include "support/temp_dir.h"
#include "support/tiny_run.h"

namespace advseg {
namespace {
namespace fs = std::filesystem;

using testing::TinyRun;

// One optimiser step on each network, so the optimisers have state to save.
void take_a_step(TinyRun& run) {
  run.optimizers.segmentor->zero_grad();
  run.optimizers.adversary->zero_grad();
  for (auto* network : {static_cast<torch::nn::Module*>(run.networks.segmentor.get()),
                        static_cast<torch::nn::Module*>(run.networks.adversary.get())}) {
    torch::Tensor sum = torch::zeros({});
    for (const auto& p : network->parameters()) sum = sum + p.sum();
    sum.backward();
  }
  run.optimizers.segmentor->step();
  run.optimizers.adversary->step();
}

void expect_same_parameters(const torch::nn::Module& a, const torch::nn::Module& b) {
  auto pa = a.named_parameters();
  auto pb = b.named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (const auto& item : pa) EXPECT_TRUE(torch::equal(item.value(), pb[item.key()])) << item.key();
  auto ba = a.named_buffers();
  auto bb = b.named_buffers();
  for (const auto& item : ba) EXPECT_TRUE(torch::equal(item.value(), bb[item.key()])) << item.key();
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Checkpoint, RoundTripsNetworksOptimizersProgressAndConfig) {
  testing::TempDir out;
  auto config = testing::tiny_config();
  config.adversarial.lambda = 0.25;
  TinyRun saved(config, 1);
  take_a_step(saved);
  TrainingProgress progress{17, 2, 5, 0.5, 1};
  save_checkpoint(out.path(), "last", saved.networks, saved.optimizers, progress, config);

  auto loaded_config = load_checkpoint_config(out.path() / "last");
  EXPECT_EQ(loaded_config.adversarial.lambda, 0.25);
  TinyRun loaded(loaded_config, 2);  // different initial weights
  auto loaded_progress = load_checkpoint(out.path() / "last", loaded.networks, loaded.optimizers);
  EXPECT_EQ(loaded_progress.iteration, 17);
  EXPECT_EQ(loaded_progress.epoch, 2);
  EXPECT_EQ(loaded_progress.batch_in_epoch, 5);
  EXPECT_EQ(loaded_progress.best_mean_iou, 0.5);
  expect_same_parameters(*saved.networks.segmentor, *loaded.networks.segmentor);
  expect_same_parameters(*saved.networks.adversary, *loaded.networks.adversary);

  // Equal optimiser state means equal next steps.
  take_a_step(saved);
  take_a_step(loaded);
  expect_same_parameters(*saved.networks.segmentor, *loaded.networks.segmentor);
  expect_same_parameters(*saved.networks.adversary, *loaded.networks.adversary);
}

// fp16's gradient scaler is part of the checkpoint: a resumed run goes on
// with the scale it had, and a checkpoint without one (an fp32 run resumed in
// fp16) starts the scaler afresh.
TEST(Checkpoint, TheGradientScalerIsSavedWithAnFp16Run) {
  testing::TempDir out;
  auto config = testing::tiny_config();
  config.train.precision = "fp16";
  TinyRun saved(config, 1);
  saved.optimizers.scaler =
      std::make_unique<GradScaler>(torch::kCPU, GradScaler::Options{256.0, 2.0, 0.5, 5});
  save_checkpoint(out.path(), "last", saved.networks, saved.optimizers, {}, config);
  EXPECT_TRUE(fs::exists(out.path() / "last" / checkpoint_file::kGradScaler));
  TinyRun loaded(config, 2);
  ASSERT_TRUE(loaded.optimizers.scaler);
  EXPECT_EQ(loaded.optimizers.scaler->current_scale(), 65536.0);
  load_checkpoint(out.path() / "last", loaded.networks, loaded.optimizers);
  EXPECT_EQ(loaded.optimizers.scaler->current_scale(), 256.0);

  testing::TempDir fp32_out;
  TinyRun fp32(testing::tiny_config(), 1);
  save_checkpoint(fp32_out.path(), "last", fp32.networks, fp32.optimizers, {}, testing::tiny_config());
  EXPECT_FALSE(fs::exists(fp32_out.path() / "last" / checkpoint_file::kGradScaler));
  TinyRun switched(config, 2);
  load_checkpoint(fp32_out.path() / "last", switched.networks, switched.optimizers);
  EXPECT_EQ(switched.optimizers.scaler->current_scale(), 65536.0);
}

TEST(Checkpoint, NewSaveReplacesTheLinkAndRemovesTheOldDirectory) {
  testing::TempDir out;
  auto config = testing::tiny_config();
  TinyRun run(config, 1);
  TrainingProgress progress;
  progress.iteration = 3;
  save_checkpoint(out.path(), "last", run.networks, run.optimizers, progress, config);
  auto first = fs::canonical(out.path() / "last");
  progress.iteration = 6;
  save_checkpoint(out.path(), "last", run.networks, run.optimizers, progress, config);
  auto second = fs::canonical(out.path() / "last");

  EXPECT_TRUE(fs::is_symlink(out.path() / "last"));
  EXPECT_NE(first, second);
  EXPECT_FALSE(fs::exists(first));
  EXPECT_NE(read_all(out.path() / "last" / "state.json").find("\"iteration\": 6"), std::string::npos);
  // Nothing but the live checkpoint is left behind.
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(out.path() / "checkpoints"))
    entries += entry.is_directory();
  EXPECT_EQ(entries, 1);
}

TEST(Checkpoint, AnInterruptedSaveLeavesThePreviousCheckpointInPlace) {
  testing::TempDir out;
  auto config = testing::tiny_config();
  TinyRun run(config, 1);
  TrainingProgress progress;
  progress.iteration = 3;
  save_checkpoint(out.path(), "last", run.networks, run.optimizers, progress, config);
  // What a save killed halfway leaves: a staging directory with partial files.
  fs::create_directories(out.path() / "checkpoints" / ".last-it00000006.tmp");
  std::ofstream(out.path() / "checkpoints" / ".last-it00000006.tmp" / "segmentor.pt") << "partial";

  TinyRun loaded(config, 2);
  EXPECT_EQ(load_checkpoint(out.path() / "last", loaded.networks, loaded.optimizers).iteration, 3);
  // And the next save is not disturbed by it.
  progress.iteration = 6;
  save_checkpoint(out.path(), "last", run.networks, run.optimizers, progress, config);
  EXPECT_EQ(load_checkpoint(out.path() / "last", loaded.networks, loaded.optimizers).iteration, 6);
}

TEST(Checkpoint, CorruptedOrMismatchedFilesAreNamedInTheError) {
  testing::TempDir out;
  auto config = testing::tiny_config();
  TinyRun run(config, 1);
  save_checkpoint(out.path(), "last", run.networks, run.optimizers, TrainingProgress{}, config);

  auto wider = config;
  wider.model.segmentor_widths = {4, 8, 16};
  TinyRun other(wider, 1);
  try {
    load_checkpoint(out.path() / "last", other.networks, other.optimizers);
    FAIL() << "a checkpoint of another architecture was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("segmentor.pt"), std::string::npos) << e.what();
  }

  std::ofstream(out.path() / "last" / "segmentor.pt", std::ios::trunc) << "garbage";
  try {
    load_checkpoint(out.path() / "last", run.networks, run.optimizers);
    FAIL() << "a corrupted checkpoint was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("segmentor.pt"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_checkpoint_config(out.path() / "missing"), Error);
}

}  // namespace
}  // namespace advseg
