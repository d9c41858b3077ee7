// advseg train: trains a segmentor, adversarially unless
// adversarial.enabled=false, writing checkpoints, logs and validation
// metrics to the folder --out. Ctrl-C (SIGINT) or SIGTERM stops it cleanly
// after the current step (or mid-validation) with a checkpoint; --resume
// continues it. At the end it writes OUT/report.html (advseg report) unless
// --no-report. Under torchrun (or with --world-size and --rank) each process
// is one worker of a data-parallel run (docs/distributed.md); rank 0 writes.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <exception>
#include <iostream>
#include <string>

#include "advseg/cli/commands.h"
#include "advseg/cli/common.h"
#include "advseg/distributed/worker_group.h"
#include "advseg/error.h"
#include "advseg/inference/checkpoint_files.h"
#include "advseg/report/gather_report.h"
#include "advseg/run/training_run.h"

namespace advseg {
namespace {

std::atomic<int> stop_signals{0};
std::string first_notice, second_notice;  // built before the handler is installed

void say_from_handler(const std::string& text) {
  [[maybe_unused]] const auto written = ::write(STDERR_FILENO, text.data(), text.size());
}

// The first signal asks for a clean stop and says so at once; the second
// still saves (the state after the current step is consistent) and says so;
// the third quits at once.
extern "C" void request_stop(int signal_number) {
  const int count = ++stop_signals;
  if (count == 1) say_from_handler(first_notice);
  if (count == 2) {
    say_from_handler(second_notice);
    std::signal(signal_number, SIG_DFL);
  }
}

void install_stop_handlers(const std::string& out_dir) {
  const std::string last = (std::filesystem::path(out_dir) / "last").string();
  first_notice =
      "\nadvseg: stopping after the current step, then saving " + last + " (Ctrl-C again quits sooner)\n";
  second_notice = "advseg: still saving " + last +
                  " once the step in progress ends; Ctrl-C once more quits without saving\n";
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
}

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

// A number above (or, with `or_equal`, at least) `low`: a negative value
// would otherwise read as "not given", and CLI11's own range message prints
// the largest double.
CLI::Validator number_from(double low, bool or_equal) {
  return CLI::Validator(
      [low, or_equal](std::string& text) -> std::string {
        std::size_t used = 0;
        double value = 0;
        try {
          value = std::stod(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != text.size()) return text + " is not a number";
        if (or_equal ? value >= low : value > low) return "";
        return text + " must be " + (or_equal ? "at least " : "above ") +
               std::to_string(static_cast<int>(low));
      },
      "");
}

void add_distributed_options(CLI::App& command, DistributedFlags& flags) {
  const char* group =
      "Data-parallel training (default: torchrun's RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT)";
  command.add_option("--world-size", flags.world_size, "Workers in the run")
      ->check(number_from(1, true))
      ->group(group);
  command.add_option("--rank", flags.rank, "This worker's rank, 0 to world size - 1")
      ->check(number_from(0, true))
      ->group(group);
  command.add_option("--master-addr", flags.master_addr, "Host of rank 0's rendezvous store")->group(group);
  command.add_option("--master-port", flags.master_port, "Port of the rendezvous store")
      ->check(CLI::Range(1, 65535))
      ->group(group);
  command.add_option("--dist-backend", flags.backend, "gloo or nccl (default: gloo on CPU, nccl on CUDA)")
      ->group(group);
  command
      .add_option("--dist-timeout", flags.timeout_s,
                  "Seconds before a silent worker fails the others, naming it (default 300)")
      ->check(number_from(0, false))
      ->group(group);
  command.add_option("--dist-bucket-mb", flags.bucket_mb, "MiB of gradients per all-reduce (default 25)")
      ->check(number_from(0, false))
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
      config, options.out_dir, [](const TrainingProgress&) { return stop_signals > 0; }, workers);
  if (!options.resume_dir.empty()) trainer->resume_from(options.resume_dir);

  install_stop_handlers(options.out_dir);
  auto outcome = trainer->run();
  if (!outcome.completed || !group.is_main()) return;
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
