// Where the tests find the built command, the source tree and the shared
// data. Compiled into one small library (support/paths.cpp), so no other test
// file depends on the checkout's absolute path: a second checkout reuses the
// compiler cache for every test source.
#pragma once

#include <string>

namespace advseg::testing {

std::string binary_dir();       // the build folder, holding the advseg command
std::string source_dir();       // the checkout
std::string shared_data_dir();  // holds stanford_background/ (may be absent)
std::string python();           // the Python whose torch the build uses (.venv's, scripts/setup.sh)

}  // namespace advseg::testing
