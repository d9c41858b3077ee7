// Reading runs from disk into a Report (report/html_report.h): each run's
// learning curve (log.jsonl) and resolved config, and its best checkpoint
// evaluated on val, for the metrics, the confusion matrix and the picture
// panels. What cannot be read (a run without a log, a dataset that is not on
// this machine) becomes a note in the report rather than an error.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "advseg/run/run_config.h"

namespace advseg {

struct Report;

struct ReportOptions {
  int panel_images = 4;  // val images in the picture panels; 0 for none
  bool evaluate = true;  // false: metrics from metrics.json/result.json, no confusion matrix or panels
  RunSettings settings;  // --set, --threads, --device applied to each run's config
};

// The run folders of `inputs`: a run folder (holding best/ or last/) is
// itself; an experiment folder gives every run below it. Throws
// advseg::Error naming an input that holds no run.
std::vector<std::filesystem::path> report_run_dirs(const std::vector<std::filesystem::path>& inputs);

Report gather_report(const std::vector<std::filesystem::path>& inputs, const ReportOptions& options);

// gather_report() written as HTML to `out` (its folder created). Returns
// the report's notes (what it could not show, and why).
std::vector<std::string> write_report(const std::vector<std::filesystem::path>& inputs,
                                      const ReportOptions& options, const std::filesystem::path& out);

}  // namespace advseg
