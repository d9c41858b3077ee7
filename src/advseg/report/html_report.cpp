#include "advseg/report/html_report.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "advseg/eval/report_fields.h"
#include "advseg/experiment/svg_plot.h"

namespace advseg {
namespace {

constexpr const char* kStyle = R"CSS(
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1500px; padding: 0 1.5em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
.plots { display: flex; flex-wrap: wrap; gap: 1em; } figure { margin: 0; } .plot svg { width: 460px; height: auto; border: 1px solid #eee; }
table { border-collapse: collapse; margin: .5em 0; } th, td { padding: .25em .6em; border: 1px solid #ddd; }
th { background: #f6f6f6; text-align: left; } td.number { text-align: right; font-variant-numeric: tabular-nums; }
td.best { font-weight: bold; background: #e4f4e4; }
.heatmaps { display: flex; flex-wrap: wrap; gap: 2em; } table.heatmap td { width: 2.6em; text-align: center; font-size: 12px; }
tr.differs td { background: #fff4c2; } .wide { overflow-x: auto; } .notes li { color: #8a4b00; } img.panels { max-width: 100%; border: 1px solid #eee; }
)CSS";

// Hides the config keys on which every run agrees, when asked to; marks the
// page as ready (the browser test waits for it).
constexpr const char* kScript = R"JS(
const toggle = document.getElementById("only-differences");
if (toggle) toggle.addEventListener("change", () => {
  for (const row of document.querySelectorAll("#configs tbody tr:not(.differs)"))
    row.style.display = toggle.checked ? "none" : "";
});
document.body.dataset.ready = "true";
)JS";

struct Curve {
  const char* column;  // in CurvePoint::values
  const char* type;    // "train" or "val"
  const char* title;
  double scale = 1;  // 100: a share, plotted in percent as the tables show it
};

constexpr Curve kCurves[] = {
    {"cross_entropy", "train", "Training cross-entropy"},
    {"adversarial_term", "train", "Adversarial term of the segmentor loss"},
    {"adversary_loss", "train", "Adversary loss"},
    {"adversary_accuracy_real", "train", "Adversary accuracy on real maps (%)", 100},
    {"adversary_accuracy_fake", "train", "Adversary accuracy on fake maps (%)", 100},
    {"target_adversarial_term", "train", "Adversarial term on target predictions"},
    {"target_entropy", "train", "Mean entropy of target predictions"},
    {"val_mean_iou", "val", "Validation mIoU (%)", 100},
    {"val_cross_entropy", "val", "Validation cross-entropy"},
};

std::string with_decimals(double value, int decimals) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(decimals) << value;
  return text.str();
}

std::optional<double> number_at(const nlohmann::json& result, const std::string& section,
                                const std::string& key) {
  if (!result.is_object() || !result.contains(section) || !result[section].is_object()) return std::nullopt;
  const auto& value = result[section].value(key, nlohmann::json());
  if (!value.is_number()) return std::nullopt;
  return value.get<double>();
}

// Indices of the best values (ties included); none unless two runs have one
// and they are not all equal.
std::set<std::size_t> best_of(const std::vector<std::optional<double>>& values, Better better) {
  auto score = [better](double v) {
    return better == Better::higher ? v : better == Better::lower ? -v : -std::abs(v - 1);
  };
  std::optional<double> best, worst;
  int known = 0;
  for (const auto& value : values)
    if (value) {
      ++known;
      best = best ? std::max(*best, score(*value)) : score(*value);
      worst = worst ? std::min(*worst, score(*value)) : score(*value);
    }
  std::set<std::size_t> chosen;
  if (known < 2 || *best == *worst) return chosen;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i] && score(*values[i]) == *best) chosen.insert(i);
  return chosen;
}

std::string cell(const std::optional<double>& value, const std::string& unit, bool best) {
  std::string text =
      value ? (unit == "%" ? with_decimals(100 * *value, 2) : with_decimals(*value, 3)) : "&ndash;";
  return std::string("<td class='number") + (best ? " best" : "") + "'>" + text + "</td>";
}

void write_curves(std::ostream& html, const Report& report) {
  html << "<section id='curves'><h2>Learning curves</h2><div class='plots'>\n";
  for (const auto& curve : kCurves) {
    std::vector<PlotSeries> series;
    bool any = false;
    for (const auto& run : report.runs) {
      PlotSeries line{run.name, {}};
      for (const auto& point : run.curve) {
        const auto value = point.values.find(curve.column);
        if (point.type != curve.type || value == point.values.end()) continue;
        const double x =
            curve.type == std::string("val") ? point.epoch : static_cast<double>(point.iteration);
        line.points.emplace_back(x, curve.scale * value->second);
      }
      any = any || !line.points.empty();
      series.push_back(std::move(line));  // even empty: each run keeps its colour in every plot
    }
    if (!any) continue;  // no run logged it (the adversary's curves of standard runs)
    html << "<figure class='plot' data-curve='" << curve.column << "'>"
         << line_plot_svg(curve.title, curve.type == std::string("val") ? "epoch" : "iteration", series)
         << "</figure>\n";
  }
  html << "</div></section>\n";
}

void write_metrics(std::ostream& html, const Report& report) {
  html << "<section id='metrics'><h2>Metrics of each run's best checkpoint on val</h2>"
       << "<p>The best run of each column is in bold; shares are "
          "percentages.</p><table><thead><tr><th>run</th>";
  for (const auto& field : report_fields()) html << "<th>" << field.key << "</th>";
  html << "</tr></thead><tbody>\n";
  std::vector<std::set<std::size_t>> best;
  for (const auto& field : report_fields()) {
    std::vector<std::optional<double>> column;
    for (const auto& run : report.runs) column.push_back(number_at(run.result, field.section, field.key));
    best.push_back(best_of(column, field.better));
  }
  for (std::size_t r = 0; r < report.runs.size(); ++r) {
    html << "<tr><th>" << xml_escaped(report.runs[r].name) << "</th>";
    for (std::size_t f = 0; f < report_fields().size(); ++f) {
      const auto& field = report_fields()[f];
      html << cell(number_at(report.runs[r].result, field.section, field.key), field.unit,
                   best[f].count(r) > 0);
    }
    html << "</tr>\n";
  }
  html << "</tbody></table></div>\n";
}

std::optional<double> class_iou(const ReportRun& run, const std::string& name) {
  const auto& result = run.result;
  if (!result.is_object() || !result.contains("metrics")) return std::nullopt;
  const auto& per_class = result["metrics"].value("per_class", nlohmann::json());
  if (!per_class.is_object() || !per_class.contains(name)) return std::nullopt;
  const auto& iou = per_class[name].value("iou", nlohmann::json());
  return iou.is_number() ? std::optional<double>(iou.get<double>()) : std::nullopt;
}

void write_class_metrics(std::ostream& html, const Report& report) {
  html << "<h3>IoU per class</h3><table><thead><tr><th>run</th>";
  for (const auto& name : report.class_names) html << "<th>" << xml_escaped(name) << "</th>";
  html << "</tr></thead><tbody>\n";
  std::vector<std::set<std::size_t>> best;
  for (const auto& name : report.class_names) {
    std::vector<std::optional<double>> column;
    for (const auto& run : report.runs) column.push_back(class_iou(run, name));
    best.push_back(best_of(column, Better::higher));
  }
  for (std::size_t r = 0; r < report.runs.size(); ++r) {
    html << "<tr><th>" << xml_escaped(report.runs[r].name) << "</th>";
    for (std::size_t c = 0; c < report.class_names.size(); ++c)
      html << cell(class_iou(report.runs[r], report.class_names[c]), "%", best[c].count(r) > 0);
    html << "</tr>\n";
  }
  html << "</tbody></table></section>\n";
}

// One run's confusion matrix, each row shaded by the share of that true
// class's pixels predicted as each class.
void write_heatmap(std::ostream& html, const ReportRun& run, const std::vector<std::string>& names) {
  html << "<figure><figcaption>" << xml_escaped(run.name)
       << "</figcaption><table class='heatmap'><thead><tr><th>true \\ predicted</th>";
  for (std::size_t p = 0; p < run.confusion.size(); ++p)
    html << "<th>" << xml_escaped(p < names.size() ? names[p] : std::to_string(p)) << "</th>";
  html << "</tr></thead><tbody>\n";
  for (std::size_t t = 0; t < run.confusion.size(); ++t) {
    const auto& row = run.confusion[t];
    std::int64_t total = 0;
    for (auto count : row) total += count;
    html << "<tr><th>" << xml_escaped(t < names.size() ? names[t] : std::to_string(t)) << "</th>";
    for (auto count : row) {
      const double share = total > 0 ? static_cast<double>(count) / static_cast<double>(total) : 0.0;
      html << "<td style='background: rgba(31, 119, 180, " << with_decimals(share, 3) << ")"
           << (share > 0.55 ? "; color: white" : "") << "' title='" << count << " pixels'>"
           << (total > 0 ? with_decimals(100 * share, 0) : "&ndash;") << "</td>";
    }
    html << "</tr>\n";
  }
  html << "</tbody></table></figure>\n";
}

void write_confusion(std::ostream& html, const Report& report) {
  bool any = false;
  for (const auto& run : report.runs) any = any || !run.confusion.empty();
  if (!any) return;
  html << "<section id='confusion'><h2>Confusion matrices (val, % of each true class)</h2><div "
          "class='heatmaps'>\n";
  for (const auto& run : report.runs)
    if (!run.confusion.empty()) write_heatmap(html, run, report.class_names);
  html << "</div></section>\n";
}

std::string base64(const std::string& bytes) {
  static constexpr char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t chunk = static_cast<std::uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) chunk |= static_cast<std::uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) chunk |= static_cast<std::uint8_t>(bytes[i + 2]);
    out += kDigits[(chunk >> 18) & 63];
    out += kDigits[(chunk >> 12) & 63];
    out += i + 1 < bytes.size() ? kDigits[(chunk >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kDigits[chunk & 63] : '=';
  }
  return out;
}

void write_panels(std::ostream& html, const Report& report) {
  if (report.panels_png.empty()) return;
  html << "<section id='panels'><h2>Predictions on val images</h2>"
       << "<img class='panels' alt='image, ground truth and each run&apos;s prediction' "
          "src='data:image/png;base64,"
       << base64(report.panels_png) << "'></section>\n";
}

void write_configs(std::ostream& html, const Report& report) {
  std::set<std::string> keys;
  for (const auto& run : report.runs)
    for (const auto& entry : run.config) keys.insert(entry.first);
  if (keys.empty()) return;
  html << "<section id='configs'><h2>Configs</h2><label><input type='checkbox' id='only-differences'> "
       << "only the keys where the runs differ (highlighted)</label><table><thead><tr><th>key</th>";
  for (const auto& run : report.runs) html << "<th>" << xml_escaped(run.name) << "</th>";
  html << "</tr></thead><tbody>\n";
  for (const auto& key : keys) {
    std::vector<std::string> values;
    for (const auto& run : report.runs) {
      const auto found = run.config.find(key);
      values.push_back(found == run.config.end() ? "" : found->second);
    }
    const bool differs =
        std::any_of(values.begin(), values.end(), [&](const auto& v) { return v != values[0]; });
    html << "<tr" << (differs ? " class='differs'" : "") << "><th>" << xml_escaped(key) << "</th>";
    for (const auto& value : values) html << "<td><code>" << xml_escaped(value) << "</code></td>";
    html << "</tr>\n";
  }
  html << "</tbody></table></section>\n";
}

}  // namespace

std::string report_html(const Report& report) {
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>" << xml_escaped(report.title)
       << "</title><style>" << kStyle << "</style></head><body>\n<h1>" << xml_escaped(report.title)
       << "</h1>\n<p class='runs'>" << report.runs.size() << (report.runs.size() == 1 ? " run" : " runs")
       << ": ";
  for (std::size_t i = 0; i < report.runs.size(); ++i)
    html << (i ? ", " : "") << "<b>" << xml_escaped(report.runs[i].name) << "</b>";
  html << "</p>\n";
  if (!report.notes.empty()) {
    html << "<ul class='notes'>";
    for (const auto& note : report.notes) html << "<li>" << xml_escaped(note) << "</li>";
    html << "</ul>\n";
  }
  write_curves(html, report);
  write_metrics(html, report);
  write_class_metrics(html, report);
  write_confusion(html, report);
  write_panels(html, report);
  write_configs(html, report);
  html << "<script>" << kScript << "</script>\n</body></html>\n";
  return html.str();
}

}  // namespace advseg
