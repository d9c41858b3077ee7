// advseg eval: the metrics of a checkpoint's segmentor on a split of the
// dataset saved with it (or another one, through --set data.*): pixel and
// IoU metrics, and the spatial consistency of its label maps.
#include <CLI/CLI.hpp>
#include <iostream>

#include "advseg/cli/commands.h"
#include "advseg/cli/common.h"
#include "advseg/cli/metrics_table.h"
#include "advseg/config/dataset_folders.h"
#include "advseg/error.h"
#include "advseg/eval/checkpoint_evaluation.h"
#include "advseg/inference/checkpoint_files.h"
#include "advseg/io/output_file.h"

namespace advseg {
namespace {

struct EvalOptions {
  std::string checkpoint;
  std::string split = "val";
  std::string out;
  ConfigOptions config;
};

void run_eval(const EvalOptions& options) {
  Config config = checkpoint_config(options.checkpoint, options.config);
  if (!options.out.empty()) {  // before the evaluation, which takes a while
    auto reads = dataset_folders(config);
    for (auto& read : checkpoint_reads(options.checkpoint)) reads.push_back(std::move(read));
    check_output_file(options.out, reads);
  }
  auto result = evaluate_checkpoint(options.checkpoint, config, options.split);
  print_metrics_table(std::cout, {{options.split, result}});
  if (!options.out.empty()) {
    result["checkpoint"] = options.checkpoint;
    result["split"] = options.split;
    write_json_file(options.out, result.dump(2));
  }
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto options = std::make_shared<EvalOptions>();
  auto* command = app.add_subcommand("eval", "Evaluate a checkpoint on a dataset split");
  command->add_option("--checkpoint", options->checkpoint, "Checkpoint folder (e.g. OUT/best)")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->add_option("--split", options->split, "train or val")->check(CLI::IsMember({"train", "val"}));
  command->add_option("--out", options->out, "Output file: the metrics and consistency metrics as JSON");
  add_config_options(*command, options->config);
  command->callback([options] { run_eval(*options); });
}

}  // namespace advseg
