// Fine-tuning end to end, as a user with a torchvision model would: export
// it from Python (here randomly initialised: nothing can be downloaded),
// convert it with the shipped tools/convert_torchvision.py, train it with
// `advseg train --set model.pretrained=...`, and evaluate the result.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/run_command.h"
#include "cli/tiny_cli.h"
#include "models/torchvision_reference.h"
#include "support/paths.h"
#include "support/temp_dir.h"

namespace advseg {
namespace {

TEST(FineTuning, ConvertedTorchvisionModelTrainsAndEvaluates) {
  testing::TempDir dir;
  std::string why;
  // A whole pickled model, the form convert_torchvision.py must unwrap (and
  // loads only when trusted: it runs code of its own).
  const std::string save =
      "\"import sys, torch, torchvision; torch.manual_seed(0); "
      "m = torchvision.models.segmentation.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None, "
      "num_classes=5); torch.save(m, sys.argv[1])\" ";
  const bool exported =
      testing::run_python("-c " + save + testing::quoted(dir.file("model.pt").string()), dir, why) &&
      testing::run_python(testing::quoted(testing::source_dir() + "/tools/convert_torchvision.py") +
                              " --trust-pickle " + testing::quoted(dir.file("model.pt").string()) + " " +
                              testing::quoted(dir.file("weights.pth").string()),
                          dir, why);
  SKIP_OR_FAIL_WITHOUT(exported, why);

  const auto out = dir.path() / "run";
  auto train =
      testing::run_advseg("train --out " + out.string() + testing::kTinyCli +
                          " --set train.epochs=1 --set model.segmentor=lraspp --set model.pretrained=" +
                          dir.file("weights.pth").string());
  ASSERT_EQ(train.exit_code, 0) << train.output;
  EXPECT_NE(train.output.find("model.pretrained"), std::string::npos) << train.output;
  EXPECT_NE(train.output.find("loaded"), std::string::npos) << train.output;
  auto eval = testing::run_advseg("eval --checkpoint " + (out / "last").string() + " --out " +
                                  dir.file("eval.json").string());
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  std::ifstream metrics(dir.file("eval.json"));
  EXPECT_TRUE(nlohmann::json::parse(metrics)["metrics"]["mean_iou"].is_number());

  // A file of another model is refused, naming a tensor and both shapes.
  auto wrong =
      testing::run_advseg("train --out " + (dir.path() / "wrong").string() + testing::kTinyCli +
                          " --set train.epochs=1 --set model.segmentor=lraspp --set data.num_classes=5"
                          " --set model.pretrained=" +
                          dir.file("weights.pth").string() +
                          " --set model.segmentor=deeplabv3 --set model.backbone=mobilenet_v3_large");
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  EXPECT_NE(wrong.output.find("weights.pth"), std::string::npos) << wrong.output;
}

}  // namespace
}  // namespace advseg
