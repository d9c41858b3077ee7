#include "advseg/experiment/results.h"

#include <cmath>
#include <iomanip>
#include <sstream>

#include "advseg/eval/report_fields.h"

namespace advseg {
namespace {

constexpr const char* kSummarizedSections[] = {"metrics", "consistency", "train_seconds"};

nlohmann::json statistics(const std::vector<double>& values) {
  nlohmann::json stats = {{"n", values.size()}, {"values", values}, {"mean", nullptr}, {"std", nullptr}};
  if (values.empty()) return stats;
  double sum = 0;
  for (double value : values) sum += value;
  const double mean = sum / static_cast<double>(values.size());
  stats["mean"] = mean;
  if (values.size() < 2) return stats;
  double squares = 0;
  for (double value : values) squares += (value - mean) * (value - mean);
  stats["std"] = std::sqrt(squares / static_cast<double>(values.size() - 1));
  return stats;
}

// The same place in every run: objects are walked key by key (keys of the
// first run), numbers become statistics, anything else is dropped (null).
nlohmann::json summarize_values(const std::vector<const nlohmann::json*>& values) {
  const nlohmann::json& first = *values.front();
  if (first.is_object()) {
    nlohmann::json summary = nlohmann::json::object();
    for (const auto& item : first.items()) {
      std::vector<const nlohmann::json*> children;
      for (const auto* value : values)
        if (value->is_object() && value->contains(item.key())) children.push_back(&(*value)[item.key()]);
      auto child = summarize_values(children);
      if (!child.is_null()) summary[item.key()] = child;
    }
    return summary;
  }
  if (!first.is_number() && !first.is_null()) return nullptr;
  std::vector<double> numbers;
  for (const auto* value : values)
    if (value->is_number()) numbers.push_back(value->get<double>());
  return statistics(numbers);
}

// "mean ± std" (x100 for percentages), "mean" for one run, "-" for none.
std::string cell(const nlohmann::json& stats, bool percent) {
  if (!stats.is_object() || !stats.value("mean", nlohmann::json()).is_number()) return "-";
  const double scale = percent ? 100.0 : 1.0;
  std::ostringstream text;
  text << std::fixed << std::setprecision(2) << scale * stats["mean"].get<double>();
  if (stats["std"].is_number()) text << " ± " << scale * stats["std"].get<double>();
  return text.str();
}

struct Column {
  std::string label;
  nlohmann::json::json_pointer path;  // inside a variant's summary
  bool percent;
};

void write_table(std::ostream& out, const nlohmann::json& results, const std::vector<Column>& columns) {
  out << "| variant | runs |";
  for (const auto& column : columns) out << " " << column.label << " |";
  out << "\n| --- | ---: |";
  for (std::size_t i = 0; i < columns.size(); ++i) out << " ---: |";
  out << "\n";
  for (const auto& name : results["grid"]) {
    const auto& variant = results["variants"][name.get<std::string>()];
    out << "| " << name.get<std::string>() << " | " << variant["runs"] << " |";
    for (const auto& column : columns)
      out << " "
          << cell(variant.contains(column.path) ? variant[column.path] : nlohmann::json(), column.percent)
          << " |";
    out << "\n";
  }
}

// One column per class of the first variant's metrics, for `metric` in `section`.
std::vector<Column> class_columns(const nlohmann::json& results, const std::string& section,
                                  const std::string& metric) {
  std::vector<Column> columns;
  if (results["grid"].empty()) return columns;
  const auto& first = results["variants"][results["grid"][0].get<std::string>()];
  const auto classes = nlohmann::json::json_pointer("/" + section + "/per_class");
  if (!first.contains(classes)) return columns;
  for (const auto& item : first[classes].items()) {
    columns.push_back({item.key(), classes / item.key() / metric, true});
  }
  return columns;
}

}  // namespace

nlohmann::json summarize_runs(const std::vector<nlohmann::json>& runs) {
  nlohmann::json summary = nlohmann::json::object();
  if (runs.empty()) return summary;
  for (const char* section : kSummarizedSections) {
    std::vector<const nlohmann::json*> values;
    for (const auto& run : runs)
      if (run.contains(section)) values.push_back(&run[section]);
    if (!values.empty()) summary[section] = summarize_values(values);
  }
  return summary;
}

nlohmann::json experiment_results(const std::vector<VariantResults>& variants) {
  nlohmann::json results = {{"grid", nlohmann::json::array()}, {"variants", nlohmann::json::object()}};
  for (const auto& variant : variants) {
    nlohmann::json summary = summarize_runs(variant.runs);
    summary["runs"] = variant.runs.size();
    summary["seeds"] = nlohmann::json::array();
    for (const auto& run : variant.runs) summary["seeds"].push_back(run.value("seed", nlohmann::json()));
    results["grid"].push_back(variant.name);
    results["variants"][variant.name] = summary;
  }
  return results;
}

std::string results_markdown(const nlohmann::json& results, const std::string& preamble) {
  std::ostringstream out;
  out << "# Experiment results\n\n" << preamble << "\n\nMean ± sample standard deviation over seeds.\n\n";
  std::vector<Column> summary;
  for (const auto& field : report_fields()) {
    const bool percent = std::string(field.unit) == "%";
    summary.push_back({std::string(field.key) + (percent ? " (%)" : ""),
                       nlohmann::json::json_pointer("/" + std::string(field.section) + "/" + field.key),
                       percent});
  }
  write_table(out, results, summary);
  out << "\n## IoU per class (%)\n\n";
  write_table(out, results, class_columns(results, "metrics", "iou"));
  out << "\n## BF score per class (%)\n\n";
  write_table(out, results, class_columns(results, "consistency", "bf_score"));
  return out.str();
}

}  // namespace advseg
