// advseg experiment, eval's consistency metrics and advseg panels end to end
// on tiny shapes data.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
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
using testing::kTinyCli;
using testing::read_text;
using testing::run_advseg;

nlohmann::json read_json(const fs::path& path) { return nlohmann::json::parse(read_text(path.string())); }

void expect_mean_and_std(const nlohmann::json& stats, const std::string& what) {
  EXPECT_TRUE(stats["mean"].is_number()) << what << ": " << stats;
  EXPECT_TRUE(stats["std"].is_number()) << what << ": " << stats;
  EXPECT_EQ(stats["n"], 2) << what;
}

TEST(ExperimentCli, TrainsTheGridSummarisesItAndResumes) {
  testing::TempDir dir;
  const auto out = dir.path() / "exp";
  const std::string command = "experiment --out " + out.string() + " --seeds 2 --grid standard,adversarial" +
                              kTinyCli + " --set train.epochs=1";
  auto first = run_advseg(command);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("4 runs trained, 0 reused"), std::string::npos) << first.output;

  auto results = read_json(out / "results.json");
  EXPECT_EQ(results["grid"], nlohmann::json({"standard", "adversarial"}));
  for (const std::string variant : {"standard", "adversarial"}) {
    const auto& summary = results["variants"][variant];
    EXPECT_EQ(summary["seeds"], nlohmann::json({1, 2})) << variant;
    expect_mean_and_std(summary["metrics"]["mean_iou"], variant + " mean_iou");
    expect_mean_and_std(summary["consistency"]["bf_score"], variant + " bf_score");
    EXPECT_TRUE(fs::exists(out / variant / "seed2" / "result.json")) << variant;
  }
  // Each run's result is its final checkpoint evaluated on val (no epoch picked by its val score).
  auto run = read_json(out / "adversarial" / "seed2" / "result.json");
  EXPECT_EQ(run["checkpoint"], (out / "adversarial" / "seed2" / "last").string());
  EXPECT_TRUE(run["best_epoch_mean_iou"].is_number());
  EXPECT_DOUBLE_EQ(results["variants"]["adversarial"]["metrics"]["mean_iou"]["values"][1].get<double>(),
                   run["metrics"]["mean_iou"].get<double>());
  EXPECT_NE(read_text((out / "results.md").string()).find("| adversarial | 2 |"), std::string::npos);

  // curves.csv: the header, then train and val rows of all four runs.
  const auto csv = read_text((out / "curves.csv").string());
  EXPECT_EQ(csv.rfind("variant,seed,type,epoch,iteration,cross_entropy", 0), 0u) << csv;
  for (const char* row :
       {"\nstandard,1,train,", "\nstandard,2,val,", "\nadversarial,1,val,", "\nadversarial,2,train,"})
    EXPECT_NE(csv.find(row), std::string::npos) << row << " missing from\n" << csv;
  EXPECT_TRUE(fs::exists(out / "curves_val_mean_iou.svg"));

  // A second call finds every run complete; other settings are refused.
  auto again = run_advseg(command);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("0 runs trained, 4 reused"), std::string::npos) << again.output;
  auto other = run_advseg(command + " --set adversarial.lambda=0.5");
  EXPECT_EQ(other.exit_code, 1) << other.output;
  EXPECT_NE(other.output.find((out / "experiment.yaml").string()), std::string::npos) << other.output;
  EXPECT_NE(other.output.find("adversarial.lambda"), std::string::npos) << other.output;
  // An experiment.yaml written by an advseg that had not some key yet (here
  // adversarial.real_label) holds that key's default: the grid still resumes.
  const auto saved = read_text((out / "experiment.yaml").string());
  const auto line = saved.find("  real_label: 1\n");
  ASSERT_NE(line, std::string::npos) << saved;
  std::ofstream(out / "experiment.yaml", std::ios::binary | std::ios::trunc)
      << saved.substr(0, line) + saved.substr(line + 16);
  auto older = run_advseg(command);
  ASSERT_EQ(older.exit_code, 0) << older.output;
  EXPECT_NE(older.output.find("0 runs trained, 4 reused"), std::string::npos) << older.output;
  auto bad_grid = run_advseg("experiment --out " + (dir.path() / "x").string() + " --grid standard,nonsense");
  EXPECT_EQ(bad_grid.exit_code, 1);
  EXPECT_NE(bad_grid.output.find("\"nonsense\""), std::string::npos) << bad_grid.output;
}

TEST(ExperimentCli, AnInvalidVariantIsRefusedBeforeOutIsClaimed) {
  testing::TempDir dir;
  const auto out = dir.path() / "exp";
  // `semi` needs unlabelled images: without --label-fractions below 1 it cannot run.
  auto refused =
      run_advseg("experiment --out " + out.string() + " --seeds 1 --grid standard,semi" + kTinyCli);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("variant 'semi'"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("unlabelled images"), std::string::npos) << refused.output;
  EXPECT_FALSE(fs::exists(out / "experiment.yaml"));
  EXPECT_FALSE(fs::exists(out / "standard"));
}

// Under torchrun every worker would run the whole grid into the same folder.
TEST(ExperimentCli, RefusesToRunAsOneOfSeveralWorkers) {
  testing::TempDir dir;
  const auto out = dir.path() / "exp";
  auto refused = testing::run_shell("RANK=0 WORLD_SIZE=2 " + testing::binary_dir() +
                                    "/advseg experiment --out " + out.string() + " --seeds 1" + kTinyCli);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("WORLD_SIZE is 2"), std::string::npos) << refused.output;
  EXPECT_FALSE(fs::exists(out));
}

TEST(ExperimentCli, EvalReportsConsistencyAndPanelsDrawEveryCheckpoint) {
  testing::TempDir dir;
  const auto standard = dir.path() / "standard", adversarial = dir.path() / "adversarial";
  ASSERT_EQ(run_advseg("train --out " + standard.string() + kTinyCli +
                       " --set train.epochs=1 "
                       "--set adversarial.enabled=false")
                .exit_code,
            0);
  ASSERT_EQ(run_advseg("train --out " + adversarial.string() + kTinyCli + " --set train.epochs=1").exit_code,
            0);

  const auto eval_json = dir.path() / "eval.json";
  auto eval = run_advseg("eval --checkpoint " + (standard / "best").string() + " --out " +
                         eval_json.string() + " --threads 1");
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_NE(eval.output.find("bf_score (%)"), std::string::npos) << eval.output;
  auto evaluated = read_json(eval_json);
  EXPECT_TRUE(evaluated["metrics"]["mean_iou"].is_number());
  const auto& consistency = evaluated["consistency"];
  EXPECT_EQ(consistency["images"], 4);  // every val image
  for (const char* key : {"bf_score", "component_ratio", "component_abs_diff", "speck_share", "size_error"})
    EXPECT_TRUE(consistency.contains(key)) << key;
  EXPECT_GE(consistency["bf_score"].get<double>(), 0.0);
  EXPECT_LE(consistency["bf_score"].get<double>(), 1.0);

  // Three 32x32 val images, columns image | ground truth | standard | adversarial,
  // tiles enlarged x4 to 128 px, 4 px gaps, a 24 px header.
  const auto picture = dir.path() / "panels.png";
  auto panels = run_advseg("panels --checkpoints standard=" + (standard / "best").string() +
                           " adversarial=" + (adversarial / "best").string() + " --count 3 --out " +
                           picture.string() + " --threads 1");
  ASSERT_EQ(panels.exit_code, 0) << panels.output;
  cv::Mat image = cv::imread(picture.string());
  EXPECT_EQ(image.cols, 4 * 128 + 5 * 4);
  EXPECT_EQ(image.rows, 24 + 3 * 128 + 4 * 4);
  auto unknown = run_advseg("panels --checkpoints " + (standard / "best").string() +
                            " --ids no_such_image --out " + picture.string());
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.output.find("no_such_image"), std::string::npos) << unknown.output;
}

// --shifts draws a config's images under each data.shift, with no checkpoint:
// image | fog | low_light | ground truth, the shapes' 64x64 tiles at x2.
TEST(PanelsCli, ShiftsDrawTheImagesUnderEachShiftWithoutACheckpoint) {
  testing::TempDir dir;
  const auto picture = dir.path() / "shifts.png";
  const auto drawn = run_advseg(
      "panels --shifts fog,low_light --count 2 --set data.shapes_val_size=2 --out " + picture.string());
  ASSERT_EQ(drawn.exit_code, 0) << drawn.output;
  EXPECT_NE(drawn.output.find("wrote 2 rows x 4 columns"), std::string::npos) << drawn.output;
  const cv::Mat image = cv::imread(picture.string());
  EXPECT_EQ(image.cols, 4 * 128 + 5 * 4);
  for (const auto& [arguments, message] : std::vector<std::pair<std::string, std::string>>{
           {"panels --out p.png", "give --checkpoints (predictions), --shifts (shifted images) or both"},
           {"panels --shifts rain --out p.png", "--shifts: unknown shift 'rain'"},
           {"panels --checkpoints a=. --config c.yaml --out p.png",
            "--config: the checkpoints' own configs"}}) {
    const auto refused = run_advseg(arguments);
    EXPECT_EQ(refused.exit_code, 1) << arguments << "\n" << refused.output;
    EXPECT_NE(refused.output.find(message), std::string::npos) << arguments << "\n" << refused.output;
  }
}

}  // namespace
}  // namespace advseg
