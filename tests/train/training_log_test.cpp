// The log averages whatever figures the step reports: each over the steps
// whose update it belongs to was applied, null when every such step was
// skipped, absent when no step computed it.
#include "advseg/train/training_log.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace advseg {
namespace {

StepStats step(std::vector<StepFigure> figures, bool segmentor_updated, bool adversary_updated) {
  StepStats stats;
  stats.figures = std::move(figures);
  stats.segmentor_updated = segmentor_updated;
  stats.adversary_updated = adversary_updated;
  stats.finite = segmentor_updated;
  return stats;
}

std::vector<nlohmann::json> entries(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST(TrainingLog, EachFigureIsAveragedOverTheStepsWhoseUpdateWasApplied) {
  testing::TempDir dir;
  const auto path = dir.file("log.jsonl");
  TrainingLog log(path);
  const StepFigure ce1{"cross_entropy", 1.0, StepStage::segmentor};
  const StepFigure ce3{"cross_entropy", 3.0, StepStage::segmentor};
  const StepFigure consistency{"consistency", 0.25, StepStage::segmentor};
  const StepFigure d_loss{"adversary_loss", 0.5, StepStage::adversary};
  const StepFigure real{"adversary_accuracy_real", 0.75, StepStage::adversary};
  const StepFigure fake{"adversary_accuracy_fake", 0.5, StepStage::adversary};
  log.add(step({ce1, consistency, d_loss, real, fake}, true, true), 4);
  log.add(step({ce3, d_loss, real, fake}, true, false), 4);
  log.add(step({{"cross_entropy", 99.0, StepStage::segmentor}}, false, false), 4);  // skipped: not averaged
  const auto accuracy = log.flush_interval({3, 10, 1, 1, 0.01, 0.001});
  ASSERT_TRUE(accuracy.has_value());
  EXPECT_DOUBLE_EQ(accuracy->real, 0.75);
  EXPECT_DOUBLE_EQ(accuracy->fake, 0.5);

  log.add(step({{"cross_entropy", 7.0, StepStage::segmentor}}, false, false), 4);
  EXPECT_FALSE(log.flush_interval({4, 10, 1, 1, 0.01, 0.001}).has_value());

  const auto lines = entries(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_DOUBLE_EQ(lines[0].at("cross_entropy").get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(lines[0].at("consistency").get<double>(), 0.25);    // a figure the log has no name for
  EXPECT_DOUBLE_EQ(lines[0].at("adversary_loss").get<double>(), 0.5);  // the one applied update
  EXPECT_DOUBLE_EQ(lines[0].at("adversary_lr").get<double>(), 0.001);
  EXPECT_EQ(lines[0].at("skipped_steps").get<int>(), 1);
  EXPECT_TRUE(lines[1].at("cross_entropy").is_null()) << "every step of the interval was skipped";
  EXPECT_FALSE(lines[1].contains("consistency")) << "no step of the interval computed it";
  EXPECT_FALSE(lines[1].contains("adversary_lr"));
}

TEST(StepStats, NamesAFigureTheStepDidNotCompute) {
  const StepStats stats = step({{"cross_entropy", 1.5, StepStage::segmentor}}, true, false);
  EXPECT_TRUE(stats.has("cross_entropy"));
  EXPECT_DOUBLE_EQ(stats.value("cross_entropy"), 1.5);
  EXPECT_FALSE(stats.has("adversary_loss"));
  try {
    stats.value("adversary_loss");
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("'adversary_loss'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace advseg
