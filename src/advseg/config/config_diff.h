// A config as dotted key -> value text, and the keys where two configs
// differ: for resume checks, experiment grids and reports.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "advseg/config/config.h"

namespace advseg {

// Every key of config_keys() with its value as YAML text ("16", "[8, 16]", "cpu").
std::map<std::string, std::string> flat_config(const Config& config);

// The keys whose values differ between `a` and `b`, in config_keys() order.
std::vector<std::string> changed_keys(const Config& a, const Config& b);

// The key of a "key=value" override ("" when there is no '=').
std::string override_key(const std::string& assignment);

}  // namespace advseg
