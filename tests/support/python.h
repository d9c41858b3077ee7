// Running a Python script from a test: the parity tests against torchvision
// (tests/models) and the TorchScript round trip (tests/inference). A script
// exits with kPythonLacksModule when its Python has no torch (or
// torchvision); the test is then skipped, saying why, where no Python has it
// (scripts/setup.sh installs Debian's python3-torch and python3-torchvision).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "support/child_process.h"
#include "support/temp_dir.h"

namespace advseg::testing {

constexpr int kPythonLacksModule = 77;

inline std::string quoted(const std::string& text) { return "'" + text + "'"; }

inline std::string join(const std::vector<std::string>& names) {
  std::string joined;
  for (const auto& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

// Runs `arguments` with $ADVSEG_PYTHON when set, else the first of Debian's
// Python (the package's home, even under pyenv or a venv) and python3 on the
// PATH that has the modules. Returns false, with `why`, when none has them;
// fails the test (its output shown) when the script fails.
inline bool run_python(const std::string& arguments, const TempDir& dir, std::string& why,
                       const std::string& modules = "torchvision") {
  std::vector<std::string> pythons{"/usr/bin/python3", "python3"};
  if (const char* chosen = std::getenv("ADVSEG_PYTHON")) pythons = {chosen};
  const auto log = dir.file("python.log").string();
  for (const auto& python : pythons) {
    const int status = std::system((python + " " + arguments + " >" + quoted(log) + " 2>&1").c_str());
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    if (code == 0) return true;
    if (code == kPythonLacksModule || code == 127) continue;  // no such module, no such python
    ADD_FAILURE() << python << " " << arguments << " failed (" << code << "):\n" << read_text(log);
    return false;
  }
  why = "no Python with " + modules + " (tried " + join(pythons) + "; install python3-" + modules +
        ", e.g. with scripts/setup.sh): skipping the check in Python";
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
