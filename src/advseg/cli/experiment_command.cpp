// advseg experiment: standard versus adversarial training (and, with
// --grid full, every encoding and segmentor loss) over several seeds, with
// mean ± std of every metric and learning curves; see experiment/experiment.h.
//   advseg experiment --config configs/shapes.yaml --out runs/exp --seeds 3 --grid full
//   advseg experiment --config configs/stanford_background_few_labels.yaml --out runs/semi
//     --grid standard,pixel,semi --label-fractions 0.125,0.25,0.5
#include <CLI/CLI.hpp>
#include <iostream>

#include "advseg/cli/commands.h"
#include "advseg/cli/common.h"
#include "advseg/cli/number_checks.h"
#include "advseg/cli/stop_signals.h"
#include "advseg/config/builtin_demo.h"
#include "advseg/distributed/worker_group.h"
#include "advseg/error.h"
#include "advseg/experiment/experiment.h"
#include "advseg/io/file_bytes.h"

namespace advseg {
namespace {

struct ExperimentCommandOptions {
  std::string config_path;
  std::string out_dir;
  int seeds = 3;
  std::string grid = "standard,adversarial";
  std::string label_fractions;
  ConfigOptions config;
};

void run_experiment_command(const ExperimentCommandOptions& options) {
  // Each worker would run the whole grid into the same folder.
  if (const auto group = worker_group_from(process_environment()); group.distributed())
    throw Error("advseg experiment runs in one process, but WORLD_SIZE is " +
                std::to_string(group.world_size) +
                " (torchrun?): launch its runs one by one with advseg train under torchrun instead");
  ExperimentOptions experiment;
  experiment.base = file_config(options.config_path, options.config);
  experiment.base_overrides = options.config.overrides;
  experiment.out_dir = options.out_dir;
  experiment.variants = with_label_fractions(parse_grid(options.grid), options.label_fractions);
  experiment.seeds = options.seeds;
  experiment.description = options.config_path.empty() ? kBuiltinDemoSource : options.config_path;
  for (const auto& assignment : options.config.overrides) experiment.description += " --set " + assignment;

  experiment.should_stop = [](const TrainingProgress&) { return stop_requested(); };
  install_stop_handlers("the run in progress (rerun this command to resume)");
  auto outcome = run_experiment(experiment);
  if (outcome.stopped) stop_early();
  std::cout << read_file_bytes(experiment.out_dir / "results.md") << "\n"
            << outcome.runs_trained << " runs trained, " << outcome.runs_reused << " reused; results in "
            << (experiment.out_dir / "results.md").string() << " and results.json, learning curves in "
            << (experiment.out_dir / "curves.csv").string() << "\n";
}

}  // namespace

void add_experiment_command(CLI::App& app) {
  auto options = std::make_shared<ExperimentCommandOptions>();
  auto* command = app.add_subcommand(
      "experiment", "Train variants over several seeds; tabulate mean ± std of every metric");
  command
      ->add_option("--config", options->config_path,
                   "Base YAML config (default: the built-in demo, configs/shapes.yaml)")
      ->check(CLI::ExistingFile);
  command
      ->add_option("--out", options->out_dir,
                   "Output folder: a run per variant and seed, results.md, curves (rerun to resume)")
      ->required();
  command->add_option("--seeds", options->seeds, "Runs per variant, with train.seed, train.seed+1, ...")
      ->transform(whole_number(1));
  command->add_option(
      "--grid", options->grid,
      "\"full\" (standard + encodings basic/product/scaling x losses flipped/original) or "
      "variants separated by commas: standard, adversarial, <encoding>-<loss>, image "
      "(stanford adversary, a verdict per image), pixel (fcd adversary, a verdict per pixel), "
      "semi (pixel + Hung et al.'s semi-supervised terms), cutmix (CutMix mean teacher), pseudo_label "
      "(weak-to-strong pseudo-labels), semi+cutmix; with data.target: source_only, adaptsegnet, advent, "
      "source_only_bn, minent, target_only (default standard,adversarial)");
  command->add_option("--label-fractions", options->label_fractions,
                      "Every variant at each share of the training labels, e.g. 0.125,0.25,0.5 "
                      "(data.labeled_fraction; variants named <variant>@<fraction>)");
  add_config_options(*command, options->config);
  command->callback([options] { run_experiment_command(*options); });
}

}  // namespace advseg
