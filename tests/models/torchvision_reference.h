// Running tests/models/export_torchvision.py, which saves randomly
// initialised torchvision networks with their inputs and outputs, for the
// parity tests (backbone_parity_test, segmentor_parity_test). Skipped, saying
// why, where the build's Python has no torchvision (scripts/setup.sh
// installs it into .venv).
#pragma once

#include <string>

#include "support/paths.h"
#include "support/python.h"
#include "support/temp_dir.h"

namespace advseg::testing {

// export_torchvision.py DIR NAME: writes DIR/NAME.pth and DIR/NAME_features.pth.
inline bool export_reference(const std::string& name, const TempDir& dir, std::string& why) {
  const std::string script = source_dir() + "/tests/models/export_torchvision.py";
  return run_python(quoted(script) + " " + quoted(dir.path().string()) + " " + name, dir, why);
}

}  // namespace advseg::testing
