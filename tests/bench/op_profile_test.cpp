// The operator profiler behind `advseg bench --profile`: it counts what runs
// while it lives, by name, with nested operators' time taken out of their
// caller's (never a timing check: only counts and sums).
#include "advseg/bench/op_profile.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>

#include "advseg/error.h"

namespace advseg {
namespace {

const OpTime* find(const std::vector<OpTime>& totals, const std::string& name) {
  auto found = std::find_if(totals.begin(), totals.end(), [&](const OpTime& op) { return op.name == name; });
  return found == totals.end() ? nullptr : &*found;
}

TEST(OpProfiler, CountsTheOperatorsRunWhileItLivesWithSelfTimesWithinTheWallTime) {
  const auto a = torch::randn({64, 64});
  a.matmul(a);  // before: not counted
  std::vector<OpTime> totals;
  double wall_ms = 0;
  {
    const auto start = std::chrono::steady_clock::now();
    OpProfiler profiler;
    a.matmul(a);
    a.matmul(a);
    (a + a).sum();
    totals = profiler.totals();
    wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  }
  a.matmul(a);  // after: not counted

  ASSERT_NE(find(totals, "aten::matmul"), nullptr);
  EXPECT_EQ(find(totals, "aten::matmul")->calls, 2);
  ASSERT_NE(find(totals, "aten::mm"), nullptr);  // nested in matmul
  EXPECT_EQ(find(totals, "aten::mm")->calls, 2);
  ASSERT_NE(find(totals, "aten::add"), nullptr);
  EXPECT_EQ(find(totals, "aten::add")->calls, 1);
  double self_sum = 0;
  for (std::size_t i = 0; i < totals.size(); ++i) {
    EXPECT_GE(totals[i].self_ms, 0.0) << totals[i].name;
    if (i > 0) {
      EXPECT_LE(totals[i].self_ms, totals[i - 1].self_ms) << "not sorted";
    }
    self_sum += totals[i].self_ms;
  }
  EXPECT_LE(self_sum, wall_ms);
}

TEST(OpProfiler, OneAtATimePerThread) {
  OpProfiler first;
  EXPECT_THROW(OpProfiler second, Error);
}

}  // namespace
}  // namespace advseg
