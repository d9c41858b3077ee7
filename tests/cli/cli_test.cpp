// The advseg command end to end: train, eval and predict on tiny shapes
// data, and the errors a user sees for common mistakes.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <set>
#include <sstream>

#include "advseg/io/png_mask.h"
#include "cli/run_command.h"
#include "cli/tiny_cli.h"
#include "support/paths.h"
#include "support/temp_dir.h"

namespace advseg {
namespace {
namespace fs = std::filesystem;
using testing::run_advseg;

// Shapes data and networks small enough to train in about a second.
const std::string& kTiny = testing::kTinyCli;

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(Cli, TrainThenEvaluateAndPredict) {
  testing::TempDir dir;
  auto out = dir.path() / "run";
  auto train = run_advseg("train --out " + out.string() + kTiny + " --set train.epochs=2");
  ASSERT_EQ(train.exit_code, 0) << train.output;
  EXPECT_NE(train.output.find("val: mIoU"), std::string::npos) << train.output;
  auto trained = read_json(out / "metrics.json");
  EXPECT_EQ(trained["iterations"], 8);
  ASSERT_TRUE(trained["metrics"]["mean_iou"].is_number());

  // Evaluating the best checkpoint reproduces the validation score it was kept for.
  auto eval = run_advseg("eval --checkpoint " + (out / "best").string() + " --split val --out " +
                         (dir.path() / "eval.json").string() + " --threads 1");
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_NE(eval.output.find("mean_iou"), std::string::npos) << eval.output;
  auto evaluated = read_json(dir.path() / "eval.json");
  EXPECT_DOUBLE_EQ(evaluated["metrics"]["mean_iou"].get<double>(), trained["best_mean_iou"].get<double>());

  // Predicting writes an index mask of the input's size and an overlay.
  cv::Mat image(40, 48, CV_8UC3, cv::Scalar(40, 120, 200));
  cv::imwrite((dir.path() / "photo.png").string(), image);
  auto predict = run_advseg("predict --checkpoint " + (out / "last").string() + " --input " +
                            (dir.path() / "photo.png").string() + " --out " + (dir.path() / "pred").string());
  ASSERT_EQ(predict.exit_code, 0) << predict.output;
  cv::Mat mask = read_index_png(dir.path() / "pred" / "photo.png");
  EXPECT_EQ(mask.rows, 40);
  EXPECT_EQ(mask.cols, 48);
  double max_class = 0;
  cv::minMaxLoc(mask, nullptr, &max_class);
  EXPECT_LT(max_class, 5);
  EXPECT_TRUE(fs::exists(dir.path() / "pred" / "overlays" / "photo.png"));
}

TEST(Cli, PredictAFolderSkipsBadFilesOnlyWhenAskedAndWritesProbabilities) {
  testing::TempDir dir;
  auto out = dir.path() / "run";
  ASSERT_EQ(run_advseg("train --out " + out.string() + kTiny + " --set train.epochs=1 --no-report").exit_code,
            0);
  const auto frames = dir.path() / "frames";
  fs::create_directories(frames);
  for (const char* name : {"frame_001.png", "frame_002.png"})
    cv::imwrite((frames / name).string(), cv::Mat(36, 44, CV_8UC3, cv::Scalar(30, 140, 220)));
  std::ofstream(frames / "frame_003.jpg") << "not a JPEG";
  const std::string predict =
      "predict --checkpoint " + (out / "best").string() + " --input " + frames.string();

  auto refused = run_advseg(predict + " --out " + (dir.path() / "a").string());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find((frames / "frame_003.jpg").string()), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("--skip-bad"), std::string::npos) << refused.output;
  EXPECT_FALSE(fs::exists(dir.path() / "a")) << "nothing is written while an input is bad";

  auto png = run_advseg(predict + " --out " + (dir.path() / "b").string() +
                        " --skip-bad --probabilities png --tile 24");
  ASSERT_EQ(png.exit_code, 0) << png.output;
  EXPECT_NE(png.output.find("skipped " + (frames / "frame_003.jpg").string()), std::string::npos)
      << png.output;
  EXPECT_NE(png.output.find("predicted 2 images in"), std::string::npos) << png.output;
  EXPECT_EQ(read_index_png(dir.path() / "b" / "frame_002.png").size(), cv::Size(44, 36));
  const cv::Mat disc = cv::imread((dir.path() / "b" / "probabilities" / "frame_001" / "01_disc.png").string(),
                                  cv::IMREAD_UNCHANGED);
  ASSERT_FALSE(disc.empty());
  EXPECT_EQ(disc.type(), CV_8UC1);
  EXPECT_EQ(disc.size(), cv::Size(44, 36));

  auto npy =
      run_advseg(predict + " --out " + (dir.path() / "c").string() + " --skip-bad --probabilities npy");
  ASSERT_EQ(npy.exit_code, 0) << npy.output;
  const auto array = dir.path() / "c" / "probabilities" / "frame_001.npy";
  std::ifstream in(array, std::ios::binary);
  std::string header(128, '\0');
  in.read(header.data(), 128);
  EXPECT_EQ(header.substr(0, 6), "\x93NUMPY");
  EXPECT_NE(header.find("'descr': '<f2', 'fortran_order': False, 'shape': (5, 36, 44)"), std::string::npos);
  EXPECT_EQ(fs::file_size(array), 128u + 5 * 36 * 44 * 2) << "a 128-byte header, then float16 [C,H,W]";
}

TEST(Cli, ExportWritesTorchScriptAndExplainsOnnx) {
  testing::TempDir dir;
  auto out = dir.path() / "run";
  ASSERT_EQ(run_advseg("train --out " + out.string() + kTiny + " --set train.epochs=1").exit_code, 0);
  const auto model = dir.path() / "models" / "shapes.pt";
  auto exported = run_advseg("export --checkpoint " + (out / "best").string() + " --out " + model.string() +
                             " --size 24x40");
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_NE(exported.output.find("runs at 24x40"), std::string::npos) << exported.output;
  EXPECT_GT(fs::file_size(model), 1000u);

  auto bad_size = run_advseg("export --checkpoint " + (out / "best").string() + " --out " + model.string() +
                             " --size 24by40");
  EXPECT_EQ(bad_size.exit_code, 1);
  EXPECT_NE(bad_size.output.find("--size: expected HEIGHTxWIDTH"), std::string::npos) << bad_size.output;
  auto onnx = run_advseg("export --checkpoint " + (out / "best").string() + " --out m.onnx --onnx");
  EXPECT_EQ(onnx.exit_code, 1);
  EXPECT_NE(onnx.output.find("tools/export_onnx.py"), std::string::npos) << onnx.output;
  auto folder =
      run_advseg("export --checkpoint " + (out / "best").string() + " --out " + dir.path().string());
  EXPECT_EQ(folder.exit_code, 1);
  EXPECT_NE(folder.output.find("--out is a folder"), std::string::npos) << folder.output;
}

// Every sub-command `advseg --help` lists is in the README's command table
// and has an example line there, and the table lists no command that is gone.
TEST(Cli, HelpAndTheReadmeListTheSameCommands) {
  auto help = run_advseg("--help");
  ASSERT_EQ(help.exit_code, 0) << help.output;
  std::set<std::string> in_help;
  std::istringstream lines(help.output.substr(help.output.find("Subcommands:")));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line) && line.rfind("  ", 0) == 0) {
    std::istringstream words(line);
    std::string name;
    words >> name;
    in_help.insert(name);
  }
  std::ifstream readme_file(testing::source_dir() + "/README.md");
  std::stringstream readme;
  readme << readme_file.rdbuf();
  std::set<std::string> in_table;  // the rows of the table under "| command |"
  std::istringstream readme_lines(readme.str().substr(readme.str().find("\n| command |") + 1));
  std::getline(readme_lines, line);  // header
  std::getline(readme_lines, line);  // | --- |
  while (std::getline(readme_lines, line) && line.rfind("| `", 0) == 0)
    in_table.insert(line.substr(3, line.find('`', 3) - 3));
  EXPECT_EQ(in_table, in_help) << "README's command table (| `name` | ...) against advseg --help";
  for (const auto& name : in_help) {
    EXPECT_NE(readme.str().find("\nadvseg " + name + " "), std::string::npos) << "no example of " << name;
    EXPECT_EQ(run_advseg(name + " --help").exit_code, 0) << name;
  }
}

TEST(Cli, ResumeContinuesARunWithMoreEpochs) {
  testing::TempDir dir;
  auto out = dir.path() / "run";
  ASSERT_EQ(run_advseg("train --out " + out.string() + kTiny + " --set train.epochs=1").exit_code, 0);
  auto resumed = run_advseg("train --out " + out.string() + " --resume " + (out / "last").string() +
                            " --threads 1 --set train.epochs=2");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(read_json(out / "metrics.json")["iterations"], 8);
}

TEST(Cli, RefusesToOverwriteAnEarlierRun) {
  testing::TempDir dir;
  auto out = dir.path() / "run";
  ASSERT_EQ(run_advseg("train --out " + out.string() + kTiny + " --set train.epochs=1").exit_code, 0);
  auto again = run_advseg("train --out " + out.string() + kTiny + " --set train.epochs=1");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.output.find("--resume"), std::string::npos) << again.output;
}

TEST(Cli, UnknownConfigKeyIsAnErrorWithASuggestion) {
  testing::TempDir dir;
  auto result = run_advseg("train --out " + (dir.path() / "run").string() + " --set train.epoch=3");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("train.epochs"), std::string::npos) << result.output;
}

TEST(Cli, ConfigPrintsTheResolvedConfigAndTheReference) {
  auto resolved = run_advseg("config --config " + testing::source_dir() +
                             "/configs/stanford_background.yaml --set train.epochs=3");
  ASSERT_EQ(resolved.exit_code, 0) << resolved.output;
  EXPECT_NE(resolved.output.find("dataset: stanford_background"), std::string::npos) << resolved.output;
  EXPECT_NE(resolved.output.find("epochs: 3"), std::string::npos) << resolved.output;
  auto reference = run_advseg("config --reference");
  ASSERT_EQ(reference.exit_code, 0) << reference.output;
  EXPECT_NE(reference.output.find("| `adversarial.lambda` | float | `0.1` |"), std::string::npos);
  auto unknown = run_advseg("config --set adversarial.lamda=1");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.output.find("did you mean 'adversarial.lambda'"), std::string::npos) << unknown.output;
}

TEST(Cli, MissingDatasetIsAnErrorNamingThePath) {
  testing::TempDir dir;
  auto missing = dir.path() / "no_such_dataset";
  auto result = run_advseg(
      "train --out " + (dir.path() / "run").string() +
      " --set data.dataset=stanford_background --set data.num_classes=8 --set data.root=" + missing.string());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find(missing.string()), std::string::npos) << result.output;
}

TEST(Cli, ComparePrintsRunsSideBySide) {
  testing::TempDir dir;
  auto a = dir.path() / "a.json";
  auto b = dir.path() / "b.json";
  std::ofstream(a) << R"({"metrics": {"mean_iou": 0.5, "pixel_accuracy": 0.75}})";
  std::ofstream(b) << R"({"metrics": {"mean_iou": 0.625, "pixel_accuracy": 0.8}})";
  auto result = run_advseg("compare standard=" + a.string() + " adversarial=" + b.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("standard"), std::string::npos);
  EXPECT_NE(result.output.find("50.00"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("62.50"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace advseg
