// The training loop: epochs of batches through training_step(), with
// logging, periodic validation, and checkpoints (OUT/last, OUT/best) from
// which an interrupted run resumes exactly where it stopped.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "advseg/config/config.h"
#include "advseg/data/dataset.h"
#include "advseg/data/training_sets.h"
#include "advseg/train/adversarial_step.h"
#include "advseg/train/checkpoint.h"
#include "advseg/train/collapse_monitor.h"
#include "advseg/train/run_lock.h"
#include "advseg/train/validation.h"

namespace advseg {

class BatchLoader;
class TrainingLog;

struct TrainingOutcome {
  bool completed = false;                      // false: stopped early on request, after saving OUT/last
  std::optional<ValidationResult> validation;  // the last one
  TrainingProgress progress;
};

// Asked after every iteration and between validation images; true stops
// training early, after saving OUT/last.
using StopCondition = std::function<bool(const TrainingProgress&)>;

class Trainer {
 public:
  // Locks `out_dir` (RunLock) for the Trainer's lifetime.
  Trainer(Config config, std::filesystem::path out_dir, std::unique_ptr<Validator> validator,
          StopCondition should_stop = nullptr);
  ~Trainer();

  // Continues from a checkpoint of this run. Settings that would change the
  // schedule (batch size, data, seed, ...) are refused, naming them.
  void resume_from(const std::filesystem::path& checkpoint_dir);

  TrainingOutcome run();

  const Networks& networks() const { return networks_; }

 private:
  void check_can_start() const;
  bool train_epoch(TrainingLog& log);  // false when stopped early
  void train_iteration(const Batch& batch, TrainingLog& log);
  // The next batch of unlabelled images (semi-supervised training), on the
  // device; the second loader runs through epochs of its own.
  torch::Tensor next_unlabeled_images();
  // A bad file mid-epoch: saves OUT/last, then throws `message` with how to go on.
  [[noreturn]] void fail_keeping_work(const std::string& message);
  // False when interrupted (the validation is then pending).
  bool validate_and_keep_best(TrainingLog& log, TrainingOutcome& outcome);
  bool stop_requested() const { return should_stop_ && should_stop_(progress_); }
  std::int64_t total_iterations() const;
  void save(const std::string& name);
  std::string last_checkpoint_note() const;

  Config config_;
  std::filesystem::path out_dir_;
  RunLock lock_;
  std::unique_ptr<Validator> validator_;
  StopCondition should_stop_;
  c10::Device device_;
  TrainingSets sets_;  // labelled and, semi-supervised, unlabelled training images
  std::unique_ptr<BatchLoader> unlabeled_loader_;
  std::int64_t unlabeled_batches_per_epoch_ = 0;
  Networks networks_;
  Optimizers optimizers_;
  StepSettings settings_;
  TrainingProgress progress_;
  CollapseMonitor collapse_monitor_;
  std::int64_t batches_per_epoch_ = 0;
  bool resumed_ = false;
  bool saved_ = false;  // a checkpoint of this run exists in OUT/last
};

}  // namespace advseg
