// Running tests/models/export_torchvision.py, which saves randomly
// initialised torchvision networks with their inputs and outputs, for the
// parity tests (backbone_parity_test, segmentor_parity_test). Skipped, saying
// why, where no Python has torchvision (scripts/setup.sh installs Debian's
// python3-torchvision).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/paths.h"
#include "support/temp_dir.h"

namespace advseg::testing {

constexpr int kNoTorchvision = 77;  // export_torchvision.py's exit code without torchvision

inline std::string quoted(const std::string& text) { return "'" + text + "'"; }

inline std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string join(const std::vector<std::string>& names) {
  std::string joined;
  for (const auto& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

// Runs `arguments` with $ADVSEG_PYTHON when set, else the first of
// Debian's Python (the package's home, even under pyenv or a venv) and
// python3 on the PATH that has torchvision. Returns false, with `why`, when
// none has it; fails the test when the script fails.
inline bool run_python(const std::string& arguments, const TempDir& dir, std::string& why) {
  std::vector<std::string> pythons{"/usr/bin/python3", "python3"};
  if (const char* chosen = std::getenv("ADVSEG_PYTHON")) pythons = {chosen};
  const auto log = dir.file("python.log").string();
  for (const auto& python : pythons) {
    const int status = std::system((python + " " + arguments + " >" + quoted(log) + " 2>&1").c_str());
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    if (code == 0) return true;
    if (code == kNoTorchvision || code == 127) continue;  // no torchvision, no such python
    ADD_FAILURE() << python << " " << arguments << " failed (" << code << "):\n" << read_text(log);
    return false;
  }
  why = "no Python with torchvision (tried " + join(pythons) +
        "; install python3-torchvision, e.g. with scripts/setup.sh): skipping the check against torchvision";
  return false;
}

// export_torchvision.py DIR NAME: writes DIR/NAME.pth and DIR/NAME_features.pth.
inline bool export_reference(const std::string& name, const TempDir& dir, std::string& why) {
  const std::string script = source_dir() + "/tests/models/export_torchvision.py";
  return run_python(quoted(script) + " " + quoted(dir.path().string()) + " " + name, dir, why);
}

}  // namespace advseg::testing

// Ends the test when `exported` is false: skipped with `why`, or failed
// already (run_python reported the script's failure).
#define SKIP_OR_FAIL_WITHOUT(exported, why)    \
  if (!(exported)) {                           \
    if (!(why).empty()) GTEST_SKIP() << (why); \
    return;                                    \
  }
