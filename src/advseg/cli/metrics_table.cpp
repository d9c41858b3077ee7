#include "advseg/cli/metrics_table.h"

#include <algorithm>
#include <iomanip>

namespace advseg {
namespace {

// A percentage with two decimals, or "-" for a missing/null value.
std::string percent(const nlohmann::json& value) {
  if (!value.is_number()) return "-";
  std::ostringstream text;
  text << std::fixed << std::setprecision(2) << 100.0 * value.get<double>();
  return text.str();
}

void print_row(std::ostream& out, const std::string& label, const std::vector<std::string>& cells, int width) {
  out << std::left << std::setw(28) << label;
  for (const auto& cell : cells) out << std::right << std::setw(width) << cell;
  out << "\n";
}

}  // namespace

void print_metrics_table(std::ostream& out, const std::vector<NamedMetrics>& runs) {
  int width = 14;
  for (const auto& run : runs) width = std::max(width, static_cast<int>(run.first.size()) + 2);
  std::vector<std::string> names;
  for (const auto& run : runs) names.push_back(run.first);
  print_row(out, "metric (%)", names, width);

  auto row = [&](const std::string& label, auto&& pick) {
    std::vector<std::string> cells;
    for (const auto& run : runs) cells.push_back(percent(pick(run.second)));
    print_row(out, label, cells, width);
  };
  for (const char* key : {"mean_iou", "pixel_accuracy", "mean_class_accuracy", "frequency_weighted_iou"})
    row(key, [&](const nlohmann::json& m) { return m.value(key, nlohmann::json()); });
  if (runs.empty() || !runs.front().second.contains("per_class")) return;
  for (const auto& [name, unused] : runs.front().second["per_class"].items()) {
    (void)unused;
    row("IoU " + name, [&](const nlohmann::json& m) {
      return m.contains("per_class") && m["per_class"].contains(name) ? m["per_class"][name].value("iou", nlohmann::json())
                                                                      : nlohmann::json();
    });
  }
}

}  // namespace advseg
