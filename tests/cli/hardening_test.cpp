// Regression tests for the defects of issue 13 (an outside review and a
// bad-input sweep), each named after its item in docs/reliability.md: what
// the user does, and what advseg must answer.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <thread>

#include "advseg/eval/confusion_matrix.h"
#include "advseg/io/png_mask.h"
#include "advseg/train/run_lock.h"
#include "cli/run_command.h"
#include "cli/tiny_cli.h"
#include "support/paths.h"
#include "support/temp_dir.h"

namespace advseg {
namespace {
namespace fs = std::filesystem;
using testing::folder_settings;
using testing::run_advseg;
using testing::run_advseg_in;
using testing::train_tiny;
using testing::write_folder_dataset;

const std::string& kTiny = testing::kTinyCli;

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ---- Data loss and silent wrong results -------------------------------------

TEST(Hardening, Item01PredictRefusesAnOutputInsideItsInput) {
  testing::TempDir dir;
  const auto run = train_tiny(dir.path() / "run");
  const auto images = write_folder_dataset(dir.path() / "data", 2) / "images";
  for (const auto& out : {images, images / "predictions"}) {
    auto result = run_advseg("predict --checkpoint " + (run / "last").string() + " --input " +
                             images.string() + " --out " + out.string());
    EXPECT_EQ(result.exit_code, 1) << result.output;
    EXPECT_TRUE(contains(result.output, "the --input folder")) << result.output;
  }
  // A single image whose label map would replace it.
  auto same = run_advseg("predict --checkpoint " + (run / "last").string() + " --input " +
                         (images / "img0.png").string() + " --out " + images.string());
  EXPECT_EQ(same.exit_code, 1);
  EXPECT_TRUE(contains(same.output, "would overwrite the input image")) << same.output;
  EXPECT_EQ(std::distance(fs::directory_iterator(images), fs::directory_iterator()), 2);  // nothing written
}

TEST(Hardening, Item02PredictOutputNamesAreUniqueOrRefused) {
  testing::TempDir dir;
  const auto run = train_tiny(dir.path() / "run");
  const auto input = dir.path() / "in";
  fs::create_directories(input);
  cv::Mat image(20, 24, CV_8UC3, cv::Scalar(10, 200, 30));
  cv::imwrite((input / "x.jpg").string(), image);
  cv::imwrite((input / "x_overlay.jpg").string(), image);  // collided with x.jpg's overlay before
  auto ok = run_advseg("predict --checkpoint " + (run / "last").string() + " --input " + input.string() +
                       " --out " + (dir.path() / "out").string());
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  for (const char* name : {"x.png", "x_overlay.png", "overlays/x.png", "overlays/x_overlay.png"})
    EXPECT_TRUE(fs::exists(dir.path() / "out" / name)) << name;
  EXPECT_EQ(read_index_png(dir.path() / "out" / "x.png").size(), cv::Size(24, 20));

  cv::imwrite((input / "x.png").string(), image);  // x.jpg and x.png share the stem
  auto clash = run_advseg("predict --checkpoint " + (run / "last").string() + " --input " + input.string() +
                          " --out " + (dir.path() / "out2").string());
  EXPECT_EQ(clash.exit_code, 1);
  EXPECT_TRUE(contains(clash.output, "would both be written as")) << clash.output;
  EXPECT_FALSE(fs::exists(dir.path() / "out2"));
}

// predict and eval share one prediction path: the masks predict writes score
// exactly what eval reports, in bf16 too (predict had no autocast before).
TEST(Hardening, Item03PredictMasksEqualWhatEvalScores) {
  testing::TempDir dir;
  const auto run = train_tiny(dir.path() / "run");
  const auto data = write_folder_dataset(dir.path() / "data", 3);
  const std::string bf16 = " --set train.precision=bf16";
  auto eval = run_advseg("eval --checkpoint " + (run / "last").string() + folder_settings(data) + bf16 +
                         " --out " + (dir.path() / "eval.json").string());
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  auto predict = run_advseg("predict --checkpoint " + (run / "last").string() + " --input " +
                            (data / "images").string() + " --out " + (dir.path() / "pred").string() +
                            folder_settings(data) + bf16);
  ASSERT_EQ(predict.exit_code, 0) << predict.output;

  ConfusionMatrix confusion(5);
  for (int i = 0; i < 3; ++i) {
    const std::string name = "img" + std::to_string(i) + ".png";
    const cv::Mat truth = read_index_png(data / "masks" / name);
    cv::Mat predicted;
    read_index_png(dir.path() / "pred" / name).convertTo(predicted, CV_64F);
    std::vector<std::int64_t> classes(predicted.begin<double>(), predicted.end<double>());
    confusion.update(truth.data, classes.data(), classes.size());
  }
  const auto evaluated = read_json(dir.path() / "eval.json");
  EXPECT_EQ(evaluated["precision"], "bf16");
  EXPECT_DOUBLE_EQ(evaluated["metrics"]["mean_iou"].get<double>(), confusion.metrics().mean_iou);
  EXPECT_DOUBLE_EQ(evaluated["metrics"]["pixel_accuracy"].get<double>(), confusion.metrics().pixel_accuracy);
}

TEST(Hardening, Item04ResumeRefusesAChangedBatchSize) {
  testing::TempDir dir;
  const auto run = train_tiny(dir.path() / "run", " --set train.segmentor_optimizer.schedule=poly");
  auto resumed = run_advseg("train --out " + run.string() + " --resume " + (run / "last").string() +
                            " --set train.batch_size=3 --set train.epochs=2");
  EXPECT_EQ(resumed.exit_code, 1);
  EXPECT_TRUE(contains(resumed.output, "train.batch_size changed from 4 to 3")) << resumed.output;
  // With the poly schedule, more epochs would stretch the schedule too.
  auto longer = run_advseg("train --out " + run.string() + " --resume " + (run / "last").string() +
                           " --set train.epochs=2");
  EXPECT_EQ(longer.exit_code, 1);
  EXPECT_TRUE(contains(longer.output, "train.epochs changed from 1 to 2")) << longer.output;
}

TEST(Hardening, Item05ExperimentRefusesASetThatContradictsAVariant) {
  testing::TempDir dir;
  auto result = run_advseg("experiment --out " + (dir.path() / "exp").string() +
                           " --grid adversarial --seeds 1 --set adversarial.enabled=false" + kTiny);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.output, "contradicts the variant 'adversarial'")) << result.output;
  EXPECT_FALSE(fs::exists(dir.path() / "exp" / "experiment.yaml"));
}

TEST(Hardening, Item07ResumeDropsLogEntriesAfterItsCheckpoint) {
  testing::TempDir dir;
  const auto run = train_tiny(dir.path() / "run");
  // What a SIGKILL after the checkpoint leaves: entries past it, and a torn line.
  {
    std::ofstream log(run / "log.jsonl", std::ios::app);
    log << R"({"type":"train","iteration":5,"epoch":2})"
        << "\n"
        << R"({"type":"tra)";
  }
  auto resumed = run_advseg("train --out " + run.string() + " --resume " + (run / "last").string() +
                            " --set train.epochs=2");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_TRUE(contains(resumed.output, "dropped 2 entries after iteration 4")) << resumed.output;
  std::ifstream log(run / "log.jsonl");
  std::set<std::pair<std::string, std::int64_t>> seen;
  for (std::string line; std::getline(log, line);) {
    const auto entry = nlohmann::json::parse(line);
    const auto key = std::make_pair(entry["type"].get<std::string>(), entry["iteration"].get<std::int64_t>());
    EXPECT_TRUE(seen.insert(key).second) << "duplicate entry " << line;
  }
  EXPECT_EQ(seen.size(), 6u);  // 2 epochs of 4 iterations logged every 2, and 2 validations
}

TEST(Hardening, Item07SecondTrainingIntoTheSameFolderIsRefused) {
  testing::TempDir dir;
  const auto out = dir.path() / "run";
  const RunLock held(out);  // as a training in progress holds it
  auto second = run_advseg("train --out " + out.string() + kTiny + " --set train.epochs=1");
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_TRUE(contains(second.output, "in use by another advseg training")) << second.output;
  EXPECT_FALSE(fs::exists(out / "log.jsonl"));
}

TEST(Hardening, Item09CompareShowsEveryRunsOwnClasses) {
  testing::TempDir dir;
  const auto write = [&](const std::string& name, const std::string& cls) {
    std::ofstream(dir.path() / name) << R"({"metrics":{"mean_iou":0.5,"per_class":{")" << cls
                                     << R"(":{"iou":0.25,"accuracy":0.5}}}})";
  };
  write("a.json", "sky");
  write("b.json", "road");
  auto result =
      run_advseg("compare a=" + (dir.path() / "a.json").string() + " b=" + (dir.path() / "b.json").string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  for (const char* row : {"IoU sky (%)", "IoU road (%)"}) {
    const auto at = result.output.find(row);
    ASSERT_NE(at, std::string::npos) << result.output;
    EXPECT_TRUE(contains(result.output.substr(at, result.output.find('\n', at) - at), "25.00")) << row;
  }
}

TEST(Hardening, Item10SpecialFilesAreNamedNotSkippedAndNeverBlock) {
  testing::TempDir dir;
  const auto run = train_tiny(dir.path() / "run");
  const auto data = write_folder_dataset(dir.path() / "data", 2);
  ASSERT_EQ(::mkfifo((data / "images" / "pipe.jpg").c_str(), 0644), 0);
  auto train = run_advseg("train --out " + (dir.path() / "run2").string() + kTiny + folder_settings(data));
  EXPECT_EQ(train.exit_code, 1);
  EXPECT_TRUE(contains(train.output, "pipe.jpg: image: is a FIFO")) << train.output;
  auto predict =
      run_advseg("predict --checkpoint " + (run / "last").string() + " --input " +
                 (data / "images" / "pipe.jpg").string() + " --out " + (dir.path() / "p").string());
  EXPECT_EQ(predict.exit_code, 1);
  EXPECT_TRUE(contains(predict.output, "FIFO")) << predict.output;
  fs::remove(data / "images" / "pipe.jpg");
  fs::create_directory(data / "images" / "folder.png");
  auto folder = run_advseg("predict --checkpoint " + (run / "last").string() + " --input " +
                           (data / "images").string() + " --out " + (dir.path() / "p").string());
  EXPECT_EQ(folder.exit_code, 1);
  EXPECT_TRUE(contains(folder.output, "folder.png: is a directory")) << folder.output;
  EXPECT_TRUE(contains(folder.output, "--skip-bad")) << folder.output;  // issue 27, item 7
}

// ---- Internal errors where a clear error is due ----------------------------

// An allocation failure mid-step (here: an address-space limit well below the
// activations of 2048x2048 crops) is an error saying what to lower.
TEST(Hardening, Item12OutOfMemoryIsAClearError) {
#ifdef __SANITIZE_ADDRESS__
  GTEST_SKIP() << "AddressSanitizer reserves more address space than the limit this test sets";
#endif
  testing::TempDir dir;
  auto limited = testing::run_shell("ulimit -v 6000000; " + testing::binary_dir() + "/advseg train --out " +
                                    (dir.path() / "limited").string() + kTiny +
                                    " --set data.shapes_image_size=2048 --set data.crop_height=2048"
                                    " --set data.crop_width=2048 --set train.batch_size=8"
                                    " --set data.shapes_train_size=8 --set data.shapes_val_size=1"
                                    " --set model.segmentor_widths=[64,64,64]");
  EXPECT_EQ(limited.exit_code, 1) << limited.output;
  EXPECT_TRUE(contains(limited.output, "out of memory at iteration 1")) << limited.output;
  EXPECT_TRUE(contains(limited.output, "lower train.batch_size")) << limited.output;
}

TEST(Hardening, Item11PathErrorsNameThePathAndExitWithOne) {
  testing::TempDir dir;
  const auto run = train_tiny(dir.path() / "run");
  const auto file = dir.path() / "afile";
  std::ofstream(file) << "x";
  auto train = run_advseg("train --out " + file.string() + kTiny + " --set train.epochs=1");
  EXPECT_EQ(train.exit_code, 1) << train.output;
  EXPECT_TRUE(contains(train.output, file.string())) << train.output;
  auto eval =
      run_advseg("eval --checkpoint " + (run / "last").string() + " --out " + (file / "m.json").string());
  EXPECT_EQ(eval.exit_code, 1) << eval.output;
  EXPECT_TRUE(contains(eval.output, file.string())) << eval.output;
  cv::imwrite((dir.path() / "photo.png").string(), cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)));
  auto predict = run_advseg("predict --checkpoint " + (run / "last").string() + " --input " +
                            (dir.path() / "photo.png").string() + " --out " + file.string());
  EXPECT_EQ(predict.exit_code, 1) << predict.output;
  EXPECT_TRUE(contains(predict.output, "--out must be a folder")) << predict.output;
  const auto loop = dir.path() / "loop";
  fs::create_directory(loop);
  fs::create_symlink("b.jpg", loop / "a.jpg");
  fs::create_symlink("a.jpg", loop / "b.jpg");
  auto looped = run_advseg("predict --checkpoint " + (run / "last").string() + " --input " + loop.string() +
                           " --out " + (dir.path() / "p").string());
  EXPECT_EQ(looped.exit_code, 1) << looped.output;
  EXPECT_TRUE(contains(looped.output, "symbolic link loop")) << looped.output;
  for (const auto* result : {&train, &eval, &predict, &looped})
    EXPECT_FALSE(contains(result->output, "internal error")) << result->output;
}

TEST(Hardening, Item12CropSizesAreBoundedByThePixelLimit) {
  testing::TempDir dir;
  auto result = run_advseg("train --out " + (dir.path() / "run").string() + kTiny +
                           " --set data.crop_height=30000 --set data.crop_width=30000");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(
      contains(result.output, "data.crop_height x data.crop_width: must be at most data.max_image_pixels"))
      << result.output;
}

// More threads than the machine has are capped there, saying so (issue 27, item 6).
TEST(Hardening, Item13ThreadsAreValidatedAndTooManyAreCapped) {
  testing::TempDir dir;
  for (const char* threads : {"-1", "5000"}) {
    auto result =
        run_advseg(std::string("eval --checkpoint ") + dir.path().string() + " --threads " + threads);
    EXPECT_EQ(result.exit_code, 1) << result.output;
    EXPECT_TRUE(contains(result.output, "--threads")) << result.output;
  }
  const auto run = train_tiny(dir.path() / "run");
  const auto many = std::to_string(std::thread::hardware_concurrency() + 1);
  auto result = run_advseg("eval --checkpoint " + (run / "last").string() + " --threads " + many);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "note: " + many + " threads asked for on " +
                                          std::to_string(std::thread::hardware_concurrency()) +
                                          " hardware threads: using " +
                                          std::to_string(std::thread::hardware_concurrency())))
      << result.output;
}

// ---- Errors that mislead ----------------------------------------------------

TEST(Hardening, Item14RelativeDataRootIsSavedAbsolute) {
  testing::TempDir dir;
  write_folder_dataset(dir.path() / "data", 4);
  const std::string relative =
      " --set data.dataset=folder --set data.root=data --set data.num_classes=5"
      " --set data.train_split= --set data.val_split=";
  auto train = run_advseg_in(dir.path().string(), "train --out run --set train.epochs=1" + kTiny + relative);
  ASSERT_EQ(train.exit_code, 0) << train.output;
  EXPECT_TRUE(
      contains(read_text(dir.path() / "run" / "last" / "config.yaml"), (dir.path() / "data").string()));
  auto eval = run_advseg_in("/", "eval --checkpoint " + (dir.path() / "run" / "last").string());
  EXPECT_EQ(eval.exit_code, 0) << eval.output;
  auto missing = run_advseg_in(
      dir.path().string(), "train --out run2" + kTiny + " --set data.dataset=folder --set data.root=nowhere");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(contains(missing.output, (dir.path() / "nowhere").string())) << missing.output;
}

TEST(Hardening, Item15CudaCheckpointEvaluatesOnTheCpu) {
  testing::TempDir dir;
  const auto run = train_tiny(dir.path() / "run");
  const auto copy = dir.path() / "cuda_checkpoint";
  fs::copy(fs::canonical(run / "last"), copy, fs::copy_options::recursive);
  auto config = read_text(copy / "config.yaml");
  const auto at = config.find("device: cpu");
  ASSERT_NE(at, std::string::npos);
  std::ofstream(copy / "config.yaml") << config.replace(at, 11, "device: cuda");
  auto eval = run_advseg("eval --checkpoint " + copy.string());
  if (contains(eval.output, "CUDA is available")) GTEST_SKIP() << "this machine has CUDA";
  EXPECT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_TRUE(contains(eval.output, "runs on the cpu")) << eval.output;
}

TEST(Hardening, Item16ErrorsSayWhatIsWrong) {
  testing::TempDir dir;
  const auto run = train_tiny(dir.path() / "run");
  auto run_dir = run_advseg("eval --checkpoint " + run.string());
  EXPECT_EQ(run_dir.exit_code, 1);
  EXPECT_TRUE(contains(run_dir.output, "is a training run's folder, not a checkpoint: use"))
      << run_dir.output;

  const auto copy = dir.path() / "empty_config";
  fs::copy(fs::canonical(run / "last"), copy, fs::copy_options::recursive);
  std::ofstream(copy / "config.yaml", std::ios::trunc).flush();
  auto empty = run_advseg("eval --checkpoint " + copy.string());
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_TRUE(contains(empty.output, "config.yaml: empty")) << empty.output;

  auto unknown = run_advseg("eval --checkpoint " + (run / "last").string() + " --set model.segmentor=fcn99");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(contains(unknown.output, "config.yaml: model.segmentor: unknown network 'fcn99'"))
      << unknown.output;

  auto big = run_advseg("train --out " + (dir.path() / "r").string() + " --set train.epochs=2147483648");
  EXPECT_EQ(big.exit_code, 1);
  EXPECT_TRUE(contains(big.output, "out of range")) << big.output;
}

TEST(Hardening, Item17BadValidationImageStopsTheRunBeforeTraining) {
  testing::TempDir dir;
  const auto data = write_folder_dataset(dir.path() / "data", 4);
  fs::create_directories(data / "splits");
  std::ofstream(data / "splits" / "train.txt") << "img0\nimg1\nimg2\n";
  std::ofstream(data / "splits" / "val.txt") << "img3\n";
  std::ofstream(data / "images" / "img3.png", std::ios::trunc) << "not a png";
  auto train =
      run_advseg("train --out " + (dir.path() / "run").string() + kTiny +
                 " --set data.dataset=folder --set data.num_classes=5 --set data.root=" + data.string() +
                 " --set train.batch_size=1");
  EXPECT_EQ(train.exit_code, 1);
  EXPECT_TRUE(contains(train.output, "img3.png")) << train.output;
  EXPECT_FALSE(contains(read_text(dir.path() / "run" / "log.jsonl"), "\"train\""))
      << "trained before checking";
}

TEST(Hardening, Item18DivergenceBeforeAnyCheckpointSaysSo) {
  testing::TempDir dir;
  auto result =
      run_advseg("train --out " + (dir.path() / "run").string() + kTiny +
                 " --set train.segmentor_optimizer.type=sgd --set train.segmentor_optimizer.lr=1e30");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.output, "no checkpoint had been saved yet")) << result.output;
  EXPECT_FALSE(fs::exists(dir.path() / "run" / "last"));
}

// A command that fails with a user-facing error (exit 1, not a CLI11 usage
// code or an internal error) whose output says `text`.
void expect_error_saying(const std::string& arguments, const std::string& text) {
  const auto result = run_advseg(arguments);
  EXPECT_EQ(result.exit_code, 1) << arguments << "\n" << result.output;
  EXPECT_TRUE(contains(result.output, text)) << arguments << "\n" << result.output;
}

TEST(Hardening, Item19SmallMessagesAreClear) {
  auto huge = run_advseg("experiment --out /tmp/x --seeds " + std::string(300, '9'));
  EXPECT_EQ(huge.exit_code, 1);
  EXPECT_LT(huge.output.size(), 400u) << huge.output;
  expect_error_saying("trian --out x", "unknown command 'trian'");
  expect_error_saying("panels --checkpoints a=/tmp --out panels.gif", "must end in .png, .jpg or .jpeg");
  expect_error_saying("bench --height 4", "--height: expected a whole number from 8 to 16384, got '4'");
  auto version = run_advseg("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_TRUE(contains(version.output, "advseg 0.")) << version.output;
}

// ---- The console ------------------------------------------------------------

TEST(Hardening, Item22HelpSaysWhetherOutIsAFileOrAFolder) {
  for (const char* command : {"train", "predict", "experiment"})
    EXPECT_TRUE(contains(run_advseg(std::string(command) + " --help").output, "Output folder")) << command;
  for (const char* command : {"eval", "panels"})
    EXPECT_TRUE(contains(run_advseg(std::string(command) + " --help").output, "Output file")) << command;
  EXPECT_FALSE(contains(run_advseg("compare --help").output, "--set"));
}

// Without --config, train runs configs/shapes.yaml (the demo), not the
// struct defaults.
TEST(Hardening, Item22TrainWithoutConfigTrainsConfigsShapesYaml) {
  testing::TempDir dir;
  const auto run = train_tiny(dir.path() / "run");
  const auto saved = read_text(run / "last" / "config.yaml");
  const auto demo = read_text(fs::path(testing::source_dir()) / "configs" / "shapes.yaml");
  for (const char* setting : {"adversary: smallfov-light", "lambda: 0.02", "encoding: scaling"}) {
    EXPECT_TRUE(contains(demo, setting)) << setting;
    EXPECT_TRUE(contains(saved, setting)) << setting;
  }
}

TEST(Hardening, Item21EpochsCountFromOneAndPercentagesSayPercent) {
  testing::TempDir dir;
  auto train = run_advseg("train --out " + (dir.path() / "run").string() + kTiny + " --set train.epochs=1");
  ASSERT_EQ(train.exit_code, 0) << train.output;
  EXPECT_TRUE(contains(train.output, "epoch 1 val: mIoU ")) << train.output;
  EXPECT_TRUE(contains(train.output, "%  pixel acc")) << train.output;
  std::ifstream log(dir.path() / "run" / "log.jsonl");
  for (std::string line; std::getline(log, line);) EXPECT_EQ(nlohmann::json::parse(line)["epoch"], 1) << line;
}

TEST(Hardening, Item28PrecisionIsRecordedAsUsed) {
  testing::TempDir dir;
  const auto run = dir.path() / "run";
  auto train =
      run_advseg("train --out " + run.string() + kTiny + " --set train.epochs=1 --set train.precision=auto");
  ASSERT_EQ(train.exit_code, 0) << train.output;
  const auto precision = read_json(run / "metrics.json")["precision"].get<std::string>();
  EXPECT_TRUE(precision == "fp32" || precision == "bf16") << precision;
  EXPECT_TRUE(contains(read_text(run / "last" / "config.yaml"), "precision: " + precision));
}

}  // namespace
}  // namespace advseg
