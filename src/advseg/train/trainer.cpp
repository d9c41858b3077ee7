#include "advseg/train/trainer.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "advseg/data/loader.h"
#include "advseg/data/pipeline_options.h"
#include "advseg/error.h"
#include "advseg/eval/evaluator.h"
#include "advseg/runtime.h"
#include "advseg/train/optimizers.h"
#include "advseg/train/training_log.h"

namespace advseg {
namespace fs = std::filesystem;
namespace {

Batch to_device(const Batch& batch, const c10::Device& device, c10::MemoryFormat format) {
  return Batch{batch.images.to(device).contiguous(format), batch.labels.to(device), batch.ids};
}

// Names the loss that went wrong, for the divergence message.
std::string non_finite_message(const StepStats& stats, std::int64_t iteration) {
  std::ostringstream text;
  text << "training diverged at iteration " << iteration << ": ";
  if (!std::isfinite(stats.cross_entropy) || !std::isfinite(stats.adversarial_term))
    text << "segmentor loss or its gradient is not finite (cross-entropy " << stats.cross_entropy
         << ", adversarial term " << stats.adversarial_term << ")";
  else
    text << "adversary loss or its gradient is not finite (loss " << stats.adversary_loss << ")";
  text << "; the step was not applied. Try a lower learning rate";
  return text.str();
}

}  // namespace

Trainer::Trainer(Config config, fs::path out_dir, StopCondition should_stop)
    : config_(std::move(config)),
      out_dir_(std::move(out_dir)),
      should_stop_(std::move(should_stop)),
      device_(parse_device(config_.train.device)),
      train_set_(make_dataset(config_.data, "train")),
      val_set_(make_dataset(config_.data, "val")),
      settings_(step_settings(config_)),
      collapse_monitor_(config_.train.collapse_patience) {
  torch::manual_seed(static_cast<std::uint64_t>(config_.train.seed));
  networks_ = make_networks(config_, device_);
  optimizers_ = make_optimizers(config_, networks_);
  batches_per_epoch_ = static_cast<std::int64_t>(train_set_->size()) / config_.train.batch_size;
  if (batches_per_epoch_ == 0)
    throw Error("train.batch_size: " + std::to_string(config_.train.batch_size) + " is larger than the " +
                std::to_string(train_set_->size()) + " training images");
}

Trainer::~Trainer() = default;

void Trainer::resume_from(const fs::path& checkpoint_dir) {
  progress_ = load_checkpoint(checkpoint_dir, networks_, &optimizers_);
}

std::int64_t Trainer::total_iterations() const { return batches_per_epoch_ * config_.train.epochs; }

void Trainer::save(const std::string& name) {
  save_checkpoint(out_dir_, name, networks_, optimizers_, progress_, config_);
}

TrainingOutcome Trainer::run() {
  fs::create_directories(out_dir_);
  TrainingLog log(out_dir_ / "log.jsonl");
  std::ostringstream intro;
  intro << "training " << config_.model.segmentor
        << (settings_.adversarial ? " against adversary " + config_.model.adversary
                                  : " (standard, no adversary)")
        << " on " << train_set_->size() << " images (" << config_.data.dataset << "), validating on "
        << val_set_->size() << "; " << total_iterations() << " iterations, writing to " << out_dir_.string();
  log.say(intro.str());

  TrainingOutcome outcome;
  outcome.class_names = val_set_->info().class_names;
  while (progress_.epoch < config_.train.epochs) {
    if (!train_epoch(log)) {
      save("last");
      log.say("stopped at iteration " + std::to_string(progress_.iteration) + "; resume with --resume " +
              (out_dir_ / "last").string());
      outcome.progress = progress_;
      return outcome;
    }
    ++progress_.epoch;
    progress_.batch_in_epoch = 0;
    bool last_epoch = progress_.epoch == config_.train.epochs;
    if (progress_.epoch % config_.train.val_every == 0 || last_epoch) validate_and_keep_best(log, outcome);
    save("last");
  }
  outcome.completed = true;
  outcome.progress = progress_;
  return outcome;
}

bool Trainer::train_epoch(TrainingLog& log) {
  BatchLoader loader(train_set_, training_loader_options(config_, progress_.epoch,
                                                         static_cast<std::size_t>(progress_.batch_in_epoch)));

  while (auto batch = loader.next()) {
    train_iteration(to_device(*batch, device_, memory_format(config_)), log);
    if (config_.train.checkpoint_every > 0 && progress_.iteration % config_.train.checkpoint_every == 0)
      save("last");
    if (should_stop_ && should_stop_(progress_)) return false;
  }
  return true;
}

void Trainer::train_iteration(const Batch& batch, TrainingLog& log) {
  const auto& train = config_.train;
  auto total = total_iterations();
  set_learning_rate(*optimizers_.segmentor,
                    learning_rate_at(train.segmentor_optimizer, progress_.iteration, total));
  if (optimizers_.adversary)
    set_learning_rate(*optimizers_.adversary,
                      learning_rate_at(train.adversary_optimizer, progress_.iteration, total));

  auto plan = plan_step(config_.adversarial, progress_.iteration);
  auto stats = training_step(networks_, optimizers_, batch, plan, settings_);
  if (!stats.finite) {
    auto message = non_finite_message(stats, progress_.iteration);
    if (train.on_nonfinite == "stop")
      throw Error(
          message + "; " + (out_dir_ / "last").string() +
          " keeps the last checkpoint saved before it (train.on_nonfinite=skip skips such steps instead)");
    log.warn(progress_.iteration, message + "; step skipped (train.on_nonfinite=skip)");
  }
  ++progress_.iteration;
  ++progress_.batch_in_epoch;

  log.add(stats, batch.images.size(0));
  if (progress_.iteration % train.log_every == 0 || progress_.iteration == total) {
    IntervalContext context{progress_.iteration,
                            total,
                            progress_.epoch,
                            train.epochs,
                            learning_rate(*optimizers_.segmentor),
                            optimizers_.adversary ? learning_rate(*optimizers_.adversary) : 0.0};
    auto accuracy = log.flush_interval(context);
    if (accuracy) {
      if (auto warning = collapse_monitor_.observe(accuracy->real, accuracy->fake, progress_.iteration))
        log.warn(progress_.iteration, *warning);
    }
  }
}

void Trainer::validate_and_keep_best(TrainingLog& log, TrainingOutcome& outcome) {
  auto evaluation = evaluate(*networks_.segmentor, val_set_, evaluation_options(config_));
  auto metrics = evaluation.confusion.metrics();
  const auto& names = val_set_->info().class_names;
  log.write_validation(progress_.epoch, progress_.iteration, metrics_to_json(metrics, names),
                       consistency_to_json(evaluation.consistency.summary(), names),
                       evaluation.cross_entropy);

  std::ostringstream summary;
  summary.precision(2);
  summary << std::fixed << "epoch " << progress_.epoch << " val: mIoU " << 100 * metrics.mean_iou
          << "  pixel acc " << 100 * metrics.pixel_accuracy << "  class acc "
          << 100 * metrics.mean_class_accuracy;
  if (metrics.mean_iou > progress_.best_mean_iou) {
    progress_.best_mean_iou = metrics.mean_iou;
    progress_.best_epoch = progress_.epoch;
    save("best");
    summary << "  (best so far)";
  }
  log.say(summary.str());
  outcome.validation = metrics;
  outcome.validation_consistency = evaluation.consistency.summary();
}

}  // namespace advseg
