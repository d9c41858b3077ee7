#include "advseg/cli/metrics_table.h"

#include <algorithm>
#include <iomanip>

#include "advseg/eval/report_fields.h"

namespace advseg {
namespace {

// A number with two decimals (x100 for a percentage), or "-" for a missing/null value.
std::string cell(const nlohmann::json& value, double scale) {
  if (!value.is_number()) return "-";
  std::ostringstream text;
  text << std::fixed << std::setprecision(2) << scale * value.get<double>();
  return text.str();
}

// result[section][key], or null when absent.
nlohmann::json lookup(const nlohmann::json& result, const std::string& section, const std::string& key) {
  if (!result.contains(section) || !result[section].is_object()) return nullptr;
  return result[section].value(key, nlohmann::json());
}

void print_row(std::ostream& out, const std::string& label, const std::vector<std::string>& cells,
               int width) {
  out << std::left << std::setw(28) << label;
  for (const auto& text : cells) out << std::right << std::setw(width) << text;
  out << "\n";
}

}  // namespace

void print_metrics_table(std::ostream& out, const std::vector<NamedMetrics>& runs) {
  int width = 14;
  for (const auto& run : runs) width = std::max(width, static_cast<int>(run.first.size()) + 2);
  std::vector<std::string> names;
  for (const auto& run : runs) names.push_back(run.first);
  print_row(out, "metric", names, width);

  auto row = [&](const std::string& label, double scale, auto&& pick) {
    std::vector<std::string> cells;
    for (const auto& run : runs) cells.push_back(cell(pick(run.second), scale));
    print_row(out, label, cells, width);
  };
  for (const auto& field : report_fields()) {
    const bool percent = std::string(field.unit) == "%";
    row(std::string(field.key) + (percent ? " (%)" : ""), percent ? 100.0 : 1.0,
        [&](const nlohmann::json& result) { return lookup(result, field.section, field.key); });
  }
  // Every class any run reports, in order of first appearance: runs on
  // datasets with other class names still show their own rows.
  std::vector<std::string> class_names;
  for (const auto& run : runs) {
    const auto classes = lookup(run.second, "metrics", "per_class");
    if (!classes.is_object()) continue;
    for (const auto& item : classes.items())
      if (std::find(class_names.begin(), class_names.end(), item.key()) == class_names.end())
        class_names.push_back(item.key());
  }
  for (const auto& name : class_names) {
    row("IoU " + name + " (%)", 100.0, [&](const nlohmann::json& result) {
      auto classes = lookup(result, "metrics", "per_class");
      return classes.contains(name) ? classes[name].value("iou", nlohmann::json()) : nlohmann::json();
    });
  }
}

}  // namespace advseg
