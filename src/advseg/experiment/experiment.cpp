#include "advseg/experiment/experiment.h"

#include <iostream>
#include <optional>

#include "advseg/config/config_diff.h"
#include "advseg/config/dataset_folders.h"
#include "advseg/data/training_sets.h"
#include "advseg/error.h"
#include "advseg/eval/checkpoint_evaluation.h"
#include "advseg/experiment/curves.h"
#include "advseg/experiment/results.h"
#include "advseg/inference/checkpoint_files.h"
#include "advseg/io/file_bytes.h"
#include "advseg/run/training_run.h"

namespace advseg {
namespace fs = std::filesystem;
namespace {

constexpr const char* kResultFile = "result.json";

// The base config without the settings that only say how fast and where runs
// go, which may change when a grid is resumed on another machine.
std::string comparable_yaml(Config config) {
  config.train.threads = 0;
  config.train.loader_threads = 1;
  config.train.device = "cpu";
  return to_yaml(config);
}

// Results of different configs must never be mixed in one table.
void claim_out_dir(const fs::path& out_dir, const Config& base) {
  check_run_out_dir(out_dir, dataset_folders(base));
  const auto path = out_dir / "experiment.yaml";
  const auto yaml = comparable_yaml(base);
  if (fs::exists(path)) {
    const auto saved = read_file_bytes(path);
    if (saved == yaml) return;
    const auto changed = changed_keys(parse_config(saved, path.string()), parse_config(yaml, "this run"));
    // A file from an advseg without some newer keys reads their defaults: the same settings.
    if (changed.empty()) return;
    std::string keys;
    for (const auto& key : changed) keys += (keys.empty() ? "" : ", ") + key;
    fail_at(path,
            "this experiment was started with other settings (" + keys +
                "; train.precision follows the CPU when 'auto'); resume it with the same ones or choose "
                "another --out");
  }
  fs::create_directories(out_dir);
  write_file_bytes(path, yaml);
}

nlohmann::json read_result(const fs::path& path) {
  try {
    return nlohmann::json::parse(read_file_bytes(path));
  } catch (const nlohmann::json::exception& e) {
    fail_at(path, std::string("not valid JSON (delete it to train this run again): ") + e.what());
  }
}

// The run's result; nothing when should_stop stopped it (saved, to resume).
std::optional<nlohmann::json> train_and_evaluate(const PlannedRun& run, const Config& base,
                                                 const StopCondition& should_stop) {
  Config config = base;
  apply_overrides(config, run.overrides);
  auto trainer = make_trainer(config, run.dir, should_stop);
  const auto last = run.dir / "last";
  if (fs::exists(fs::symlink_status(last))) trainer->resume_from(last);
  const auto outcome = trainer->run();
  if (!outcome.completed) return std::nullopt;

  // The final weights, not the best epoch's: choosing the epoch by val mIoU
  // and then reporting val mIoU would favour the noisiest variant.
  auto result = evaluate_checkpoint(run.dir / "last", config, "val");
  result["variant"] = run.variant.name;
  result["seed"] = run.seed;
  result["checkpoint"] = (run.dir / "last").string();
  result["train_seconds"] = outcome.progress.train_seconds;  // every part of a resumed run
  result["best_epoch"] = outcome.progress.best_epoch;
  result["best_epoch_mean_iou"] = outcome.progress.best_mean_iou;
  result["iterations"] = outcome.progress.iteration;
  // In one rename (write_file_bytes): result.json marks a run complete.
  write_file_bytes(run.dir / kResultFile, result.dump(2) + "\n");
  return result;
}

std::string preamble(const ExperimentOptions& options) {
  const int first_seed = options.base.train.seed;
  return "Base config: " + options.description + " (" + (options.out_dir / "experiment.yaml").string() +
         "). Variants: " + variant_names(options.variants) + ". Seeds: " + std::to_string(options.seeds) +
         " (train.seed " + std::to_string(first_seed) + " to " +
         std::to_string(first_seed + options.seeds - 1) + "), " +
         (options.base.train.iterations > 0 ? std::to_string(options.base.train.iterations) + " iterations"
                                            : std::to_string(options.base.train.epochs) + " epochs") +
         " each; the final weights of each run evaluated on val.";
}

// A complete run's result, or the result of training (or finishing) it now;
// nothing when stopped.
std::optional<nlohmann::json> run_or_reuse(const PlannedRun& run, const ExperimentOptions& options,
                                           const std::string& position, ExperimentOutcome& outcome) {
  const auto result_path = run.dir / kResultFile;
  const bool complete = fs::exists(result_path);
  std::cerr << position << " " << run.variant.name << ", seed " << run.seed << ": "
            << (complete ? "complete, reusing " + result_path.string() : "training in " + run.dir.string())
            << "\n";
  if (complete) {
    ++outcome.runs_reused;
    return read_result(result_path);
  }
  ++outcome.runs_trained;
  return train_and_evaluate(run, options.base, options.should_stop);
}

void write_reports(const ExperimentOptions& options, const nlohmann::json& results,
                   const std::vector<RunCurve>& curves) {
  write_file_bytes(options.out_dir / "results.json", results.dump(2) + "\n");
  write_file_bytes(options.out_dir / "results.md", results_markdown(results, preamble(options)));
  write_file_bytes(options.out_dir / "curves.csv", curves_csv(curves));
  for (const auto& [name, svg] : curve_plots(curves)) write_file_bytes(options.out_dir / name, svg);
}

// A variant that sets a key the user set with --set to another value would
// silently overrule it (and experiment.yaml would record the user's value).
void check_no_contradiction(const ExperimentOptions& options) {
  for (const auto& variant : options.variants)
    for (const auto& own : variant.overrides)
      for (const auto& given : options.base_overrides)
        if (override_key(own) == override_key(given) && own != given)
          throw Error("--set " + given + " contradicts the variant '" + variant.name + "', which sets " +
                      own + "; drop that --set or choose other variants with --grid");
}

// Every variant's config must be valid, and its training images fill a
// batch, before OUT is claimed: a variant refused only when its turn comes
// would leave OUT tied to a grid that cannot run (semi without unlabelled
// images, a label fraction too small for one batch).
void check_variants_are_valid(const ExperimentOptions& options) {
  for (const auto& variant : options.variants) {
    Config config = options.base;
    try {
      apply_overrides(config, variant.overrides);
      check_variant_fits(variant, config);
      check_batches_fit(config, make_training_sets(config), 1);
    } catch (const Error& e) {
      throw Error("variant '" + variant.name + "': " + e.what());
    }
  }
}

}  // namespace

ExperimentOutcome run_experiment(const ExperimentOptions& options) {
  check_no_contradiction(options);
  check_variants_are_valid(options);
  claim_out_dir(options.out_dir, options.base);
  const auto runs = plan_runs(options.variants, options.base.train.seed, options.seeds, options.out_dir);

  ExperimentOutcome outcome;
  std::vector<VariantResults> variants;
  std::vector<RunCurve> curves;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& run = runs[i];
    const auto position = "[" + std::to_string(i + 1) + "/" + std::to_string(runs.size()) + "]";
    auto result = run_or_reuse(run, options, position, outcome);
    if (!result) {
      outcome.stopped = true;
      return outcome;
    }
    if (variants.empty() || variants.back().name != run.variant.name)
      variants.push_back({run.variant.name, {}});
    variants.back().runs.push_back(std::move(*result));
    curves.push_back({run.variant.name, run.seed, read_learning_curve(run.dir / "log.jsonl")});
  }
  outcome.results = experiment_results(variants);
  write_reports(options, outcome.results, curves);
  return outcome;
}

}  // namespace advseg
