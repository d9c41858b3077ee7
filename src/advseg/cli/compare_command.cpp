// advseg compare: metrics files of several runs side by side, e.g.
//   advseg compare standard=runs/std/metrics.json adversarial=runs/adv/metrics.json
// (files from `advseg eval --out` add the spatial consistency rows).
#include <CLI/CLI.hpp>
#include <iostream>

#include "advseg/cli/commands.h"
#include "advseg/cli/common.h"
#include "advseg/cli/metrics_table.h"
#include "advseg/eval/saved_result.h"

namespace advseg {
namespace {

NamedMetrics read_named_metrics(const std::string& argument) {
  auto [name, path] = split_named_argument(argument);
  return {name, read_saved_result(path)};
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto runs = std::make_shared<std::vector<std::string>>();
  auto* command = app.add_subcommand("compare", "Print the metrics of several runs side by side");
  command->add_option("runs", *runs, "NAME=metrics.json (from train or eval), one per run")->required();
  command->callback([runs] {
    std::vector<NamedMetrics> table;
    for (const auto& run : *runs) table.push_back(read_named_metrics(run));
    print_metrics_table(std::cout, table);
  });
}

}  // namespace advseg
