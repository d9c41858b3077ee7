// Smoke test of `advseg bench --json` at a tiny size (never a timing check):
// the report has every figure, and its convolution FLOP counts match the
// networks' architecture worked out by hand.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "support/paths.h"

namespace {

// Runs the built advseg with `arguments`; its stdout only (progress goes to stderr).
std::string advseg_stdout(const std::string& arguments, int& exit_code) {
  const std::string command = advseg::testing::binary_dir() + "/advseg " + arguments;
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return output;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  const int status = ::pclose(pipe);
  exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

const std::string kDataRoot = advseg::testing::shared_data_dir() + "/stanford_background";

class BenchCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    int exit_code = -1;
    const auto output = advseg_stdout(
        "bench --json --profile --batch 1 --height 32 --width 32 --iters 1 --threads 1 --loader-batches 2 "
        "--data-root "
        "'" +
            kDataRoot + "'",
        exit_code);
    ASSERT_EQ(exit_code, 0) << output;
    report_ = nlohmann::json::parse(output);
  }
  static nlohmann::json report_;
};

nlohmann::json BenchCommand::report_;

TEST_F(BenchCommand, ReportsEveryRequiredFigureAsAPositiveNumber) {
  for (const char* key :
       {"train_images_per_s_standard", "train_images_per_s_adversarial", "infer_images_per_s_b1",
        "infer_images_per_s_b8", "peak_rss_mb", "train_gflops_per_s", "conv_peak_gflops_per_s"}) {
    ASSERT_TRUE(report_.contains(key)) << key;
    ASSERT_TRUE(report_[key].is_number()) << key;
    EXPECT_GT(report_[key].get<double>(), 0.0) << key;
  }
  EXPECT_EQ(report_["threads"], 1);
}

TEST_F(BenchCommand, MeasuresTheLoaderOnlyWhereTheDataIs) {
  if (std::filesystem::exists(kDataRoot)) {
    EXPECT_GT(report_["loader_images_per_s"].get<double>(), 0.0);
  } else {
    EXPECT_TRUE(report_["loader_images_per_s"].is_null());
    EXPECT_NE(report_["notes"].dump().find("loader_images_per_s"), std::string::npos);
  }
}

// One 32x32 image, 8 classes. Multiply-adds (MAC) per forward pass:
//   segmentor, scales 32, 16, 8 px: conv1 3->16 7x7 (1024+256+64 positions)
//   = 3161088, conv2 16->64 7x7 (256+64+16) = 16859136, conv3 64->256 7x7
//   (64+16+4) = 67436544, classifier 256->8 per scale before resizing, on
//   8x8, 4x4 and 2x2 (64+16+4) = 172032; F = 87628800.
// Standard: forward F, weight gradients F, input gradients F - conv1
// (the images need none): 259725312 MAC = 519450624 FLOPs.
TEST_F(BenchCommand, CountsTheStandardIterationsConvolutionFlops) {
  EXPECT_DOUBLE_EQ(report_["train_conv_gflop_per_iteration_standard"].get<double>(), 0.519450624);
}

// Adversary per image (label map 8x8): label 8->64 5x5 L = 819200; image
// branch 3->16 5x5 at 32x32 I1 = 1228800, 16->64 5x5 at 16x16 I2 = 6553600;
// trunk 128->128 3x3 at 8x8 = 9437184, 128->256 at 4x4 = 4718592, 256->512
// at 2x2 = 4718592, 512->1 at 2x2 = 18432 (trunk T = 18892800).
// The image branch runs once per step, shared by every pass: forward
// I1 + I2 = 7782400.
// Segmentor update: standard's 259725312 + the frozen adversary's label
// branch and trunk, L + T = 19712000, and their input gradients, T + L.
// Adversary update on 2 maps: forward 2(L + T), weight gradients 2(L + T)
// and, once, I1 + I2; input gradients 2T and I2 (labels are detached, images
// need none). Total 437901312 MAC = 875802624 FLOPs.
TEST_F(BenchCommand, CountsTheAdversarialIterationsConvolutionFlops) {
  EXPECT_DOUBLE_EQ(report_["train_conv_gflop_per_iteration_adversarial"].get<double>(), 0.875802624);
}

// --profile: one iteration of each loop, training and inference, operator by operator.
TEST_F(BenchCommand, ProfilesEachLoopOperatorByOperator) {
  for (const char* loop : {"standard", "adversarial", "inference_b1", "inference_b8"}) {
    const auto& profile = report_["profile"][loop];
    const double iteration_ms = profile["iteration_ms"].get<double>();
    EXPECT_GT(iteration_ms, 0.0) << loop;
    EXPECT_GE(profile["outside_operators_ms"].get<double>(), 0.0) << loop;
    ASSERT_FALSE(profile["ops"].empty()) << loop;
    bool has_convolution = false;
    double previous = iteration_ms;
    for (const auto& op : profile["ops"]) {
      EXPECT_LE(op["self_ms"].get<double>(), previous) << loop << ": not sorted by self time";
      previous = op["self_ms"].get<double>();
      EXPECT_GE(op["calls"].get<int>(), 1) << loop;
      has_convolution =
          has_convolution || op["op"].get<std::string>().find("convolution") != std::string::npos;
    }
    EXPECT_TRUE(has_convolution) << loop << ": " << profile.dump();
  }
}

// Another segmentor, with the twin: torchvision's own LR-ASPP on the Python
// side, in advseg's precision, with a ratio per figure.
TEST(BenchCommandTwin, RunsTorchvisionsOwnModelForATorchvisionFamily) {
  int exit_code = -1;
  const auto output = advseg_stdout(
      "bench --json --twin --twin-forms nchw,channels_last --segmentor lraspp --batch 2 --height 32 "
      "--width 32 --iters 1 --warmup 0 --threads 1 --loader-batches 1 --data-root /nonexistent",
      exit_code);
  ASSERT_EQ(exit_code, 0) << output;
  const auto report = nlohmann::json::parse(output);
  EXPECT_EQ(report["segmentor"], "lraspp");
  for (const char* form : {"nchw", "channels_last"}) {
    EXPECT_EQ(report["twin"][form]["segmentor"], "lraspp") << form;
    EXPECT_EQ(report["twin"][form]["precision"], report["precision"]) << form;
    EXPECT_EQ(report["twin"][form]["channels_last"], std::string(form) == "channels_last");
    EXPECT_GT(report["ratios"][form]["train_images_per_s_adversarial"].get<double>(), 0.0) << form;
    // Inference: eager, and TorchScript frozen where it traces; the figure is the faster.
    const auto& twin = report["twin"][form];
    const double eager = twin["infer_images_per_s_b1_eager"].get<double>();
    const double frozen = twin.value("infer_images_per_s_b1_frozen", 0.0);
    EXPECT_TRUE(frozen > 0 || twin.contains("infer_images_per_s_b1_frozen_error")) << twin.dump();
    EXPECT_DOUBLE_EQ(twin["infer_images_per_s_b1"].get<double>(), std::max(eager, frozen)) << form;
  }
  EXPECT_FALSE(report["twin"].contains("compiled")) << "--twin-forms leaves it out";
}

TEST(BenchCommandErrors, NamesWhatTheTwinCannotBuildAndRefusesSegmentorOverrides) {
  int exit_code = -1;
  const auto twin = advseg_stdout("bench --twin --segmentor unet --iters 1 2>&1", exit_code);
  EXPECT_EQ(exit_code, 1);
  EXPECT_NE(
      twin.find("no counterpart of segmentor 'unet' (it has multiscale, fcn_resnet, deeplabv3, lraspp)"),
      std::string::npos)
      << twin;
  const auto smp =
      advseg_stdout("bench --twin --twin-library smp --segmentor lraspp --iters 1 2>&1", exit_code);
  EXPECT_EQ(exit_code, 1);
  EXPECT_NE(smp.find("--twin-library smp compares deeplabv3 only"), std::string::npos) << smp;
  // The twin's options without the twin would be silently ignored.
  const auto alone =
      advseg_stdout("bench --twin-library smp --segmentor deeplabv3 --iters 1 2>&1", exit_code);
  EXPECT_EQ(exit_code, 1);
  EXPECT_NE(alone.find("--twin-library requires --twin"), std::string::npos) << alone;
  const auto set = advseg_stdout("bench --set model.segmentor=unet --iters 1 2>&1", exit_code);
  EXPECT_EQ(exit_code, 1);
  EXPECT_NE(set.find("--set model.segmentor=unet: use --segmentor"), std::string::npos) << set;
  const auto unknown = advseg_stdout("bench --segmentor nope --iters 1 2>&1", exit_code);
  EXPECT_EQ(exit_code, 1);
  EXPECT_NE(unknown.find("model.segmentor: unknown network 'nope'"), std::string::npos) << unknown;
}

TEST(BenchCommandErrors, RefusesImagesTooSmallForTheAdversary) {
  int exit_code = -1;
  advseg_stdout("bench --json --height 2 --width 32 --iters 1 2>/dev/null", exit_code);
  EXPECT_NE(exit_code, 0);
}

}  // namespace
