// Running a Python script from a test: the parity tests against torchvision
// (tests/models) and the TorchScript round trip (tests/inference). A script
// exits with kPythonLacksModule when its Python has no torch (or
// torchvision); the test is then skipped, saying why (scripts/setup.sh
// installs torch and torchvision into .venv, the build's Python).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "support/child_process.h"
#include "support/paths.h"
#include "support/temp_dir.h"

namespace advseg::testing {

constexpr int kPythonLacksModule = 77;

inline std::string quoted(const std::string& text) { return "'" + text + "'"; }

// $ADVSEG_PYTHON when set, else the build's Python (whose torch is the
// LibTorch under test).
inline std::string test_python() {
  const char* chosen = std::getenv("ADVSEG_PYTHON");
  return chosen && *chosen ? chosen : python();
}

// Runs `arguments` with test_python(). Returns false, with `why`, when that
// Python is missing or lacks the modules; fails the test (its output shown)
// when the script fails.
inline bool run_python(const std::string& arguments, const TempDir& dir, std::string& why,
                       const std::string& modules = "torchvision") {
  const std::string python = test_python();
  const auto log = dir.file("python.log").string();
  const int status = std::system((quoted(python) + " " + arguments + " >" + quoted(log) + " 2>&1").c_str());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  if (code == 0) return true;
  if (code == kPythonLacksModule || code == 127) {  // no such module, no such python
    why = python + " lacks " + modules + " (scripts/setup.sh installs it into .venv; ADVSEG_PYTHON picks " +
          "another): skipping the check in Python";
    return false;
  }
  ADD_FAILURE() << python << " " << arguments << " failed (" << code << "):\n" << read_text(log);
  return false;
}

}  // namespace advseg::testing

// Ends the test when `ran` is false: skipped with `why`, or failed already
// (run_python reported the script's failure).
#define SKIP_OR_FAIL_WITHOUT(ran, why)         \
  if (!(ran)) {                                \
    if (!(why).empty()) GTEST_SKIP() << (why); \
    return;                                    \
  }
