#include "advseg/train/collapse_monitor.h"

#include <gtest/gtest.h>

namespace advseg {
namespace {

TEST(CollapseMonitor, WarnsOnceWhenTheAdversaryWinsForPatienceIntervals) {
  CollapseMonitor monitor(3);
  EXPECT_FALSE(monitor.observe(1.0, 0.995, 10));
  EXPECT_FALSE(monitor.observe(1.0, 1.0, 20));
  auto warning = monitor.observe(0.99, 1.0, 30);
  ASSERT_TRUE(warning);
  EXPECT_NE(warning->find("iteration 30"), std::string::npos);
  EXPECT_NE(warning->find("adversary_optimizer.lr"), std::string::npos);
  EXPECT_FALSE(monitor.observe(1.0, 1.0, 40));  // once per episode
}

TEST(CollapseMonitor, WarnsWhenTheAdversaryStaysAtChance) {
  CollapseMonitor monitor(2);
  EXPECT_FALSE(monitor.observe(1.0, 0.0, 10));  // says "real" to everything: mean 0.5
  auto warning = monitor.observe(0.52, 0.5, 20);
  ASSERT_TRUE(warning);
  EXPECT_NE(warning->find("chance"), std::string::npos);
}

TEST(CollapseMonitor, AHealthyIntervalResetsTheCount) {
  CollapseMonitor monitor(2);
  EXPECT_FALSE(monitor.observe(1.0, 1.0, 10));
  EXPECT_FALSE(monitor.observe(0.8, 0.7, 20));
  EXPECT_FALSE(monitor.observe(1.0, 1.0, 30));
  EXPECT_TRUE(monitor.observe(1.0, 1.0, 40));
}

TEST(CollapseMonitor, PatienceZeroNeverWarns) {
  CollapseMonitor monitor(0);
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(monitor.observe(1.0, 1.0, i));
}

}  // namespace
}  // namespace advseg
