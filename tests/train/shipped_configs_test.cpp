// Every config under configs/ loads, validates, matches its dataset's class
// count and builds its networks, so a shipped config never fails at start-up
// for a reason its file could have shown.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "advseg/config/config.h"
#include "advseg/data/dataset.h"
#include "advseg/models/from_config.h"
#include "support/paths.h"

namespace advseg {
namespace {

std::vector<std::filesystem::path> shipped_configs() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(testing::source_dir() + "/configs"))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  return files;
}

TEST(ShippedConfigs, LoadValidateAndBuildTheirNetworks) {
  const auto files = shipped_configs();
  EXPECT_GE(files.size(), 7u);
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    const Config config = load_config(file.string());  // validates
    EXPECT_EQ(describe_dataset(config.data).num_classes, config.data.num_classes);
    const auto segmentor = make_configured_segmentor(config, torch::kCPU);
    EXPECT_GT(segmentor->output_stride(), 0);
    if (config.adversarial.enabled) make_configured_adversary(config, torch::kCPU);
  }
}

}  // namespace
}  // namespace advseg
