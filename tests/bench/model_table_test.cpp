// `advseg models`' table at a small size (never a timing check): every
// registered network is in it, with torchvision's own parameter counts where
// torchvision publishes them, and multiply-adds that grow with the input.
#include "advseg/bench/model_table.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "advseg/models/registry.h"

namespace advseg {
namespace {

const ModelRow* find_row(const std::vector<ModelRow>& rows, const std::string& name,
                         const std::string& backbone) {
  for (const auto& row : rows)
    if (row.name == name && row.backbone == backbone) return &row;
  return nullptr;
}

// One test: ctest runs each in a process of its own, and the table builds
// every network (seconds).
TEST(ModelTable, ListsEveryNetworkWithCountsFromTorchvisionAndByHand) {
  ModelTableOptions options;
  options.size = 64;
  options.threads = 1;
  std::ostringstream progress;
  const auto rows = model_table(options, progress);

  std::set<std::string> segmentors, adversaries;
  for (const auto& row : rows) {
    (row.kind == "segmentor" ? segmentors : adversaries).insert(row.name);
    EXPECT_GT(row.parameters, 0) << row.name;
    EXPECT_GT(row.conv_gmacs, 0) << row.name;
    EXPECT_FALSE(row.forward_ms_fp32.has_value()) << "timed without --time: " << row.name;
  }
  const auto registered_segmentors = segmentor_names();
  const auto registered_adversaries = adversary_names();
  EXPECT_EQ(segmentors, std::set<std::string>(registered_segmentors.begin(), registered_segmentors.end()));
  EXPECT_EQ(adversaries, std::set<std::string>(registered_adversaries.begin(), registered_adversaries.end()));

  // torchvision 0.14's weight metadata ("num_params", 21 classes): lraspp has
  // no aux head; deeplabv3_resnet50's 42004074 include its aux head (FCNHead
  // 1024 -> 256 -> 21: 2359296 + 512 + 5397 = 2365205), which is off here.
  ASSERT_NE(find_row(rows, "lraspp", "mobilenet_v3_large"), nullptr);
  EXPECT_EQ(find_row(rows, "lraspp", "mobilenet_v3_large")->parameters, 3221538);
  ASSERT_NE(find_row(rows, "deeplabv3", "resnet50"), nullptr);
  EXPECT_EQ(find_row(rows, "deeplabv3", "resnet50")->parameters, 42004074 - 2365205);
  EXPECT_EQ(find_row(rows, "deeplabv3", "resnet50")->output_stride, 8);

  // The multiscale network at 64x64, 21 classes, by hand: conv1 3->16 7x7 on
  // the 64, 32 and 16 px scales (4096 + 1024 + 256 positions) = 12644352;
  // conv2 16->64 7x7 (1024 + 256 + 64) = 67436544; conv3 64->256 7x7
  // (256 + 64 + 16) = 269746176; the 256->21 classifier per scale before
  // resizing (256 + 64 + 16 positions) = 1806336: 351633408 multiply-adds.
  ASSERT_NE(find_row(rows, "multiscale", ""), nullptr);
  EXPECT_NEAR(find_row(rows, "multiscale", "")->conv_gmacs, 0.351633408, 1e-12);
  EXPECT_EQ(find_row(rows, "multiscale", "")->output_stride, 4);
}

}  // namespace
}  // namespace advseg
