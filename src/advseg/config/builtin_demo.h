// The config that `advseg train` and `advseg experiment` use without
// --config: configs/shapes.yaml, compiled in at build time (one source of
// truth, so the command and the file never disagree).
#pragma once

#include <string>

namespace advseg {

// The text of configs/shapes.yaml.
const std::string& builtin_demo_config_yaml();

// How errors and logs name it.
inline constexpr const char* kBuiltinDemoSource = "the built-in demo config (configs/shapes.yaml)";

}  // namespace advseg
