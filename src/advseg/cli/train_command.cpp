// advseg train: trains a segmentor, adversarially unless
// adversarial.enabled=false, writing checkpoints, logs and validation
// metrics to --out. SIGINT/SIGTERM stop it cleanly after the current step
// with a checkpoint; --resume continues it.
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>

#include "advseg/cli/commands.h"
#include "advseg/cli/common.h"
#include "advseg/error.h"
#include "advseg/train/trainer.h"

namespace advseg {
namespace {

std::atomic<bool> stop_requested{false};

// The first signal asks for a clean stop; a second one kills as usual.
extern "C" void request_stop(int signal_number) {
  stop_requested.store(true);
  std::signal(signal_number, SIG_DFL);
}

struct TrainOptions {
  std::string config_path;
  std::string out_dir;
  std::string resume_dir;
  ConfigOptions config;
};

Config training_config(const TrainOptions& options) {
  if (!options.resume_dir.empty()) {
    if (!options.config_path.empty())
      throw Error("--config and --resume together: a resumed run keeps the config saved in " +
                  options.resume_dir + "/config.yaml (change it with --set)");
    return load_checkpoint_config(options.resume_dir);
  }
  return options.config_path.empty() ? Config{} : load_config(options.config_path);
}

// Refuses to start a fresh run over an earlier one: that would lose its work.
void check_out_dir_is_free(const TrainOptions& options) {
  auto last = std::filesystem::path(options.out_dir) / "last";
  if (options.resume_dir.empty() && std::filesystem::exists(std::filesystem::symlink_status(last)))
    throw Error(options.out_dir + ": already holds a run (" + last.string() +
                "); continue it with --resume " + last.string() + " or choose another --out");
}

void run_train(const TrainOptions& options) {
  check_out_dir_is_free(options);
  Config config = finish_config(training_config(options), options.config);
  Trainer trainer(config, options.out_dir, [](const TrainingProgress&) { return stop_requested.load(); });
  if (!options.resume_dir.empty()) trainer.resume_from(options.resume_dir);

  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  auto outcome = trainer.run();
  if (!outcome.completed) return;

  nlohmann::json result = {
      {"metrics", metrics_to_json(outcome.validation, outcome.class_names)},
      {"consistency", consistency_to_json(outcome.validation_consistency, outcome.class_names)},
      {"iterations", outcome.progress.iteration},
      {"best_mean_iou", outcome.progress.best_mean_iou},
      {"best_epoch", outcome.progress.best_epoch}};
  auto path = std::filesystem::path(options.out_dir) / "metrics.json";
  write_json_file(path, result.dump(2));
  std::cout << "validation metrics written to " << path.string() << "\n";
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto options = std::make_shared<TrainOptions>();
  auto* command =
      app.add_subcommand("train", "Train a segmentor (adversarially unless adversarial.enabled=false)");
  command->add_option("--config", options->config_path, "YAML config (default: built-in shapes demo)")
      ->check(CLI::ExistingFile);
  command->add_option("--out", options->out_dir, "Output directory: checkpoints, log.jsonl, metrics.json")
      ->required();
  command->add_option("--resume", options->resume_dir, "Continue from a checkpoint directory (e.g. OUT/last)")
      ->check(CLI::ExistingDirectory);
  add_config_options(*command, options->config);
  command->callback([options] { run_train(*options); });
}

}  // namespace advseg
