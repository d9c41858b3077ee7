#include "advseg/experiment/grid.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

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

TEST(Grid, PixelAndSemiAreHungEtAlsSettings) {
  Config pixel, semi;
  auto variants = parse_grid("pixel,semi");
  apply_overrides(pixel, variants[0].overrides);
  EXPECT_EQ(pixel.model.adversary, "fcd");
  EXPECT_EQ(pixel.adversarial.reduction, "pixel");
  EXPECT_FALSE(pixel.semi.enabled);
  // Semi-supervised training needs unlabelled images: alone it is refused.
  EXPECT_THROW(apply_overrides(semi, variants[1].overrides), Error);
  const auto at_an_eighth = with_label_fractions(variants, "0.125");
  apply_overrides(semi, at_an_eighth[1].overrides);
  EXPECT_TRUE(semi.semi.enabled);
  EXPECT_EQ(semi.data.labeled_fraction, 0.125);
  // On a base config that trains semi-supervised, every other variant switches it off.
  for (const auto& variant :
       with_label_fractions(parse_grid("standard,adversarial,image,pixel,basic-flipped"), "0.125")) {
    Config base = semi;
    apply_overrides(base, variant.overrides);
    EXPECT_FALSE(base.semi.enabled) << variant.name;
  }
}

TEST(Grid, TheConsistencyVariantsNeedNoAdversaryAndSemiCutMixAddsHungEtAlsTerms) {
  const auto variants = with_label_fractions(parse_grid("cutmix,pseudo_label,semi+cutmix,semi"), "0.125");
  std::vector<Config> configs(variants.size());
  for (std::size_t i = 0; i < variants.size(); ++i) {
    configs[i].semi.method = "pseudo_label";  // a base config's method never leaks into a variant
    apply_overrides(configs[i], variants[i].overrides);
    EXPECT_TRUE(configs[i].semi.enabled) << variants[i].name;
  }
  EXPECT_EQ(configs[0].semi.method, "mean_teacher_cutmix");
  EXPECT_FALSE(configs[0].adversarial.enabled);
  EXPECT_EQ(configs[1].semi.method, "pseudo_label");
  EXPECT_FALSE(configs[1].adversarial.enabled);
  EXPECT_EQ(configs[2].semi.method, "adversarial+mean_teacher_cutmix");
  EXPECT_EQ(configs[2].model.adversary, "fcd");
  EXPECT_EQ(configs[3].semi.method, "adversarial");
}

TEST(Grid, AdaptationVariantsAreSourceOnlyAdaptSegNetAdventMinEntAndTheOracle) {
  Config base;
  base.data.shapes_domain = "source";
  base.target = base.data;
  base.target.shapes_domain = "target";
  base.adaptation.lambda_ent = 0.001;
  base.model.adversary = "fcd";
  const auto variants = parse_grid("source_only,adaptsegnet,advent,minent,target_only,source_only_bn");
  std::vector<Config> runs(variants.size(), base);
  for (std::size_t i = 0; i < variants.size(); ++i) apply_overrides(runs[i], variants[i].overrides);
  const Config &source_only = runs[0], &adaptsegnet = runs[1], &advent = runs[2], &minent = runs[3],
               &target_only = runs[4];
  EXPECT_FALSE(source_only.adversarial.enabled);
  EXPECT_EQ(source_only.adaptation.lambda_ent, 0.0);
  EXPECT_EQ(&evaluated_data(source_only), &source_only.target);  // every variant is measured on the target
  for (const Config* adversarial : {&adaptsegnet, &advent}) {
    EXPECT_TRUE(adversarial->adversarial.enabled);
    EXPECT_EQ(adversarial->adversarial.reduction, "pixel");
    EXPECT_EQ(adversarial->adaptation.lambda_ent, 0.0);
  }
  EXPECT_EQ(adaptsegnet.adversarial.encoding, "basic");
  EXPECT_EQ(advent.adversarial.encoding, "entropy");
  EXPECT_FALSE(minent.adversarial.enabled);
  EXPECT_EQ(minent.adaptation.lambda_ent, 0.001);  // the base config's weight
  EXPECT_TRUE(target_only.adaptation.target_labels);
  EXPECT_TRUE(runs[5].adaptation.target_statistics);  // source_only_bn: the control
  EXPECT_FALSE(runs[5].adversarial.enabled);
  EXPECT_EQ(runs[5].adaptation.lambda_ent, 0.0);
  EXPECT_FALSE(source_only.adaptation.target_statistics);
  EXPECT_EQ(&labeled_data(target_only), &target_only.target);
  for (std::size_t i = 0; i < variants.size(); ++i) EXPECT_NO_THROW(check_variant_fits(variants[i], runs[i]));
  // Without data.target, no adaptation method means anything (the oracle is not even valid).
  Config plain;
  EXPECT_THROW(apply_overrides(plain, variants[4].overrides), Error);
  apply_overrides(plain, variants[0].overrides);
  EXPECT_THROW(check_variant_fits(variants[0], plain), Error);
  // MinEnt without an entropy weight would be source only; the oracle ignores the source's label fraction.
  Config no_entropy = base;
  apply_overrides(no_entropy, {"adaptation.lambda_ent=0"});
  apply_overrides(no_entropy, variants[3].overrides);
  EXPECT_THROW(check_variant_fits(variants[3], no_entropy), Error);
  const auto oracle_at_an_eighth = with_label_fractions({variants[4]}, "0.125");
  Config eighth = base;
  apply_overrides(eighth, oracle_at_an_eighth[0].overrides);
  EXPECT_THROW(check_variant_fits(oracle_at_an_eighth[0], eighth), Error);
}

TEST(Grid, LabelFractionsCrossEveryVariantFractionByFraction) {
  const auto crossed = with_label_fractions(parse_grid("standard,semi"), "0.25,1");
  EXPECT_EQ(names(crossed), (std::vector<std::string>{"standard@0.25", "semi@0.25", "standard@1", "semi@1"}));
  EXPECT_EQ(crossed[0].overrides.back(), "data.labeled_fraction=0.25");
  EXPECT_EQ(names(with_label_fractions(parse_grid("standard"), "")), (std::vector<std::string>{"standard"}));
  for (const char* bad : {"0", "1.5", "half", "0.5x", "-0.5"})
    EXPECT_THROW(with_label_fractions(parse_grid("standard"), std::string("0.5,") + bad), Error) << bad;
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
