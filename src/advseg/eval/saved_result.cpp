#include "advseg/eval/saved_result.h"

#include <nlohmann/json.hpp>

#include "advseg/error.h"
#include "advseg/eval/report_fields.h"
#include "advseg/io/file_bytes.h"

namespace advseg {
namespace {

// What is wrong with one value at `where`, or "" (null and absent are fine).
std::string value_problem(const nlohmann::json& value, const std::string& where, bool share) {
  if (value.is_null()) return "";
  if (!value.is_number()) return where + ": expected a number, got " + value.dump();
  const double number = value.get<double>();
  if (number < 0 || (share && number > 1))
    return where + ": expected a number in " + (share ? "[0, 1]" : "[0, inf)") + ", got " + value.dump();
  return "";
}

std::string per_class_problem(const nlohmann::json& per_class) {
  if (!per_class.is_object()) return "metrics.per_class: expected an object, got " + per_class.dump();
  for (const auto& [name, entry] : per_class.items()) {
    const std::string where = "metrics.per_class." + name;
    if (!entry.is_object()) return where + ": expected an object, got " + entry.dump();
    if (auto problem = value_problem(entry.value("iou", nlohmann::json()), where + ".iou", true);
        !problem.empty())
      return problem;
  }
  return "";
}

}  // namespace

std::string saved_result_problem(const nlohmann::json& result) {
  if (!result.is_object() || !result.contains("metrics"))
    return "has no \"metrics\" object (not written by advseg train, eval or experiment?)";
  for (const auto& field : report_fields()) {
    if (!result.contains(field.section)) continue;
    const auto& section = result[field.section];
    const std::string where = std::string(field.section) + "." + field.key;
    if (!section.is_object())
      return std::string(field.section) + ": expected an object, got " + section.dump();
    // Percentages of the metrics section, the boundary F-score and the
    // speck share are shares; the size error and the component counts are not.
    const bool share = std::string(field.unit) == "%" && where != "consistency.size_error";
    if (auto problem = value_problem(section.value(field.key, nlohmann::json()), where, share);
        !problem.empty())
      return problem;
  }
  if (result["metrics"].contains("per_class")) return per_class_problem(result["metrics"]["per_class"]);
  return "";
}

nlohmann::json read_saved_result(const std::filesystem::path& path) {
  nlohmann::json result;
  try {
    result = nlohmann::json::parse(read_file_bytes(path));
  } catch (const nlohmann::json::exception& e) {
    fail_at(path, std::string("not valid JSON: ") + e.what());
  }
  if (auto problem = saved_result_problem(result); !problem.empty()) fail_at(path, problem);
  return result;
}

}  // namespace advseg
