// Issue 27 (reliability), an end-to-end test per item: what the user does,
// and what advseg must answer. Signals (item 3, 4) are in
// tests/train/fault_test.cpp, integers (item 10) in tests/config.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "cli/run_command.h"
#include "cli/tiny_cli.h"
#include "support/child_process.h"
#include "support/temp_dir.h"

namespace advseg {
namespace {
namespace fs = std::filesystem;
using testing::run_advseg;

// Runs `command`, which must refuse with exit status 1 naming `what`, and
// leave `victim` byte for byte as it was.
void expect_refused(const std::string& command, const fs::path& victim, const std::string& what) {
  const std::string before = testing::read_text(victim.string());
  const auto result = run_advseg(command);
  EXPECT_EQ(result.exit_code, 1) << command << "\n" << result.output;
  EXPECT_NE(result.output.find("--out is inside " + what), std::string::npos) << command << "\n"
                                                                              << result.output;
  EXPECT_NE(result.output.find("which this command reads"), std::string::npos) << result.output;
  EXPECT_EQ(testing::read_text(victim.string()), before) << victim;
}

// Item 1: report, eval, export and panels refuse an --out that is, or lies
// inside, a run folder, a checkpoint or the dataset they read, before any
// work, and leave it as it was.
TEST(Reliability, Item01NoCommandWritesOntoTheRunCheckpointOrDatasetItReads) {
  testing::TempDir dir;
  const auto data = testing::write_folder_dataset(dir.path() / "data", 4);
  const auto run = testing::train_tiny(dir.path() / "run", testing::folder_settings(data));
  const auto last = run / "last";
  const auto image = data / "images" / "img0.png";

  expect_refused("report " + run.string() + " --no-eval --out " + (last / "config.yaml").string(),
                 last / "config.yaml", "the run folder");
  expect_refused("report " + run.string() + " --no-eval --out " + (run / "metrics.json").string(),
                 run / "metrics.json", "the run folder");
  expect_refused("eval --checkpoint " + last.string() + " --out " + (last / "config.yaml").string(),
                 last / "config.yaml", "the checkpoint");
  expect_refused("eval --checkpoint " + last.string() + " --out " + image.string(), image, "the dataset");
  const auto weights = *fs::directory_iterator(last);  // any file of the checkpoint
  expect_refused("export --checkpoint " + last.string() + " --out " + weights.path().string(), weights.path(),
                 "the checkpoint");
  expect_refused("panels --checkpoints a=" + last.string() + " --count 1 --out " + image.string(), image,
                 "the dataset");

  // Beside them, the same commands write.
  const auto ok =
      run_advseg("export --checkpoint " + last.string() + " --out " + (dir.path() / "m.pt").string());
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

// Item 2: a finished run resumed has nothing to do and keeps its files; a
// checkpoint is not resumed into a folder holding another run.
TEST(Reliability, Item02AFinishedRunResumedKeepsItsFilesAndAnotherRunIsRefused) {
  testing::TempDir dir;
  const auto run = testing::train_tiny(dir.path() / "a");
  const auto other = testing::train_tiny(dir.path() / "b");
  const std::string metrics = testing::read_text((run / "metrics.json").string());
  const auto again = run_advseg("train --out " + run.string() + " --resume " + (run / "last").string());
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("the run is finished"), std::string::npos) << again.output;
  EXPECT_EQ(testing::read_text((run / "metrics.json").string()), metrics);
  const auto mixed = run_advseg("train --out " + other.string() + " --resume " + (run / "last").string());
  EXPECT_EQ(mixed.exit_code, 1) << mixed.output;
  EXPECT_NE(mixed.output.find("holds another run"), std::string::npos) << mixed.output;
}

// Item 14: the base learning rate is part of the schedule a resumed run keeps.
TEST(Reliability, Item14ResumeRefusesAChangedLearningRate) {
  testing::TempDir dir;
  const auto run = testing::train_tiny(dir.path() / "run");
  const auto resumed = run_advseg("train --out " + run.string() + " --resume " + (run / "last").string() +
                                  " --set train.epochs=2 --set train.segmentor_optimizer.lr=0.5");
  EXPECT_EQ(resumed.exit_code, 1) << resumed.output;
  EXPECT_NE(resumed.output.find("train.segmentor_optimizer.lr changed from"), std::string::npos)
      << resumed.output;
}

// Item 4: output that cannot be written is an error, not exit status 0.
TEST(Reliability, Item04AFullStandardOutputIsAnError) {
  const auto result = run_advseg("config > /dev/full");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("cannot write to standard output"), std::string::npos) << result.output;
}

// Item 5: a run's outputs are checked before its first step.
TEST(Reliability, Item05TrainChecksItsOutputsBeforeTheFirstStep) {
  testing::TempDir dir;
  fs::create_directories(dir.path() / "a");
  std::ofstream(dir.path() / "a" / "checkpoints") << "not a folder";
  fs::create_directories(dir.path() / "b" / "metrics.json");
  for (const auto& [out, problem] :
       {std::pair<std::string, std::string>{"a", "checkpoints: is a regular file"},
        {"b", "metrics.json: is a folder"}}) {
    const auto result = run_advseg("train --out " + (dir.path() / out).string() + testing::kTinyCli);
    EXPECT_EQ(result.exit_code, 1) << result.output;
    EXPECT_NE(result.output.find(problem), std::string::npos) << result.output;
    EXPECT_FALSE(fs::exists(dir.path() / out / "log.jsonl")) << "trained before refusing";
  }
}

// Item 7: --skip-bad skips what cannot be read among the inputs, whatever it
// is, and names it.
TEST(Reliability, Item07SkipBadSkipsFoldersLinksAndFifosNamedAsImages) {
  testing::TempDir dir;
  const auto run = testing::train_tiny(dir.path() / "run");
  const auto images = testing::write_folder_dataset(dir.path() / "data", 1) / "images";
  fs::create_directory(images / "folder.jpg");
  fs::create_symlink(images / "missing.png", images / "dangling.png");
  fs::create_symlink(images / "loop.png", images / "loop.png");
  ASSERT_EQ(::mkfifo((images / "fifo.png").c_str(), 0600), 0);
  const auto result = run_advseg("predict --skip-bad --checkpoint " + (run / "last").string() + " --input " +
                                 images.string() + " --out " + (dir.path() / "out").string());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  for (const std::string name : {"folder.jpg", "dangling.png", "loop.png", "fifo.png"})
    EXPECT_NE(result.output.find(name), std::string::npos) << name << "\n" << result.output;
  EXPECT_TRUE(fs::exists(dir.path() / "out" / "img0.png"));
}

// Item 9: a bad number is answered with what is expected, in a line.
TEST(Reliability, Item09BadNumbersSayWhatIsExpected) {
  for (const auto& [arguments, message] : std::vector<std::pair<std::string, std::string>>{
           {"predict --checkpoint . --input . --out x --tile 0",
            "--tile: expected a whole number of at least 1, got '0'"},
           {"panels --checkpoints a=. --out p.png --count 0",
            "--count: expected a whole number of at least 1, got '0'"},
           {"report . --out r.html --panels -1", "--panels: expected a whole number of at least 0, got '-1'"},
           {"eval --checkpoint . --threads abc",
            "--threads: expected a whole number from 0 to 1024, got 'abc'"}}) {
    const auto result = run_advseg(arguments);
    EXPECT_EQ(result.exit_code, 1) << arguments << "\n" << result.output;
    EXPECT_NE(result.output.find(message), std::string::npos) << arguments << "\n" << result.output;
    EXPECT_LT(result.output.size(), 200U) << result.output;
  }
}

}  // namespace
}  // namespace advseg
