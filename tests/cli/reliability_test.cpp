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

// A tiny run trained on a tiny folder dataset: what item 1's commands read.
struct RunOnFolderData {
  testing::TempDir dir;
  fs::path data = testing::write_folder_dataset(dir.path() / "data", 4);
  fs::path run = testing::train_tiny(dir.path() / "run", testing::folder_settings(data));
  fs::path last = run / "last";
  fs::path image = data / "images" / "img0.png";
};

// Item 1: report, eval, export and panels refuse an --out that is, or lies
// inside, a run folder, a checkpoint or the dataset they read, before any
// work, and leave it as it was.
TEST(Reliability, Item01NoCommandWritesOntoTheRunCheckpointOrDatasetItReads) {
  const RunOnFolderData f;

  expect_refused("report " + f.run.string() + " --no-eval --out " + (f.last / "config.yaml").string(),
                 f.last / "config.yaml", "the run folder");
  expect_refused("report " + f.run.string() + " --no-eval --out " + (f.run / "metrics.json").string(),
                 f.run / "metrics.json", "the run folder");
  expect_refused("eval --checkpoint " + f.last.string() + " --out " + (f.last / "config.yaml").string(),
                 f.last / "config.yaml", "the checkpoint");
  expect_refused("eval --checkpoint " + f.last.string() + " --out " + f.image.string(), f.image,
                 "the dataset");
  const auto weights = *fs::directory_iterator(f.last);  // any file of the checkpoint
  expect_refused("export --checkpoint " + f.last.string() + " --out " + weights.path().string(),
                 weights.path(), "the checkpoint");
  expect_refused("panels --checkpoints a=" + f.last.string() + " --count 1 --out " + f.image.string(),
                 f.image, "the dataset");

  // Beside them, the same commands write.
  const auto ok =
      run_advseg("export --checkpoint " + f.last.string() + " --out " + (f.dir.path() / "m.pt").string());
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

// The second sweep: eval, predict and export wrote into the run folder of
// the checkpoint they read (eval --out R/metrics.json replaced the run's
// metrics), and train, experiment and predict wrote a whole run or their
// masks into a checkpoint or the dataset they read.
TEST(Reliability, Item01NoCommandWritesIntoTheRunOfItsCheckpointOrIntoACheckpoint) {
  const RunOnFolderData f;
  const std::string checkpoint = " --checkpoint " + f.last.string();

  expect_refused("eval" + checkpoint + " --out " + (f.run / "metrics.json").string(), f.run / "metrics.json",
                 "the run folder of the checkpoint");
  expect_refused("export" + checkpoint + " --out " + (f.run / "log.jsonl").string(), f.run / "log.jsonl",
                 "the run folder of the checkpoint");
  const auto refused = [&](const std::string& command, const std::string& what) {
    const auto result = run_advseg(command);
    EXPECT_EQ(result.exit_code, 1) << command << "\n" << result.output;
    EXPECT_NE(result.output.find(what), std::string::npos) << command << "\n" << result.output;
  };
  refused("predict" + checkpoint + " --input " + f.image.string() + " --out " + f.last.string(),
          "--out is the checkpoint");
  refused("train --out " + f.last.string() + testing::kTinyCli, "--out is the checkpoint");
  refused("train --out " + (f.run / "checkpoints" / "mine").string() + testing::kTinyCli,
          "where a run keeps its checkpoints");
  refused("train --out " + (f.data / "run").string() + testing::kTinyCli + testing::folder_settings(f.data),
          "--out is inside the dataset");
  refused("experiment --out " + (f.last / "exp").string() + " --seeds 1 --grid standard" + testing::kTinyCli,
          "--out is inside the checkpoint");
  EXPECT_FALSE(fs::exists(f.last / "exp"));
  EXPECT_FALSE(fs::exists(f.last / "overlays"));
  EXPECT_FALSE(fs::exists(f.data / "run"));
}

// Item 4, through a real pipe: `advseg train ... | head` closes the pipe, and
// every later write raises SIGPIPE again; the run still saves and exits 141.
TEST(Reliability, Item04AClosedPipeStopsTrainingAfterSaving) {
  testing::TempDir dir;
  const auto out = dir.path() / "run";
  const auto status_file = dir.path() / "status";
  const auto result = testing::run_shell(
      "{ " + testing::binary_dir() + "/advseg train --out " + out.string() + testing::kTinyCli +
      " --set train.epochs=500; echo $? > " + status_file.string() + "; } 2>&1 | head -c 1 > /dev/null");
  EXPECT_EQ(testing::read_text(status_file.string()), "141\n") << result.output;
  EXPECT_TRUE(fs::exists(out / "last" / "state.json")) << "saved before exiting";
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

// The second sweep: a metrics file that is not a result is named with its
// problem: compare refuses it, report --no-eval says so and reports the rest.
TEST(Reliability, SweepAMetricsFileThatIsNotAResultIsNamed) {
  testing::TempDir dir;
  const auto run = testing::train_tiny(dir.path() / "run");
  const auto metrics = run / "metrics.json";
  for (const auto& [content, problem] : std::vector<std::pair<std::string, std::string>>{
           {R"({"metrics": {"mean_iou": "abc"}})", "metrics.mean_iou: expected a number, got \"abc\""},
           {R"({"metrics": {"mean_iou": 5.3}})", "metrics.mean_iou: expected a number in [0, 1], got 5.3"}}) {
    std::ofstream(metrics) << content;
    const auto compared = run_advseg("compare a=" + metrics.string());
    EXPECT_EQ(compared.exit_code, 1) << compared.output;
    EXPECT_NE(compared.output.find(metrics.string() + ": " + problem), std::string::npos) << compared.output;
  }
  const auto report = dir.path() / "report.html";
  const auto reported = run_advseg("report " + run.string() + " --no-eval --out " + report.string());
  EXPECT_EQ(reported.exit_code, 0) << reported.output;
  EXPECT_NE(reported.output.find("note: " + metrics.string() + ": metrics.mean_iou"), std::string::npos)
      << reported.output;
  EXPECT_NE(testing::read_text(report.string()).find("metrics.mean_iou: expected a number in [0, 1]"),
            std::string::npos);
}

// The second sweep: arguments that would be ignored, repeated or too large
// are refused before any work, naming the argument.
TEST(Reliability, SweepIgnoredRepeatedOrTooLargeArgumentsAreRefusedFirst) {
  testing::TempDir dir;
  const auto run = testing::train_tiny(dir.path() / "run");
  const auto experiment = dir.path() / "experiment";
  for (const auto& [arguments, message] : std::vector<std::pair<std::string, std::string>>{
           {"bench --backbone resnet50 --iters 1 --warmup 0",
            "segmentor 'multiscale': unsupported backbone 'resnet50' (allowed: none"},
           {"experiment --out " + experiment.string() + " --grid standard --label-fractions 0.5,0.50" +
                testing::kTinyCli,
            "--label-fractions: 0.50 given twice"},
           {"experiment --out " + experiment.string() + " --grid standard --label-fractions 0.01" +
                testing::kTinyCli,
            "train.batch_size: 4 is larger than the 1 labelled training images (data.labeled_fraction 0.01"},
           {"export --checkpoint " + (run / "last").string() + " --out " + (dir.path() / "m.pt").string() +
                " --size 99999x99999",
            "--size: expected HEIGHTxWIDTH in pixels, each from 1 to 16384"}}) {
    const auto result = run_advseg(arguments);
    EXPECT_EQ(result.exit_code, 1) << arguments << "\n" << result.output;
    EXPECT_NE(result.output.find(message), std::string::npos) << arguments << "\n" << result.output;
  }
  EXPECT_FALSE(fs::exists(experiment)) << "claimed before refusing";
  EXPECT_FALSE(fs::exists(dir.path() / "m.pt"));
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
            "--threads: expected a whole number from 0 to 1024, got 'abc'"},
           // Decimal, as --set reads it: octal would make it 8, a valid rank.
           {"train --out x --world-size 9 --rank 010", "--rank 10: must be between 0 and world size - 1"}}) {
    const auto result = run_advseg(arguments);
    EXPECT_EQ(result.exit_code, 1) << arguments << "\n" << result.output;
    EXPECT_NE(result.output.find(message), std::string::npos) << arguments << "\n" << result.output;
    EXPECT_LT(result.output.size(), 200U) << result.output;
  }
}

}  // namespace
}  // namespace advseg
