#include "advseg/experiment/results.h"

#include <gtest/gtest.h>

#include <cmath>

namespace advseg {
namespace {

// Two seeds of one variant; sky's accuracy is missing (NaN) in the first.
const nlohmann::json kRunA = nlohmann::json::parse(R"({
  "seed": 1, "variant": "standard", "train_seconds": 10,
  "metrics": {"mean_iou": 0.5, "per_class": {"sky": {"iou": 0.4, "accuracy": null}}},
  "consistency": {"bf_score": 0.25, "per_class": {"sky": {"bf_score": 0.25}}}})");
const nlohmann::json kRunB = nlohmann::json::parse(R"({
  "seed": 2, "variant": "standard", "train_seconds": 14,
  "metrics": {"mean_iou": 0.7, "per_class": {"sky": {"iou": 0.6, "accuracy": 0.5}}},
  "consistency": {"bf_score": 0.75, "per_class": {"sky": {"bf_score": 0.75}}}})");

TEST(Results, MeanAndSampleStandardDeviationOfEveryNumber) {
  const auto summary = summarize_runs({kRunA, kRunB});
  const auto& iou = summary["metrics"]["mean_iou"];
  EXPECT_DOUBLE_EQ(iou["mean"].get<double>(), 0.6);
  // Sample std: sqrt((0.1^2 + 0.1^2) / (2 - 1)).
  EXPECT_NEAR(iou["std"].get<double>(), std::sqrt(0.02), 1e-12);
  EXPECT_EQ(iou["n"], 2);
  EXPECT_EQ(iou["values"], nlohmann::json({0.5, 0.7}));
  EXPECT_DOUBLE_EQ(summary["consistency"]["bf_score"]["mean"].get<double>(), 0.5);
  EXPECT_NEAR(summary["consistency"]["bf_score"]["std"].get<double>(), std::sqrt(0.125), 1e-12);
  EXPECT_DOUBLE_EQ(summary["train_seconds"]["mean"].get<double>(), 12.0);
  // Nested per-class numbers too; a null is left out, so one value and no std.
  EXPECT_DOUBLE_EQ(summary["metrics"]["per_class"]["sky"]["iou"]["mean"].get<double>(), 0.5);
  const auto& accuracy = summary["metrics"]["per_class"]["sky"]["accuracy"];
  EXPECT_DOUBLE_EQ(accuracy["mean"].get<double>(), 0.5);
  EXPECT_TRUE(accuracy["std"].is_null());
  EXPECT_EQ(accuracy["n"], 1);
  EXPECT_FALSE(summary.contains("seed"));
}

TEST(Results, OneEntryPerVariantInGridOrder) {
  const auto results = experiment_results({{"standard", {kRunA, kRunB}}, {"adversarial", {kRunB}}});
  EXPECT_EQ(results["grid"], nlohmann::json({"standard", "adversarial"}));
  EXPECT_EQ(results["variants"]["standard"]["runs"], 2);
  EXPECT_EQ(results["variants"]["standard"]["seeds"], nlohmann::json({1, 2}));
  EXPECT_DOUBLE_EQ(results["variants"]["adversarial"]["metrics"]["mean_iou"]["mean"].get<double>(), 0.7);
  EXPECT_TRUE(results["variants"]["adversarial"]["metrics"]["mean_iou"]["std"].is_null());
}

TEST(Results, MarkdownTablesShowMeanPlusMinusStd) {
  const auto results = experiment_results({{"standard", {kRunA, kRunB}}, {"adversarial", {kRunB}}});
  const auto markdown = results_markdown(results, "Base config: test.");
  EXPECT_NE(markdown.find("Base config: test."), std::string::npos);
  EXPECT_NE(markdown.find("| variant | runs | mean_iou (%) |"), std::string::npos) << markdown;
  // mIoU 60.00 ± 14.14, pixel accuracy absent ("-"), ..., BF score 50.00 ± 35.36.
  EXPECT_NE(markdown.find("| standard | 2 | 60.00 ± 14.14 | - | - | - | 50.00 ± 35.36 |"), std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| adversarial | 1 | 70.00 | - |"), std::string::npos) << markdown;
  // Per-class tables: a column per class.
  EXPECT_NE(
      markdown.find("| variant | runs | sky |\n| --- | ---: | ---: |\n| standard | 2 | 50.00 ± 14.14 |"),
      std::string::npos)
      << markdown;
}

}  // namespace
}  // namespace advseg
