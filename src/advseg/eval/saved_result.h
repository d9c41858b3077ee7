// Reading a saved evaluation result back: OUT/metrics.json (train),
// result.json (experiment) or `advseg eval --out`, i.e. {"metrics": ...,
// "consistency": ...} as metrics_to_json() and consistency_to_json() write
// them. `compare` and `report --no-eval` show these numbers without
// recomputing them, so a file that is not such a result is named, not shown
// as blanks or as a mean IoU of 530%.
#pragma once

#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace advseg {

// What makes `result` not a saved result, or "" when it is one: "metrics"
// must be an object; each summary value (eval/report_fields.h) and each
// per-class IoU present must be a number (null: not defined, e.g. no pixel
// of a class), never negative; shares and IoUs at most 1.
std::string saved_result_problem(const nlohmann::json& result);

// The result in `path`; throws advseg::Error naming the file and its problem.
nlohmann::json read_saved_result(const std::filesystem::path& path);

}  // namespace advseg
