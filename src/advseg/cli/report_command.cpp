// advseg report: one self-contained HTML file comparing training runs (or
// every run of an experiment): learning curves, metrics with the best run
// marked, confusion matrices, predictions on val images, and configs side by
// side, e.g.
//   advseg report runs/standard runs/adversarial --out report.html
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "advseg/cli/commands.h"
#include "advseg/cli/common.h"
#include "advseg/cli/number_checks.h"
#include "advseg/io/output_file.h"
#include "advseg/report/gather_report.h"

namespace advseg {
namespace {

struct ReportCommandOptions {
  std::vector<std::string> runs;
  std::string out;
  int panels = 4;
  bool no_eval = false;
  ConfigOptions config;
};

void run_report(const ReportCommandOptions& options) {
  ReportOptions report;
  report.panel_images = options.panels;
  report.evaluate = !options.no_eval;
  report.settings = run_settings(options.config);
  const std::vector<std::filesystem::path> inputs(options.runs.begin(), options.runs.end());
  // Never into a folder it reads (train writes OUT/report.html itself: its own folder).
  std::vector<ReadPath> reads;
  for (const auto& input : inputs) reads.push_back({input, "the run folder"});
  check_output_file(options.out, reads);
  for (const auto& note : write_report(inputs, report, options.out)) std::cerr << "note: " << note << "\n";
  std::cout << "wrote " << options.out << "\n";
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto options = std::make_shared<ReportCommandOptions>();
  auto* command = app.add_subcommand("report", "HTML report comparing training runs or an experiment's runs");
  command->add_option("runs", options->runs, "Run folders (train --out) or experiment folders")->required();
  command->add_option("--out", options->out, "The HTML file to write, e.g. report.html")->required();
  command->add_option("--panels", options->panels, "Val images in the picture panels (0: none)")
      ->transform(whole_number(0));
  command->add_flag("--no-eval", options->no_eval,
                    "Do not evaluate the best checkpoints: metrics as saved, no confusion matrix or panels");
  add_config_options(*command, options->config);
  command->callback([options] { run_report(*options); });
}

}  // namespace advseg
