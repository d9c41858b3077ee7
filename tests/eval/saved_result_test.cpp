// A saved result (metrics.json, result.json, eval --out) is read back by
// compare and report --no-eval: anything else is named with its problem.
#include "advseg/eval/saved_result.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace advseg {
namespace {

nlohmann::json valid_result() {
  return nlohmann::json::parse(R"({
    "metrics": {"mean_iou": 0.5, "pixel_accuracy": 0.8, "mean_class_accuracy": null,
                "per_class": {"sky": {"iou": 0.9}, "tree": {"iou": null}}},
    "consistency": {"bf_score": 0.4, "component_ratio": 2.5, "size_error": 1.7}})");
}

TEST(SavedResult, AResultAsTrainAndEvalWriteItHasNoProblem) {
  EXPECT_EQ(saved_result_problem(valid_result()), "");
  EXPECT_EQ(saved_result_problem(nlohmann::json::parse(R"({"metrics": {}})")), "");
}

TEST(SavedResult, EachBadValueIsNamedWithWhatIsExpected) {
  const auto problem_with = [](const std::string& pointer, const nlohmann::json& value) {
    auto result = valid_result();
    result[nlohmann::json::json_pointer(pointer)] = value;
    return saved_result_problem(result);
  };
  EXPECT_EQ(problem_with("/metrics/mean_iou", "abc"), "metrics.mean_iou: expected a number, got \"abc\"");
  EXPECT_EQ(problem_with("/metrics/mean_iou", 5.3), "metrics.mean_iou: expected a number in [0, 1], got 5.3");
  EXPECT_EQ(problem_with("/metrics/pixel_accuracy", -0.1),
            "metrics.pixel_accuracy: expected a number in [0, 1], got -0.1");
  EXPECT_EQ(problem_with("/metrics/per_class/sky/iou", 2),
            "metrics.per_class.sky.iou: expected a number in [0, 1], got 2");
  EXPECT_EQ(problem_with("/metrics/per_class/tree", 0.3),
            "metrics.per_class.tree: expected an object, got 0.3");
  EXPECT_EQ(problem_with("/consistency/component_ratio", -1),
            "consistency.component_ratio: expected a number in [0, inf), got -1");
  EXPECT_EQ(problem_with("/consistency", "x"), "consistency: expected an object, got \"x\"");
  // A size error is a ratio of areas, not a share: above 1 is fine.
  EXPECT_EQ(problem_with("/consistency/size_error", 3.5), "");
}

TEST(SavedResult, AFileWithoutMetricsIsNotAResult) {
  EXPECT_NE(saved_result_problem(nlohmann::json::parse(R"({"loss": 1})")).find("has no \"metrics\" object"),
            std::string::npos);
  EXPECT_NE(saved_result_problem(nlohmann::json::parse("[1, 2]")).find("has no \"metrics\" object"),
            std::string::npos);
}

}  // namespace
}  // namespace advseg
