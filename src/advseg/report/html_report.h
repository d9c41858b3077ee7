// The report of one or more training runs as one self-contained HTML file
// (styles, plots and pictures inlined; nothing fetched from the network):
// learning curves with the runs overlaid, a metrics table with the best run
// of each column marked, per-class IoU, each run's confusion matrix as a heat
// map, picture panels, and the resolved configs side by side with the keys
// where they differ highlighted. Built from data already gathered
// (report/gather_report.h reads runs from disk), so it needs no LibTorch.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "advseg/experiment/curves.h"

namespace advseg {

struct ReportRun {
  std::string name;
  std::vector<CurvePoint> curve;  // log.jsonl; empty when the run has none
  // {"metrics": metrics_to_json(), "consistency": consistency_to_json()} of
  // its best checkpoint on val; null when unknown.
  nlohmann::json result;
  std::map<std::string, std::string> config;  // flat_config() of its resolved config
  // confusion[t][p]: val pixels of true class t predicted as p; empty when
  // the run was not evaluated.
  std::vector<std::vector<std::int64_t>> confusion;
};

struct Report {
  std::string title = "advseg report";
  std::vector<ReportRun> runs;
  std::vector<std::string> class_names;
  std::string panels_png;          // an encoded PNG (image | ground truth | each run), "" for none
  std::vector<std::string> notes;  // what the report could not show, and why
};

std::string report_html(const Report& report);

}  // namespace advseg
