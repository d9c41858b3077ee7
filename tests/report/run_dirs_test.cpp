// Which folders a report covers: a run folder is itself; an experiment's
// folder gives each run below it (not their checkpoints); a folder with no
// run is an error naming it.
#include <gtest/gtest.h>

#include <fstream>

#include "advseg/error.h"
#include "advseg/report/gather_report.h"
#include "support/temp_dir.h"

namespace advseg {
namespace {
namespace fs = std::filesystem;

void make_run(const fs::path& run) {
  fs::create_directories(run / "best");
  fs::create_directories(run / "checkpoints" / "epoch_1");
  std::ofstream(run / "best" / "config.yaml") << "data: {}\n";
  std::ofstream(run / "checkpoints" / "epoch_1" / "config.yaml") << "data: {}\n";
}

TEST(ReportRunDirs, ARunIsItselfAndAnExperimentGivesEachRunBelowIt) {
  testing::TempDir dir;
  make_run(dir.path() / "single");
  make_run(dir.path() / "exp" / "standard" / "seed1");
  make_run(dir.path() / "exp" / "adversarial" / "seed1");
  make_run(dir.path() / "exp" / "adversarial" / "seed2");
  const auto runs = report_run_dirs({dir.path() / "single", dir.path() / "exp"});
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(runs[0], dir.path() / "single");
  EXPECT_EQ(runs[1], dir.path() / "exp" / "adversarial" / "seed1");
  EXPECT_EQ(runs[2], dir.path() / "exp" / "adversarial" / "seed2");
  EXPECT_EQ(runs[3], dir.path() / "exp" / "standard" / "seed1");
}

TEST(ReportRunDirs, AFolderWithoutARunIsAnErrorNamingIt) {
  testing::TempDir dir;
  fs::create_directories(dir.path() / "empty" / "nothing");
  try {
    report_run_dirs({dir.path() / "empty"});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find((dir.path() / "empty").string() + ": holds no run"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(report_run_dirs({dir.path() / "missing"}), Error);
}

}  // namespace
}  // namespace advseg
