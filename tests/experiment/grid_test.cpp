#include "advseg/experiment/grid.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "advseg/config/config.h"
#include "advseg/error.h"

namespace advseg {
namespace {

std::vector<std::string> names(const std::vector<Variant>& variants) {
  std::vector<std::string> result;
  for (const auto& variant : variants) result.push_back(variant.name);
  return result;
}

TEST(Grid, FullIsStandardAndEveryEncodingLossPair) {
  EXPECT_EQ(names(parse_grid("full")),
            (std::vector<std::string>{"standard", "basic-flipped", "basic-original", "product-flipped",
                                      "product-original", "scaling-flipped", "scaling-original"}));
}

TEST(Grid, VariantsSetTheConfigKeysTheyAreNamedAfter) {
  Config base;
  base.adversarial.enabled = false;  // "adversarial" must switch it back on
  auto variants = parse_grid("standard,adversarial,scaling-original");
  ASSERT_EQ(variants.size(), 3u);
  Config standard = base, adversarial = base, scaling = base;
  apply_overrides(standard, variants[0].overrides);
  apply_overrides(adversarial, variants[1].overrides);
  apply_overrides(scaling, variants[2].overrides);
  EXPECT_FALSE(standard.adversarial.enabled);
  EXPECT_TRUE(adversarial.adversarial.enabled);
  EXPECT_EQ(adversarial.adversarial.encoding, base.adversarial.encoding);
  EXPECT_TRUE(scaling.adversarial.enabled);
  EXPECT_EQ(scaling.adversarial.encoding, "scaling");
  EXPECT_EQ(scaling.adversarial.loss, "original");
}

TEST(Grid, RejectsUnknownRepeatedOrNoVariants) {
  try {
    parse_grid("standard,adversary");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"adversary\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("product-flipped"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_grid("standard,standard"), Error);
  EXPECT_THROW(parse_grid(""), Error);
}

TEST(Grid, PlansEverySeedOfEveryVariantInItsOwnFolder) {
  auto runs = plan_runs(parse_grid("standard,adversarial"), 5, 2, "out");
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(runs[0].dir, std::filesystem::path("out/standard/seed5"));
  EXPECT_EQ(runs[1].dir, std::filesystem::path("out/standard/seed6"));
  EXPECT_EQ(runs[3].dir, std::filesystem::path("out/adversarial/seed6"));
  EXPECT_EQ(runs[3].seed, 6);
  EXPECT_EQ(runs[3].overrides.back(), "train.seed=6");
  Config config;
  apply_overrides(config, runs[1].overrides);
  EXPECT_EQ(config.train.seed, 6);
  EXPECT_FALSE(config.adversarial.enabled);
  EXPECT_THROW(plan_runs(parse_grid("standard"), 1, 0, "out"), Error);
}

}  // namespace
}  // namespace advseg
