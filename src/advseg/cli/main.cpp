// advseg: adversarial training for semantic segmentation.
//
// A segmentation network (the segmentor) learns per-pixel classes with
// cross-entropy, while an adversary learns to tell ground-truth label maps
// from the segmentor's predictions; the segmentor is also trained to fool the
// adversary, which pushes its label maps toward the shapes, sizes and
// coherence of real ones (Luc, Couprie, Chintala, Verbeek 2016).
//
//   advseg train   [--config FILE] --out DIR [--resume DIR] [--set key=value]...
//   advseg eval    --checkpoint DIR [--split val] [--out metrics.json]
//   advseg predict --checkpoint DIR --input FILE_OR_DIR --out DIR
//   advseg compare NAME=metrics.json...
//   advseg experiment [--config FILE] --out DIR [--seeds N] [--grid standard,adversarial|full]
//   advseg panels  --checkpoints NAME=DIR... [--split val] [--count 6 | --ids A,B] --out panels.png
//   advseg bench   [--json] [--twin] [--profile] [--batch 8 --height 240 --width 320 --iters N --threads T]
//   advseg models  [--time] [--json]
//   advseg config  [--config FILE] [--set key=value]... | --reference
//   advseg export  --checkpoint DIR --out model.pt [--size HxW]
//   advseg report  RUN_OR_EXPERIMENT_DIR... --out report.html [--panels 4] [--no-eval]
//
// Every user-facing failure is an advseg::Error whose message names the file
// or setting at fault; it is printed as is and the exit status is 1. A
// training stopped by a signal exits with 128 + its number after saving
// (stop_signals.h); an internal error exits with 2.
#include <torch/version.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "advseg/cli/commands.h"
#include "advseg/cli/exit_status.h"
#include "advseg/cli/stop_signals.h"
#include "advseg/error.h"
#include "advseg/runtime.h"

namespace {

// CLI11 repeats a bad value in full; a 300-digit number should not fill the screen.
std::string shortened(const std::string& message) {
  std::istringstream words(message);
  std::string result;
  for (std::string word; words >> word;) {
    if (word.size() > 40) word = word.substr(0, 20) + "...(" + std::to_string(word.size()) + " characters)";
    result += (result.empty() ? "" : " ") + word;
  }
  return result;
}

std::string command_names(const CLI::App& app) {
  std::string names;
  for (const auto* command : app.get_subcommands([](const CLI::App*) { return true; }))
    names += (names.empty() ? "" : ", ") + command->get_name();
  return names;
}

// "advseg foo": name the unknown command instead of CLI11's "A subcommand is required".
void check_command_name(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return;
  const std::string name = argv[1];
  for (const auto* command : app.get_subcommands([](const CLI::App*) { return true; }))
    if (command->get_name() == name) return;
  throw advseg::Error("unknown command '" + name + "' (commands: " + command_names(app) +
                      "; advseg --help describes them)");
}

int parse_and_run(CLI::App& app, int argc, char** argv) {
  check_command_name(app, argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "advseg: error: " << shortened(e.what()) << "\n"
              << "(advseg "
              << (app.get_subcommands().empty() ? "" : app.get_subcommands().front()->get_name() + " ")
              << "--help lists the options)\n";
    return advseg::kExitError;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  advseg::keep_freed_memory();
  // Past a file-size limit, fail the write (reported as an error naming the
  // file) rather than kill the process.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"advseg: semantic segmentation with adversarial training (Luc et al. 2016)"};
  app.set_version_flag("--version",
                       std::string("advseg ") + ADVSEG_VERSION + " (LibTorch " + TORCH_VERSION + ")");
  app.require_subcommand(1);
  advseg::add_train_command(app);
  advseg::add_eval_command(app);
  advseg::add_predict_command(app);
  advseg::add_compare_command(app);
  advseg::add_bench_command(app);
  advseg::add_models_command(app);
  advseg::add_experiment_command(app);
  advseg::add_panels_command(app);
  advseg::add_config_command(app);
  advseg::add_export_command(app);
  advseg::add_report_command(app);
  const int status = parse_and_run(app, argc, argv);
  // Output that never arrived (a full disk, `> /dev/full`) is a failure too.
  if (!std::cout.flush()) {
    std::cerr << "advseg: error: cannot write to standard output (" << std::strerror(errno) << ")\n";
    return advseg::kExitError;
  }
  return status;
} catch (const advseg::StoppedEarly& stopped) {
  return stopped.exit_status;
} catch (const advseg::Error& e) {
  std::cerr << "advseg: error: " << e.what() << "\n";
  return advseg::kExitError;
} catch (const std::filesystem::filesystem_error& e) {
  // A path problem no check caught: still a user-facing error naming the path.
  std::cerr << "advseg: error: " << (e.path1().empty() ? std::string("file system") : e.path1().string())
            << ": " << e.code().message() << "\n";
  return advseg::kExitError;
} catch (const std::exception& e) {
  std::cerr << "advseg: internal error: " << e.what() << "\n";
  return advseg::kExitInternalError;
}
