// A training run as the commands start it: the trainer (train/) validating
// with the evaluator (eval/) on the config's val split. This layer sits above
// both, so neither depends on the other.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "advseg/config/config.h"
#include "advseg/distributed/communicator.h"
#include "advseg/distributed/worker_group.h"
#include "advseg/train/trainer.h"
#include "advseg/train/validation.h"

namespace advseg {

// Validation on the val split of evaluated_data(config) (data.target when adapting), with the run's
// prediction settings; data-parallel (`workers`), each worker validates its shard and all add up.
std::unique_ptr<Validator> make_validator(const Config& config,
                                          const std::shared_ptr<Communicator>& workers = nullptr);

// A Trainer for `config` writing to `out_dir` (locked while it lives), one
// of `workers` when given.
std::unique_ptr<Trainer> make_trainer(const Config& config, const std::filesystem::path& out_dir,
                                      StopCondition should_stop = nullptr,
                                      std::shared_ptr<Communicator> workers = nullptr);

// Joins the data-parallel group `group` (null for a single process) and
// fits `config` to this worker: CUDA device cuda:LOCAL_RANK, and, where
// train.threads is 0 (all), this machine's cores shared among its workers.
std::shared_ptr<Communicator> join_worker_group(const WorkerGroup& group, Config& config);

// What OUT/metrics.json holds for a finished run: the last validation's
// metrics and consistency, the iterations, the best epoch, the precision.
nlohmann::json run_metrics(const TrainingOutcome& outcome, const Config& config);

}  // namespace advseg
