// Evaluation results (as written by train, eval and experiment) printed as a
// readable table, one column per run, so standard and adversarial runs read
// side by side.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace advseg {

// Run name, and its result: {"metrics": metrics_to_json() output, "consistency":
// consistency_to_json() output (optional: rows without it show "-")}.
using NamedMetrics = std::pair<std::string, nlohmann::json>;

void print_metrics_table(std::ostream& out, const std::vector<NamedMetrics>& runs);

}  // namespace advseg
