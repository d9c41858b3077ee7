// advseg models: every network of the registry, its parameters, the
// multiply-adds of its convolutions and its output stride at one input size,
// and with --time its CPU forward time (docs/models.md is this table).
#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "advseg/bench/model_table.h"
#include "advseg/cli/commands.h"
#include "advseg/cli/number_checks.h"

namespace advseg {
namespace {

struct ModelsCommandOptions {
  ModelTableOptions table;
  bool json = false;
};

std::string fixed_digits(double value, int digits) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(digits) << value;
  return text.str();
}

std::string milliseconds(const std::optional<double>& value) { return value ? fixed_digits(*value, 1) : "-"; }

void print_table(const std::vector<ModelRow>& rows, const ModelTableOptions& options) {
  std::cout << "| kind | network | backbone | parameters (M) | GMACs at " << options.size << "x"
            << options.size << " | output stride | forward ms, fp32 | forward ms, bf16 |\n"
            << "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |\n";
  for (const auto& row : rows)
    std::cout << "| " << row.kind << " | `" << row.name << "` | "
              << (row.backbone.empty() ? "-" : row.backbone) << " | " << fixed_digits(row.parameters / 1e6, 2)
              << " | " << fixed_digits(row.conv_gmacs, 2) << " | "
              << (row.output_stride ? std::to_string(row.output_stride) : "-") << " | "
              << milliseconds(row.forward_ms_fp32) << " | " << milliseconds(row.forward_ms_bf16) << " |\n";
}

}  // namespace

void add_models_command(CLI::App& app) {
  auto options = std::make_shared<ModelsCommandOptions>();
  ModelTableOptions& table = options->table;
  auto* command = app.add_subcommand(
      "models", "List every network: parameters, convolution multiply-adds, output stride, CPU speed");
  command->add_option("--size", table.size, "Square input side")->transform(whole_number(32, 4096));
  command->add_option("--classes", table.classes, "Classes of the heads")->transform(whole_number(1, 254));
  command->add_flag("--time", table.time, "Also time a batch-1 forward pass (fp32, and bf16 where native)");
  command->add_option("--iters", table.reps.timed, "Timed runs per network (the fastest counts)")
      ->transform(whole_number(1));
  command->add_option("--threads", table.threads, "LibTorch threads (0 = every core)")
      ->transform(whole_number(0, 1024));
  command->add_flag("--json", options->json, "Print one JSON object instead of a Markdown table");
  command->callback([options] {
    const auto rows = model_table(options->table, std::cerr);
    if (options->json)
      std::cout << model_table_json(options->table, rows).dump(2) << "\n";
    else
      print_table(rows, options->table);
  });
}

}  // namespace advseg
