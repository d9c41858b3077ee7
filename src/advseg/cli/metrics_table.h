// Metrics JSON (as written by train and eval) printed as a readable table,
// one column per run, so standard and adversarial runs read side by side.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace advseg {

using NamedMetrics = std::pair<std::string, nlohmann::json>;  // run name, metrics_to_json() output

void print_metrics_table(std::ostream& out, const std::vector<NamedMetrics>& runs);

}  // namespace advseg
