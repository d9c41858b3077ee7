// The training loop: epochs of batches through training_step(), with
// logging, periodic validation, and checkpoints (OUT/last, OUT/best) from
// which an interrupted run resumes exactly where it stopped.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>

#include "advseg/config/config.h"
#include "advseg/data/dataset.h"
#include "advseg/eval/confusion_matrix.h"
#include "advseg/eval/consistency.h"
#include "advseg/train/adversarial_step.h"
#include "advseg/train/checkpoint.h"
#include "advseg/train/collapse_monitor.h"

namespace advseg {

class TrainingLog;

struct TrainingOutcome {
  bool completed = false;          // false: stopped early on request, after saving OUT/last
  SegmentationMetrics validation;  // from the last validation
  ConsistencySummary validation_consistency;
  std::vector<std::string> class_names;
  TrainingProgress progress;
};

// Asked after every iteration; true stops training early, after saving OUT/last.
using StopCondition = std::function<bool(const TrainingProgress&)>;

class Trainer {
 public:
  Trainer(Config config, std::filesystem::path out_dir, StopCondition should_stop = nullptr);
  ~Trainer();

  // Continues from a checkpoint of a run with the same config.
  void resume_from(const std::filesystem::path& checkpoint_dir);

  TrainingOutcome run();

  const Networks& networks() const { return networks_; }

 private:
  bool train_epoch(TrainingLog& log);  // false when stopped early
  void train_iteration(const Batch& batch, TrainingLog& log);
  // Validates into outcome.validation and .validation_consistency.
  void validate_and_keep_best(TrainingLog& log, TrainingOutcome& outcome);
  std::int64_t total_iterations() const;
  void save(const std::string& name);

  Config config_;
  std::filesystem::path out_dir_;
  StopCondition should_stop_;
  c10::Device device_;
  std::shared_ptr<const Dataset> train_set_;
  std::shared_ptr<const Dataset> val_set_;
  Networks networks_;
  Optimizers optimizers_;
  StepSettings settings_;
  TrainingProgress progress_;
  CollapseMonitor collapse_monitor_;
  std::int64_t batches_per_epoch_ = 0;
};

}  // namespace advseg
