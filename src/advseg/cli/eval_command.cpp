// advseg eval: the metrics of a checkpoint's segmentor on a split of the
// dataset saved with it (or another one, through --set data.*).
#include <CLI/CLI.hpp>
#include <iostream>

#include "advseg/cli/commands.h"
#include "advseg/cli/common.h"
#include "advseg/cli/metrics_table.h"
#include "advseg/data/dataset.h"
#include "advseg/error.h"
#include "advseg/eval/evaluator.h"
#include "advseg/train/checkpoint.h"

namespace advseg {
namespace {

struct EvalOptions {
  std::string checkpoint;
  std::string split = "val";
  std::string out;
  ConfigOptions config;
};

void run_eval(const EvalOptions& options) {
  Config config = finish_config(load_checkpoint_config(options.checkpoint), options.config);
  auto dataset = make_dataset(config.data, options.split);
  auto evaluation = evaluation_options(config);
  Networks networks{make_configured_segmentor(config, evaluation.device), nullptr};
  load_checkpoint(options.checkpoint, networks, nullptr);

  auto metrics = evaluate(*networks.segmentor, dataset, evaluation).metrics();
  auto metrics_json = metrics_to_json(metrics, dataset->info().class_names);
  print_metrics_table(std::cout, {{options.split, metrics_json}});
  if (!options.out.empty()) {
    nlohmann::json result = {{"checkpoint", options.checkpoint}, {"split", options.split}, {"metrics", metrics_json}};
    write_json_file(options.out, result.dump(2));
  }
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto options = std::make_shared<EvalOptions>();
  auto* command = app.add_subcommand("eval", "Evaluate a checkpoint on a dataset split");
  command->add_option("--checkpoint", options->checkpoint, "Checkpoint directory (e.g. OUT/best)")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->add_option("--split", options->split, "train or val")->check(CLI::IsMember({"train", "val"}));
  command->add_option("--out", options->out, "Write the metrics as JSON here");
  add_config_options(*command, options->config);
  command->callback([options] { run_eval(*options); });
}

}  // namespace advseg
