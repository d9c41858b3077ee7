// Faults a long training run meets: SIGKILL at any moment (also in the middle
// of writing a checkpoint), SIGTERM, a full disk, and divergence. None may
// lose the last complete checkpoint, and a killed run resumed from it must
// end with exactly the weights of a run that was never interrupted.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "advseg/error.h"
#include "advseg/run/training_run.h"
#include "advseg/train/checkpoint.h"
#include "support/checkpoint_weights.h"
#include "support/child_process.h"
#include "support/temp_dir.h"
#include "support/tiny_config.h"
#include "support/tiny_run.h"
#include "support/tiny_training.h"

namespace advseg {
namespace {
namespace fs = std::filesystem;
using testing::checkpoint_weights;
using testing::start_advseg;
using testing::tiny_training;
using testing::wait_for;

std::vector<std::string> resume_training(const fs::path& out) {
  return {"train", "--out", out.string(), "--resume", (out / "last").string(), "--threads", "1"};
}

bool staging_directory_present(const fs::path& out) {
  if (!fs::exists(out / "checkpoints")) return false;
  for (const auto& entry : fs::directory_iterator(out / "checkpoints"))
    if (entry.path().extension() == ".tmp") return true;
  return false;
}

std::size_t log_size(const fs::path& out) {
  std::error_code ignored;
  auto size = fs::file_size(out / "log.jsonl", ignored);
  return ignored ? 0 : size;
}

// Waits until the process has trained at least one more iteration (or ended).
void wait_for_new_log_line(const fs::path& out, pid_t pid) {
  auto start = log_size(out);
  for (int i = 0; i < 2000 && log_size(out) == start; ++i) {
    siginfo_t info{};
    ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (info.si_pid != 0) return;  // it has ended (left to be reaped by the caller)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

TEST(Faults, TwentyRandomKillsThenResumeGiveTheUninterruptedWeights) {
  testing::TempDir dir;
  const int epochs = 12;
  ASSERT_EQ(wait_for(start_advseg(tiny_training(dir.path() / "reference", epochs))), 0);

  auto out = dir.path() / "killed";
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> delay_ms(0, 250);
  // Bounded: on a fast disk (tmpfs) the run may finish before 20 kills land.
  const int kMaxProcesses = 60;
  int kills = 0, kills_mid_save = 0, runs = 0;
  bool finished = false;
  while (!finished && runs < kMaxProcesses) {
    bool resume = fs::exists(out / "last");
    pid_t pid = start_advseg(resume ? resume_training(out) : tiny_training(out, epochs));
    ++runs;
    if (kills == 20) {  // enough: let this one finish
      ASSERT_EQ(wait_for(pid), 0);
      finished = true;
      break;
    }
    // Kill once training is under way (not while LibTorch loads), at a
    // random moment: in a step, a validation or a checkpoint write.
    wait_for_new_log_line(out, pid);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    ::kill(pid, SIGKILL);
    int status = wait_for(pid);
    if (status == 0) {  // it finished before the kill landed
      finished = true;
      break;
    }
    ASSERT_EQ(status, 128 + SIGKILL);
    ++kills;
    kills_mid_save += staging_directory_present(out);
  }
  std::cout << "[ kills ] " << kills << " SIGKILLs (" << kills_mid_save
            << " while a checkpoint was being written), " << runs << " processes\n";
  ASSERT_TRUE(finished) << runs << " processes without finishing the run";
  // The run is 12 epochs of checkpointed steps: most kills must land before it ends.
  EXPECT_GE(kills, 10) << "too few kills landed to test resuming";

  auto expected = checkpoint_weights(dir.path() / "reference" / "last");
  auto actual = checkpoint_weights(out / "last");
  ASSERT_EQ(expected.size(), actual.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_TRUE(torch::equal(expected[i], actual[i])) << i;
}

// SIGTERM, SIGHUP (an ssh session dropped) and SIGPIPE (a closed pipe) stop
// like Ctrl-C: the step finishes, OUT/last is saved, and the exit status is
// 128 + the signal's number, so `advseg train && advseg eval` does not go on.
TEST(Faults, StopSignalsFinishTheStepSaveAndExitWithTheSignalsStatus) {
  for (const int signal_number : {SIGTERM, SIGHUP, SIGPIPE}) {
    testing::TempDir dir;
    auto out = dir.path() / "run";
    auto log = (dir.path() / "output.txt").string();
    auto arguments = tiny_training(out, 1000);
    arguments.insert(arguments.end(),
                     {"--set", "train.checkpoint_every=0"});  // only the stop saves mid-epoch
    pid_t pid = start_advseg(arguments, {log});
    // Wait until training is under way.
    for (int i = 0; i < 600 && testing::read_text((out / "log.jsonl").string()).size() < 100; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ::kill(pid, signal_number);
    EXPECT_EQ(wait_for(pid), 128 + signal_number) << strsignal(signal_number);
    auto output = testing::read_text(log);
    // Item 20: the signal is acknowledged at once, before the step ends.
    EXPECT_NE(output.find("stopping after the current step, then saving"), std::string::npos) << output;
    EXPECT_NE(output.find("stopped at iteration"), std::string::npos) << output;
    EXPECT_NE(output.find("--resume"), std::string::npos) << output;
    auto progress =
        parse_progress_json(testing::read_text((out / "last" / "state.json").string()), "state.json");
    EXPECT_GT(progress.iteration, 0);
    EXPECT_NE(output.find("stopped at iteration " + std::to_string(progress.iteration)), std::string::npos);
  }
}

TEST(Faults, FullDiskIsAnErrorAndThePreviousCheckpointStays) {
  testing::TempDir dir;
  auto out = dir.path() / "run";
  ASSERT_EQ(wait_for(start_advseg(tiny_training(out, 1))), 0);
  auto before = fs::canonical(out / "last");
  auto before_progress = testing::read_text((out / "last" / "state.json").string());

  // Files may not grow past 256 KiB: the adversary's weights no longer fit.
  auto log = (dir.path() / "output.txt").string();
  auto arguments = resume_training(out);
  arguments.insert(arguments.end(), {"--set", "train.epochs=2"});
  EXPECT_EQ(wait_for(start_advseg(arguments, {log, 256 * 1024})), 1);
  auto output = testing::read_text(log);
  EXPECT_NE(output.find("adversary.pt"), std::string::npos) << output;
  EXPECT_EQ(fs::canonical(out / "last"), before);
  EXPECT_EQ(testing::read_text((out / "last" / "state.json").string()), before_progress);
  EXPECT_NO_THROW(checkpoint_weights(out / "last"));
}

// SGD with a huge rate: the weights explode after the first step.
Config diverging_config(const std::string& on_nonfinite) {
  auto config = testing::tiny_config();
  config.train.on_nonfinite = on_nonfinite;
  config.train.segmentor_optimizer.type = "sgd";
  config.train.segmentor_optimizer.lr = 1e30;
  return config;
}

TEST(Faults, DivergenceStopsNamingTheIterationAndKeepsTheLastCheckpoint) {
  testing::TempDir dir;
  auto config = diverging_config("stop");
  config.train.checkpoint_every = 1;
  auto trainer = make_trainer(config, dir.path());
  try {
    trainer->run();
    FAIL() << "a diverging run did not stop";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("diverged at iteration"), std::string::npos) << message;
    EXPECT_NE(message.find("not finite"), std::string::npos) << message;
    EXPECT_NE(message.find("segmentor loss"), std::string::npos) << message;  // the network that diverged
  }
  EXPECT_NO_THROW(checkpoint_weights(dir.path() / "last"));
}

TEST(Faults, DivergenceCanSkipStepsInstead) {
  testing::TempDir dir;
  auto trainer = make_trainer(diverging_config("skip"), dir.path());
  EXPECT_TRUE(trainer->run().completed);
  auto log = testing::read_text((dir.path() / "log.jsonl").string());
  EXPECT_NE(log.find("\"type\":\"warning\""), std::string::npos);
  EXPECT_NE(log.find("step skipped"), std::string::npos);
}

// A skipped step has no loss to average: the interval logs null (not 0.0)
// and counts the skips, and the warning names the iteration of its entry.
TEST(Faults, Item06SkippedStepsLogNoLossAndTheirOwnIteration) {
  testing::TempDir dir;
  EXPECT_TRUE(make_trainer(diverging_config("skip"), dir.path())->run().completed);
  std::istringstream lines(testing::read_text((dir.path() / "log.jsonl").string()));
  std::set<std::int64_t> warned, skipped;
  for (std::string line; std::getline(lines, line);) {
    const auto entry = nlohmann::json::parse(line);
    if (entry["type"] == "warning") warned.insert(entry["iteration"].get<std::int64_t>());
    if (entry["type"] != "train" || !entry.contains("skipped_steps")) continue;
    skipped.insert(entry["iteration"].get<std::int64_t>());  // log_every 1: one step per entry
    EXPECT_TRUE(entry["cross_entropy"].is_null()) << line;
  }
  EXPECT_FALSE(skipped.empty());
  EXPECT_EQ(warned, skipped);
}

}  // namespace
}  // namespace advseg
