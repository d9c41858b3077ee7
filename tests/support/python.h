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

// A shell command starting test_python(), its freed memory kept in the
// process as advseg's own (runtime.h keep_freed_memory): on this project's
// machines an export of a VGG-16 network spent half its time in page faults
// without it (docs/reliability.md). A GLIBC_TUNABLES already set is kept.
inline std::string python_command() {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  const std::string keep = tunables && *tunables ? ""
                                                 : "GLIBC_TUNABLES=glibc.malloc.mmap_max=0:"
                                                   "glibc.malloc.trim_threshold=4294967295 ";
  return keep + quoted(test_python());
}

// Runs `arguments` with python_command(). Returns false, with `why`, when that
// Python is missing or lacks the modules; fails the test (its output shown)
// when the script fails.
inline bool run_python(const std::string& arguments, const TempDir& dir, std::string& why,
                       const std::string& modules = "torchvision") {
  const std::string python = test_python();
  const auto log = dir.file("python.log").string();
  const int status = std::system((python_command() + " " + arguments + " >" + quoted(log) + " 2>&1").c_str());
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
