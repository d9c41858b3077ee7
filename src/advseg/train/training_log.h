// What training reports: one JSON object per line in OUT/log.jsonl (interval
// averages and validation results, for plots and tools) and a readable
// progress line with ETA on the terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "advseg/train/step_stats.h"

namespace advseg {

// Epochs are numbered from 1 everywhere (log.jsonl, terminal): "epoch" is the
// epoch an entry belongs to. Iterations count completed steps, so the entry
// of iteration N covers steps up to and including the N-th.
struct IntervalContext {
  std::int64_t iteration = 0;  // iterations completed
  std::int64_t total_iterations = 0;
  int epoch = 1;  // 1-based
  int epochs = 0;
  double segmentor_lr = 0;
  double adversary_lr = 0;
};

// The adversary's accuracies averaged over one log interval.
struct AdversaryAccuracy {
  double real = 0;
  double fake = 0;
};

class TrainingLog {
 public:
  // Appends to `path` (a resumed run continues the same log).
  explicit TrainingLog(const std::filesystem::path& path);
  // Writes and prints nothing: the other workers of a data-parallel run,
  // whose rank 0 speaks for them all.
  static TrainingLog silent();

  // Removes the entries of iterations after `iteration` (and a line cut short
  // by a kill) from the log at `path`, rewriting it atomically: a run resumed
  // from a checkpoint redoes those iterations. Returns how many were dropped.
  static int drop_entries_after(const std::filesystem::path& path, std::int64_t iteration);

  // Adds a step's figures to the interval's means (each over the steps whose
  // update it belongs to was applied).
  void add(const StepStats& stats, std::int64_t images);
  // Writes the interval's averages (JSON line + progress line) and starts a
  // new interval. Returns the adversary's accuracies when it was updated.
  std::optional<AdversaryAccuracy> flush_interval(const IntervalContext& context);
  // A {"type":"val"} line; cross_entropy is the validation loss (Evaluation).
  void write_validation(int epoch, std::int64_t iteration, const nlohmann::json& metrics,
                        const nlohmann::json& consistency, double cross_entropy);
  // A warning: in the log as {"type":"warning"} and on the terminal.
  void warn(std::int64_t iteration, const std::string& text);
  // A line for the user, on its own line even while a progress line is shown.
  void say(const std::string& text);

 private:
  // A figure's sum over the interval's steps whose update it belongs to was applied.
  struct FigureSum {
    double sum = 0;
    std::int64_t count = 0;
  };
  struct Sums {
    std::map<std::string, FigureSum> figures;
    std::vector<std::string> order;  // of first appearance, for the terminal
    std::int64_t iterations = 0, images = 0, skipped = 0;
  };
  // The interval mean of `name`; nullopt when no applied step had it.
  std::optional<double> mean_of(const std::string& name) const;
  nlohmann::json interval_json(const IntervalContext& context, double images_per_s) const;
  std::string progress_line(const IntervalContext& context, double images_per_s) const;
  void write_line(const nlohmann::json& entry);

  TrainingLog();

  std::filesystem::path path_;  // empty: silent
  std::ofstream file_;
  Sums sums_;
  bool terminal_;
  bool progress_shown_ = false;
  std::chrono::steady_clock::time_point interval_start_;
  std::chrono::steady_clock::time_point run_start_;
  std::int64_t first_iteration_ = -1;  // of this process, for the ETA
};

}  // namespace advseg
