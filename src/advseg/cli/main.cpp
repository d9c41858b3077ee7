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
//   advseg bench   [--json] [--twin] [--batch 8 --height 240 --width 320 --iters N --threads T]
//
// Every user-facing failure is an advseg::Error whose message names the file
// or setting at fault; it is printed as is and the exit status is 1.
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "advseg/cli/commands.h"
#include "advseg/error.h"

int main(int argc, char** argv) try {
  // Past a file-size limit, fail the write (reported as an error naming the
  // file) rather than kill the process.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"advseg: semantic segmentation with adversarial training (Luc et al. 2016)"};
  app.require_subcommand(1);
  advseg::add_train_command(app);
  advseg::add_eval_command(app);
  advseg::add_predict_command(app);
  advseg::add_compare_command(app);
  advseg::add_bench_command(app);
  advseg::add_experiment_command(app);
  advseg::add_panels_command(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
} catch (const advseg::Error& e) {
  std::cerr << "advseg: error: " << e.what() << "\n";
  return 1;
} catch (const std::exception& e) {
  std::cerr << "advseg: internal error: " << e.what() << "\n";
  return 2;
}
