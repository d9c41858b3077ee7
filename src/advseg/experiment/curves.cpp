#include "advseg/experiment/curves.h"

#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "advseg/error.h"
#include "advseg/eval/report_fields.h"
#include "advseg/experiment/svg_plot.h"
#include "advseg/io/file_bytes.h"

namespace advseg {
namespace {

constexpr const char* kTrainKeys[] = {
    "cross_entropy",           "adversarial_term",        "adversary_loss", "adversary_accuracy_real",
    "adversary_accuracy_fake", "target_adversarial_term", "target_entropy"};

void add_numbers(const nlohmann::json& object, const std::string& prefix,
                 const std::vector<std::string>& keys, std::map<std::string, double>& values) {
  for (const auto& key : keys) {
    auto value = object.value(key, nlohmann::json());
    if (value.is_number()) values[prefix + key] = value.get<double>();
  }
}

std::map<std::string, double> entry_values(const std::string& type, const nlohmann::json& entry) {
  std::map<std::string, double> values;
  if (type == "train") {
    add_numbers(entry, "", std::vector<std::string>(std::begin(kTrainKeys), std::end(kTrainKeys)), values);
    return values;
  }
  add_numbers(entry, "val_", {"cross_entropy"}, values);
  for (const auto& field : report_fields()) {
    auto section = entry.value(field.section, nlohmann::json::object());
    if (section.is_object()) add_numbers(section, "val_", {field.key}, values);
  }
  return values;
}

CurvePoint parse_entry(const std::string& type, const nlohmann::json& entry,
                       const std::filesystem::path& log_path, int line_number) {
  const auto iteration = entry.value("iteration", nlohmann::json());
  const auto epoch = entry.value("epoch", nlohmann::json());
  if (!iteration.is_number_integer() || !epoch.is_number_integer())
    fail_at(log_path, "line " + std::to_string(line_number) + ": a " + type +
                          " entry without a whole-number \"iteration\" and \"epoch\"");
  return CurvePoint{type, epoch.get<int>(), iteration.get<std::int64_t>(), entry_values(type, entry)};
}

std::string csv_number(const std::map<std::string, double>& values, const std::string& column) {
  auto found = values.find(column);
  if (found == values.end()) return "";
  std::ostringstream text;
  text.precision(8);
  text << found->second;
  return text.str();
}

}  // namespace

const std::vector<std::string>& curve_columns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> names(std::begin(kTrainKeys), std::end(kTrainKeys));
    names.push_back("val_cross_entropy");
    for (const auto& field : report_fields()) names.push_back(std::string("val_") + field.key);
    return names;
  }();
  return columns;
}

std::vector<CurvePoint> read_learning_curve(const std::filesystem::path& log_path) {
  std::istringstream lines(read_file_bytes(log_path));
  std::map<std::pair<std::int64_t, std::string>, CurvePoint> by_iteration;  // later entries replace earlier
  std::string line;
  for (int line_number = 1; std::getline(lines, line); ++line_number) {
    if (line.empty()) continue;
    nlohmann::json entry;
    try {
      entry = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      fail_at(log_path, "line " + std::to_string(line_number) + ": not valid JSON: " + e.what());
    }
    if (!entry.is_object()) fail_at(log_path, "line " + std::to_string(line_number) + ": not a JSON object");
    const auto type = entry.value("type", nlohmann::json());
    if (type != "train" && type != "val") continue;  // warnings
    auto point = parse_entry(type.get<std::string>(), entry, log_path, line_number);
    by_iteration[{point.iteration, point.type}] = std::move(point);
  }
  std::vector<CurvePoint> points;
  for (auto& item : by_iteration) points.push_back(std::move(item.second));
  return points;
}

std::string curves_csv(const std::vector<RunCurve>& curves) {
  std::ostringstream csv;
  csv << "variant,seed,type,epoch,iteration";
  for (const auto& column : curve_columns()) csv << "," << column;
  csv << "\n";
  for (const auto& run : curves) {
    for (const auto& point : run.points) {
      csv << run.variant << "," << run.seed << "," << point.type << "," << point.epoch << ","
          << point.iteration;
      for (const auto& column : curve_columns()) csv << "," << csv_number(point.values, column);
      csv << "\n";
    }
  }
  return csv.str();
}

std::vector<std::pair<std::string, std::string>> curve_plots(const std::vector<RunCurve>& curves) {
  // Shares (scale 100) in percent, as the results tables show them.
  const std::tuple<const char*, const char*, double> plotted[] = {
      {"cross_entropy", "training cross-entropy", 1},
      {"val_cross_entropy", "validation cross-entropy", 1},
      {"val_mean_iou", "validation mean IoU (%)", 100},
      {"val_bf_score", "validation BF score (%)", 100}};
  std::vector<std::pair<std::string, std::string>> plots;
  for (const auto& [column, title, scale] : plotted) {
    std::vector<PlotSeries> series;
    bool any = false;
    for (const auto& run : curves) {
      PlotSeries line{run.variant, {}};
      for (const auto& point : run.points) {
        auto found = point.values.find(column);
        if (found != point.values.end()) line.points.emplace_back(point.iteration, scale * found->second);
      }
      any = any || !line.points.empty();
      series.push_back(std::move(line));
    }
    if (any)
      plots.emplace_back(std::string("curves_") + column + ".svg", line_plot_svg(title, "iteration", series));
  }
  return plots;
}

}  // namespace advseg
