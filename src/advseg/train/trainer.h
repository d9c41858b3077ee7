// The training loop: epochs of batches through training_step(), with
// logging, periodic validation, and checkpoints (OUT/last, OUT/best) from
// which an interrupted run resumes exactly where it stopped.
//
// Data-parallel (a Communicator with world size > 1), as PyTorch's DDP: every
// worker starts from rank 0's weights, trains on its shard of each epoch
// with train.batch_size images, averages its gradients with the others'
// before each update (BatchNorm statistics synchronised unless
// model.sync_bn is false), and takes the decisions to skip a step or to stop
// together with them; only rank 0 writes the log and the checkpoints, which
// hold every rank's RNG state.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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
class Communicator;
struct LoaderOptions;
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
  // Locks `out_dir` (RunLock) for the Trainer's lifetime (rank 0 only).
  // `workers`: the data-parallel group (null: a single process).
  Trainer(Config config, std::filesystem::path out_dir, std::unique_ptr<Validator> validator,
          StopCondition should_stop = nullptr, std::shared_ptr<Communicator> workers = nullptr);
  ~Trainer();

  // Continues from a checkpoint of this run. Settings that would change the
  // schedule (batch size, data, seed, ...) are refused, naming them. With
  // another world size than the checkpoint's, the run goes on from the same
  // share of the same epoch, its iteration count rescaled to the new global
  // batch (so the learning-rate schedule keeps its place).
  void resume_from(const std::filesystem::path& checkpoint_dir);

  TrainingOutcome run();

  // Whether every epoch is trained and validated (a finished run resumed).
  bool finished() const;

  const Networks& networks() const { return networks_; }

 private:
  void check_can_start() const;
  bool train_epoch(TrainingLog& log);  // false when stopped early
  void train_iteration(const Batch& batch, TrainingLog& log);
  // The next batch of unlabelled images (semi-supervised training), on the
  // device; the second loader runs through epochs of its own.
  UnlabeledViews next_unlabeled_views();
  // A bad file mid-epoch: saves OUT/last, then throws `message` with how to go on.
  [[noreturn]] void fail_keeping_work(const std::string& message);
  // False when interrupted (the validation is then pending).
  bool validate_and_keep_best(TrainingLog& log, TrainingOutcome& outcome);
  // Taken by every worker together: one asked, all stop.
  bool stop_requested() const;
  bool distributed() const { return workers_ != nullptr; }
  bool is_main() const;
  int world_size() const;
  void join_workers();           // shares rank 0's weights, synchronises BatchNorm
  void share_main_weights();     // rank 0's parameters and buffers into every worker
  void use_worker_rng_stream();  // each rank its own random stream (rank 0: the seed's)
  void rescale_to_world_size(int saved_world_size);
  void shard_for_this_worker(LoaderOptions& options) const;
  std::vector<torch::Tensor> gather_rng_states();  // every rank's, on rank 0 (empty: one process)
  void restore_worker_rng_stream(const std::filesystem::path& checkpoint_dir);
  void share_main_batch_norm_statistics();
  std::string communication_summary(std::int64_t iterations, double seconds) const;
  std::int64_t total_iterations() const;
  // train.epochs, or the epochs train.iterations reaches into (the last one part way).
  int epochs() const;
  void save(const std::string& name);
  std::string last_checkpoint_note() const;

  Config config_;
  std::filesystem::path out_dir_;
  std::shared_ptr<Communicator> workers_;
  std::optional<RunLock> lock_;
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
  std::int64_t log_kept_until_ = 0;  // a resumed run's log entries after this iteration are redone
  std::string resume_note_;          // what resuming changed, for the log
  bool resumed_ = false;
  // For progress_.train_seconds: when run() began, and the seconds before it.
  std::chrono::steady_clock::time_point run_started_ = std::chrono::steady_clock::now();
  double seconds_before_run_ = 0;
  bool saved_ = false;  // a checkpoint of this run exists in OUT/last
};

}  // namespace advseg
