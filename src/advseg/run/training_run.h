// A training run as the commands start it: the trainer (train/) validating
// with the evaluator (eval/) on the config's val split. This layer sits above
// both, so neither depends on the other.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "advseg/config/config.h"
#include "advseg/train/trainer.h"
#include "advseg/train/validation.h"

namespace advseg {

// Validation on the val split of evaluated_data(config) (data.target when adapting), with the run's
// prediction settings.
std::unique_ptr<Validator> make_validator(const Config& config);

// A Trainer for `config` writing to `out_dir` (locked while it lives).
std::unique_ptr<Trainer> make_trainer(const Config& config, const std::filesystem::path& out_dir,
                                      StopCondition should_stop = nullptr);

// What OUT/metrics.json holds for a finished run: the last validation's
// metrics and consistency, the iterations, the best epoch, the precision.
nlohmann::json run_metrics(const TrainingOutcome& outcome, const Config& config);

}  // namespace advseg
