// An experiment: every variant of a base config (standard, adversarial, the
// encodings and losses) trained over several seeds, each best checkpoint
// evaluated on val, and the results summarised as mean and standard
// deviation over seeds. Writes to OUT:
//   experiment.yaml              the base config (a resumed grid must match it)
//   <variant>/seed<seed>/        each run: checkpoints, log.jsonl, result.json
//   results.json, results.md     mean ± std over seeds of every metric
//   curves.csv, curves_*.svg     learning curves of every run
// Runs with a result.json are complete and reused; an interrupted run
// continues from its last checkpoint.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "advseg/config/config.h"
#include "advseg/experiment/grid.h"
#include "advseg/train/trainer.h"

namespace advseg {

struct ExperimentOptions {
  Config base;                              // validated; train.seed is the first seed
  std::vector<std::string> base_overrides;  // the --set values in `base`: a variant may not contradict them
  std::filesystem::path out_dir;
  std::vector<Variant> variants;
  int seeds = 3;
  std::string description;    // where the base config came from, for results.md
  StopCondition should_stop;  // asked during each run: true saves it and ends the experiment there
};

struct ExperimentOutcome {
  int runs_trained = 0;    // trained (or finished) by this call
  int runs_reused = 0;     // complete before it
  nlohmann::json results;  // experiment_results(); empty when stopped
  bool stopped = false;    // should_stop ended it: the run in progress is saved, rerun to resume
};

ExperimentOutcome run_experiment(const ExperimentOptions& options);

}  // namespace advseg
