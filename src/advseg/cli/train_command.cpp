// advseg train: trains a segmentor, adversarially unless
// adversarial.enabled=false, writing checkpoints, logs and validation
// metrics to the folder --out. Ctrl-C (SIGINT), SIGTERM, SIGHUP or SIGPIPE
// stops it cleanly after the current step (or mid-validation) with a
// checkpoint, then exits with 128 + the signal's number (stop_signals.h);
// --resume continues it, and says so when the run is already finished. At the end it writes OUT/report.html
// (advseg report) unless
// --no-report. Under torchrun (or with --world-size and --rank) each process
// is one worker of a data-parallel run (docs/distributed.md); rank 0 writes.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <string>

#include "advseg/cli/commands.h"
#include "advseg/cli/common.h"
#include "advseg/cli/number_checks.h"
#include "advseg/cli/stop_signals.h"
#include "advseg/distributed/worker_group.h"
#include "advseg/error.h"
#include "advseg/inference/checkpoint_files.h"
#include "advseg/report/gather_report.h"
#include "advseg/run/training_run.h"

namespace advseg {
namespace {

// Flags that override torchrun's environment; negative or empty: not given.
struct DistributedFlags {
  int rank = -1;
  int world_size = -1;
  std::string master_addr;
  int master_port = -1;
  std::string backend;
  double timeout_s = -1;
  double bucket_mb = -1;
  std::string overlap;
};

struct TrainOptions {
  std::string config_path;
  std::string out_dir;
  std::string resume_dir;
  bool no_report = false;
  ConfigOptions config;
  DistributedFlags distributed;
};

WorkerGroup worker_group(const DistributedFlags& flags) {
  WorkerGroup group = worker_group_from(process_environment());
  if (flags.world_size >= 0) group.world_size = flags.world_size;
  if (flags.rank >= 0) {
    group.rank = flags.rank;
    if (!process_environment()("LOCAL_RANK")) group.local_rank = flags.rank;
  }
  if (!flags.master_addr.empty()) group.master_addr = flags.master_addr;
  if (flags.master_port >= 0) group.master_port = flags.master_port;
  if (!flags.backend.empty()) group.backend = flags.backend;
  if (flags.timeout_s >= 0) group.timeout_s = flags.timeout_s;
  if (flags.bucket_mb >= 0) group.bucket_mb = flags.bucket_mb;
  if (!flags.overlap.empty()) group.overlap = flags.overlap == "true";
  return group;
}

void add_distributed_options(CLI::App& command, DistributedFlags& flags) {
  const char* group =
      "Data-parallel training (default: torchrun's RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT)";
  command.add_option("--world-size", flags.world_size, "Workers in the run")
      ->transform(whole_number(1))
      ->group(group);
  command.add_option("--rank", flags.rank, "This worker's rank, 0 to world size - 1")
      ->transform(whole_number(0))
      ->group(group);
  command.add_option("--master-addr", flags.master_addr, "Host of rank 0's rendezvous store")->group(group);
  command.add_option("--master-port", flags.master_port, "Port of the rendezvous store")
      ->transform(whole_number(1, 65535))
      ->group(group);
  command.add_option("--dist-backend", flags.backend, "gloo or nccl (default: gloo on CPU, nccl on CUDA)")
      ->group(group);
  command
      .add_option("--dist-timeout", flags.timeout_s,
                  "Seconds before a silent worker fails the others, naming it (default 300)")
      ->check(number_above(0, false, 86400))  // a day: beyond, the duration overflows inside Gloo
      ->group(group);
  command.add_option("--dist-bucket-mb", flags.bucket_mb, "MiB of gradients per all-reduce (default 25)")
      ->check(number_above(0))
      ->group(group);
  command
      .add_option("--dist-overlap", flags.overlap,
                  "true: each bucket's all-reduce starts during the backward pass (default); false: after it")
      ->check(CLI::IsMember({"true", "false"}))
      ->group(group);
}

Config training_config(const TrainOptions& options) {
  if (!options.resume_dir.empty()) {
    if (!options.config_path.empty())
      throw Error("--config and --resume together: a resumed run keeps the config saved in " +
                  options.resume_dir + "/config.yaml (change it with --set)");
    return checkpoint_config(options.resume_dir, options.config);
  }
  return file_config(options.config_path, options.config);
}

void run_train(const TrainOptions& options) {
  Config config = training_config(options);
  const WorkerGroup group = worker_group(options.distributed);
  auto workers = join_worker_group(group, config);
  auto trainer = make_trainer(
      config, options.out_dir, [](const TrainingProgress&) { return stop_requested(); }, workers);
  if (!options.resume_dir.empty()) {
    trainer->resume_from(options.resume_dir);
    if (trainer->finished()) {  // nothing to train: every file stays as it is
      if (group.is_main())
        std::cout << options.resume_dir << ": the run is finished ("
                  << (config.train.iterations > 0
                          ? "train.iterations " + std::to_string(config.train.iterations)
                          : "train.epochs " + std::to_string(config.train.epochs))
                  << "); nothing to do, " << options.out_dir << " is left as it was\n";
      return;
    }
  }

  install_stop_handlers((std::filesystem::path(options.out_dir) / "last").string());
  auto outcome = trainer->run();
  if (!outcome.completed) stop_early();
  if (!group.is_main()) return;
  auto path = std::filesystem::path(options.out_dir) / "metrics.json";
  write_json_file(path, run_metrics(outcome, config).dump(2));
  std::cout << "validation metrics written to " << path.string() << "\n";
  if (options.no_report) return;
  // The run is saved by now: a report that fails is a warning, not a failed run.
  const auto report = std::filesystem::path(options.out_dir) / "report.html";
  try {
    ReportOptions report_options;
    report_options.settings = run_settings(options.config);
    write_report({options.out_dir}, report_options, report);
    std::cout << "report written to " << report.string() << "\n";
  } catch (const Error& e) {
    std::cerr << "advseg: warning: no report (" << e.what() << "); advseg report " << options.out_dir
              << " --out report.html tries again\n";
  }
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto options = std::make_shared<TrainOptions>();
  auto* command = app.add_subcommand(
      "train", "Train a segmentor (adversarially unless adversarial.enabled=false) into the folder --out");
  command
      ->add_option("--config", options->config_path,
                   "YAML config (default: the built-in demo, configs/shapes.yaml)")
      ->check(CLI::ExistingFile);
  command->add_option("--out", options->out_dir, "Output folder: checkpoints, log.jsonl, metrics.json")
      ->required();
  command->add_option("--resume", options->resume_dir, "Continue from a checkpoint folder (e.g. OUT/last)")
      ->check(CLI::ExistingDirectory);
  command->add_flag("--no-report", options->no_report, "Do not write OUT/report.html at the end");
  add_config_options(*command, options->config);
  add_distributed_options(*command, options->distributed);
  command->callback([options] { run_train(*options); });
}

}  // namespace advseg
