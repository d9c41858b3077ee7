#include "advseg/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "advseg/config/config_diff.h"
#include "advseg/config/dataset_folders.h"
#include "advseg/data/loader.h"
#include "advseg/data/pipeline_options.h"
#include "advseg/data/random.h"
#include "advseg/distributed/communicator.h"
#include "advseg/error.h"
#include "advseg/inference/checkpoint_files.h"
#include "advseg/io/file_bytes.h"
#include "advseg/runtime.h"
#include "advseg/train/optimizers.h"
#include "advseg/train/training_log.h"

namespace advseg {
namespace fs = std::filesystem;
namespace {

Batch to_device(const Batch& batch, const c10::Device& device, c10::MemoryFormat format) {
  return Batch{batch.images.to(device).contiguous(format), batch.labels.to(device), batch.ids};
}

std::int64_t full_batches(const Dataset& set, int batch_size, int workers) {
  return static_cast<std::int64_t>(full_batches_per_shard(set.size(), batch_size, workers));
}

// Names the loss that went wrong, with the figures of its update, for the divergence message.
std::string non_finite_message(const StepStats& stats, std::int64_t iteration) {
  const auto stage = stats.segmentor_failed ? StepStage::segmentor : StepStage::adversary;
  std::ostringstream text;
  text << "training diverged at iteration " << iteration << ": "
       << (stats.segmentor_failed ? "segmentor" : "adversary") << " loss or its gradient is not finite (";
  const char* separator = "";
  for (const auto& figure : stats.figures)
    if (figure.stage == stage || (!stats.segmentor_failed && figure.stage == StepStage::aux_adversary)) {
      text << separator << figure.name << " " << figure.value;
      separator = ", ";
    }
  text << "); the step was not applied. Try a lower learning rate";
  return text.str();
}

// The settings a resumed run must keep: they fix the number of iterations,
// the learning-rate schedule and the order of the data.
std::vector<std::string> schedule_keys(const Config& config) {
  std::vector<std::string> keys = {"data.dataset",
                                   "data.root",
                                   "data.train_split",
                                   "data.shapes_train_size",
                                   "data.shapes_seed",
                                   "train.batch_size",
                                   "train.seed",
                                   "adversarial.d_steps",
                                   "adversarial.s_steps",
                                   "adversarial.start_iteration",
                                   "data.labeled_fraction",
                                   "data.labeled_seed",
                                   "data.unlabeled_split",
                                   "data.unlabeled_root",
                                   "semi.enabled",
                                   "semi.method",
                                   "data.target.dataset",
                                   "data.target.root",
                                   "data.target.train_split",
                                   "data.target.shapes_train_size",
                                   "data.target.shapes_seed",
                                   "data.shapes_domain",
                                   "data.target.shapes_domain",
                                   "adaptation.target_labels",
                                   "adaptation.aux_adversary"};
  bool poly = false;
  for (const std::string optimizer : {"train.segmentor_optimizer", "train.adversary_optimizer"}) {
    keys.push_back(optimizer + ".lr");  // the base rate: the schedule scales it
    keys.push_back(optimizer + ".schedule");
    keys.push_back(optimizer + ".poly_power");
  }
  poly = config.train.segmentor_optimizer.schedule == "poly" ||
         config.train.adversary_optimizer.schedule == "poly";
  // With a constant rate more epochs only extend the run; with poly they
  // stretch the schedule already half followed.
  if (poly) {
    keys.push_back("train.epochs");
    keys.push_back("train.iterations");
  }
  return keys;
}

// What trains the segmentor besides cross-entropy, for the run's first line.
std::string method_description(const Config& config) {
  if (config.adaptation.target_labels) return " (the oracle: on the target's labels, no adversary)";
  std::string text = config.adversarial.enabled ? " against adversary " + config.model.adversary
                                                : std::string(" (standard, no adversary)");
  if (config.adversarial.enabled && adapts_domain(config))
    text += " (domain adaptation: source against target predictions)";
  if (config.adaptation.lambda_ent > 0) text += " with entropy minimisation on the target";
  if (config.adaptation.target_statistics) text += " (target images through its BatchNorm statistics)";
  if (config.semi.enabled) text += "; semi-supervised: " + config.semi.method;
  return text;
}

// Bytes of one training batch as tensors: float RGB images and int64 labels.
double input_batch_bytes(const Config& config) {
  return static_cast<double>(config.train.batch_size) * config.data.crop_height * config.data.crop_width *
         (3 * sizeof(float) + sizeof(std::int64_t));
}

// MemAvailable of /proc/meminfo in bytes; 0 when unknown.
double available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  double kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return 0;
}

}  // namespace

Trainer::Trainer(Config config, fs::path out_dir, std::unique_ptr<Validator> validator,
                 StopCondition should_stop, std::shared_ptr<Communicator> workers)
    : config_(std::move(config)),
      out_dir_(std::move(out_dir)),
      workers_(workers && workers->world_size() > 1 ? std::move(workers) : nullptr),
      validator_(std::move(validator)),
      should_stop_(std::move(should_stop)),
      device_(parse_device(config_.train.device)),
      sets_(make_training_sets(config_)),
      settings_(step_settings(config_)),
      collapse_monitor_(config_.train.collapse_patience) {
  if (is_main()) {
    check_run_out_dir(out_dir_, dataset_folders(config_));  // before the lock creates anything there
    lock_.emplace(out_dir_);
  }
  torch::manual_seed(static_cast<std::uint64_t>(config_.train.seed));
  networks_ = make_networks(config_, device_);
  optimizers_ = make_optimizers(config_, networks_);
  batches_per_epoch_ = check_batches_fit(config_, sets_, world_size());
  if (sets_.unlabeled)
    unlabeled_batches_per_epoch_ = full_batches(*sets_.unlabeled, config_.train.batch_size, world_size());
  progress_.batches_per_epoch = batches_per_epoch_;
  const double needed = input_batch_bytes(config_), available = available_memory_bytes();
  if (device_.is_cpu() && available > 0 && needed > available)
    throw Error("train.batch_size x data.crop_height x data.crop_width: one batch of " +
                std::to_string(config_.train.batch_size) + " crops of " +
                std::to_string(config_.data.crop_height) + "x" + std::to_string(config_.data.crop_width) +
                " needs " + std::to_string(static_cast<long long>(needed / (1 << 20))) +
                " MiB for its images alone, " +
                std::to_string(static_cast<long long>(available / (1 << 20))) + " MiB are available");
  if (distributed()) join_workers();
}

Trainer::~Trainer() = default;

void Trainer::resume_from(const fs::path& checkpoint_dir) {
  const Config saved = load_checkpoint_config(checkpoint_dir);
  const auto before = flat_config(saved), now = flat_config(config_);
  const auto fixed = schedule_keys(saved);
  std::string changes;
  for (const auto& key : changed_keys(saved, config_))
    if (std::find(fixed.begin(), fixed.end(), key) != fixed.end())
      changes +=
          (changes.empty() ? "" : ", ") + key + " changed from " + before.at(key) + " to " + now.at(key);
  if (!changes.empty())
    fail_at(checkpoint_dir, "cannot resume with " + changes +
                                ": it changes the run's schedule or data order (iterations, learning rates). "
                                "Resume with the saved values, or start a new run with another --out");
  progress_ = load_checkpoint(checkpoint_dir, networks_, optimizers_);
  log_kept_until_ = progress_.iteration;
  if (distributed()) restore_worker_rng_stream(checkpoint_dir);
  if (progress_.world_size != world_size()) {
    rescale_to_world_size(progress_.world_size);
  } else if (progress_.batches_per_epoch != 0 && progress_.batches_per_epoch != batches_per_epoch_)
    fail_at(checkpoint_dir, "the training set now gives " + std::to_string(batches_per_epoch_) +
                                " batches per epoch, the checkpoint's run had " +
                                std::to_string(progress_.batches_per_epoch) +
                                " (did the split or the dataset change?); start a new run instead");
  progress_.batches_per_epoch = batches_per_epoch_;
  progress_.world_size = world_size();
  resumed_ = saved_ = true;
  // Into its own run's folder, or one without a run: never mixed with another.
  const auto run_folder = run_folder_of(checkpoint_dir);
  if (fs::exists(fs::symlink_status(out_dir_ / "last")) && fs::weakly_canonical(out_dir_) != run_folder)
    fail_at(out_dir_, "holds another run than the checkpoint resumed (from " + run_folder.string() +
                          "); resume into that run's folder, or into an --out without a run");
}

bool Trainer::finished() const { return progress_.epoch >= epochs() && !progress_.validation_pending; }

std::int64_t Trainer::total_iterations() const {
  return config_.train.iterations > 0 ? config_.train.iterations : batches_per_epoch_ * config_.train.epochs;
}

int Trainer::epochs() const {
  if (config_.train.iterations <= 0) return config_.train.epochs;
  return static_cast<int>((config_.train.iterations + batches_per_epoch_ - 1) / batches_per_epoch_);
}

void Trainer::save(const std::string& name) {
  progress_.train_seconds =
      seconds_before_run_ +
      std::chrono::duration<double>(std::chrono::steady_clock::now() - run_started_).count();
  const auto rng_states = gather_rng_states();
  progress_.world_size = world_size();
  if (is_main()) save_checkpoint(out_dir_, name, networks_, optimizers_, progress_, config_, rng_states);
  if (name == "last") saved_ = true;
}

std::string Trainer::last_checkpoint_note() const {
  if (!saved_) return "no checkpoint had been saved yet";
  return (out_dir_ / "last").string() + " keeps the last checkpoint saved before it";
}

namespace {

// What the run will write, checked before its first step (not after an
// epoch, or after the whole run): OUT/checkpoints must be a folder, the files
// written at the end must not be.
void check_run_outputs(const fs::path& out_dir) {
  std::error_code error;
  const auto checkpoints = out_dir / "checkpoints";
  const auto type = fs::status(checkpoints, error).type();
  if (type != fs::file_type::not_found && type != fs::file_type::directory)
    fail_at(checkpoints,
            "is " + describe_file_type(type) + ", not a folder: the run saves its checkpoints there");
  for (const char* name : {"log.jsonl", "metrics.json", "report.html"})
    if (fs::is_directory(out_dir / name, error))
      fail_at(out_dir / name, "is a folder: the run writes this file; move the folder away");
}

}  // namespace

// Refuses to start a fresh run over an earlier one: that would lose its work.
void Trainer::check_can_start() const {
  check_run_outputs(out_dir_);
  const auto last = out_dir_ / "last";
  if (!fs::exists(fs::symlink_status(last))) return;
  if (!resumed_)
    fail_at(out_dir_, "already holds a run (" + last.string() + "); continue it with --resume " +
                          last.string() + " or choose another --out");
}

TrainingOutcome Trainer::run() {
  if (is_main()) check_can_start();
  const auto log_path = out_dir_ / "log.jsonl";
  const int dropped = is_main() ? TrainingLog::drop_entries_after(log_path, log_kept_until_) : 0;
  TrainingLog log = is_main() ? TrainingLog(log_path) : TrainingLog::silent();
  if (dropped > 0)
    log.say("dropped " + std::to_string(dropped) + " entries after iteration " +
            std::to_string(log_kept_until_) + " from " + log_path.string() + ": this run redoes them");
  if (!resume_note_.empty()) log.warn(progress_.iteration, resume_note_);
  std::ostringstream intro;
  intro << "training " << config_.model.segmentor << method_description(config_) << " on "
        << sets_.labeled->size() << " labelled images (" << labeled_data(config_).dataset << ")"
        << (sets_.unlabeled
                ? " and " + std::to_string(sets_.unlabeled->size()) +
                      (adapts_domain(config_) ? " unlabelled target images (" + config_.target.dataset + ")"
                                              : " unlabelled ones")
                : "")
        << ", validating on " << validator_->size() << (adapts_domain(config_) ? " target images" : "")
        << "; " << total_iterations() << " iterations, " << config_.train.precision << ", writing to "
        << out_dir_.string();
  if (distributed())
    intro << "; world size " << world_size() << " (global batch " << world_size() * config_.train.batch_size
          << " = " << world_size() << " x train.batch_size " << config_.train.batch_size
          << (config_.model.sync_bn ? ", batch norm synchronised" : ", batch norm per worker") << ")";
  log.say(intro.str());
  if (config_.semi.enabled && config_.semi.start_iteration >= total_iterations())
    log.say("warning: semi.start_iteration " + std::to_string(config_.semi.start_iteration) +
            " is past the run's " + std::to_string(total_iterations()) +
            " iterations: no self-training will happen");
  // Pretrained weights start a run; a resumed one has its own.
  if (!resumed_)
    for (const auto& note : load_pretrained_weights(*networks_.segmentor, config_.model)) log.say(note);
  if (distributed()) share_main_weights();
  // The mean teacher starts as the segmentor starts (pretrained, or rank 0's).
  if (networks_.teacher && !resumed_) update_moving_average(*networks_.teacher, *networks_.segmentor, 0.0);
  // Read every validation file now: a bad one must not cost an epoch.
  log.say("checking the " + std::to_string(validator_->size()) + " validation images and labels");
  validator_->check_files();

  TrainingOutcome outcome;
  const auto started = std::chrono::steady_clock::now();
  run_started_ = started;
  seconds_before_run_ = progress_.train_seconds;
  const auto first_iteration = progress_.iteration;
  auto say_communication_cost = [&] {
    if (!distributed()) return;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    log.say(communication_summary(progress_.iteration - first_iteration, seconds));
  };
  auto stopped = [&] {
    say_communication_cost();
    save("last");
    log.say("stopped at iteration " + std::to_string(progress_.iteration) + "; resume with --resume " +
            (out_dir_ / "last").string());
    outcome.progress = progress_;
    return outcome;
  };
  try {
    if (progress_.validation_pending && !validate_and_keep_best(log, outcome)) return stopped();
    while (progress_.epoch < epochs()) {
      if (!train_epoch(log)) return stopped();
      ++progress_.epoch;
      progress_.batch_in_epoch = 0;
      const bool last_epoch = progress_.epoch == epochs();
      if (progress_.epoch % config_.train.val_every == 0 || last_epoch) {
        progress_.validation_pending = true;
        if (!validate_and_keep_best(log, outcome)) return stopped();
      }
      save("last");
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    if (!is_out_of_memory(e.what())) throw;
    throw Error("out of memory at iteration " + std::to_string(progress_.iteration + 1) +
                " (train.batch_size " + std::to_string(config_.train.batch_size) + ", crops of " +
                std::to_string(config_.data.crop_height) + "x" + std::to_string(config_.data.crop_width) +
                "): lower train.batch_size or data.crop_height/crop_width; " + last_checkpoint_note() +
                ". Detail: " + std::string(e.what()).substr(0, 200));
  }
  say_communication_cost();
  outcome.completed = true;
  progress_.train_seconds =
      seconds_before_run_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  outcome.progress = progress_;
  return outcome;
}

void Trainer::fail_keeping_work(const std::string& message) {
  // The other workers are not at a save: they fail in their next collective, naming this rank.
  if (distributed())
    throw Error("rank " + std::to_string(workers_->rank()) + ": " + message + "; " + last_checkpoint_note());
  save("last");
  throw Error(message + "; " + (out_dir_ / "last").string() + " saved at iteration " +
              std::to_string(progress_.iteration) + ": fix or remove the file, then --resume from it");
}

bool Trainer::train_epoch(TrainingLog& log) {
  auto options =
      training_loader_options(config_, progress_.epoch, static_cast<std::size_t>(progress_.batch_in_epoch));
  shard_for_this_worker(options);
  BatchLoader loader(sets_.labeled, options);
  for (;;) {
    if (progress_.iteration >= total_iterations()) return true;  // train.iterations ends the last epoch early
    std::optional<Batch> batch;
    try {
      batch = loader.next();
    } catch (const Error& e) {
      fail_keeping_work(e.what());  // a bad file mid-epoch: keep the work done so far
    }
    if (!batch) return true;
    train_iteration(to_device(*batch, device_, memory_format(config_)), log);
    if (config_.train.checkpoint_every > 0 && progress_.iteration % config_.train.checkpoint_every == 0)
      save("last");
    if (stop_requested()) return false;
  }
}

void Trainer::train_iteration(const Batch& batch, TrainingLog& log) {
  const auto& train = config_.train;
  auto total = total_iterations();
  const double segmentor_lr = learning_rate_at(train.segmentor_optimizer, progress_.iteration, total);
  const double adversary_lr = learning_rate_at(train.adversary_optimizer, progress_.iteration, total);
  set_learning_rate(*optimizers_.segmentor, segmentor_lr, optimizers_.segmentor_lr_scales);
  if (optimizers_.adversary)
    set_learning_rate(*optimizers_.adversary, adversary_lr, optimizers_.adversary_lr_scales);
  if (optimizers_.aux_adversary)
    set_learning_rate(*optimizers_.aux_adversary, adversary_lr, optimizers_.adversary_lr_scales);

  auto plan = plan_step(config_, progress_.iteration);
  const auto unlabeled = sets_.unlabeled ? next_unlabeled_views() : UnlabeledViews();
  auto stats = training_step(networks_, optimizers_, batch, plan, settings_, unlabeled);
  // Iterations are counted from 1 in messages, as in the log's entries.
  const std::int64_t iteration = progress_.iteration + 1;
  if (!stats.finite) {
    auto message = non_finite_message(stats, iteration);
    if (distributed()) message += " (on this or another worker: the losses shown are this worker's)";
    if (train.on_nonfinite == "stop")
      throw Error(message + "; " + last_checkpoint_note() +
                  " (train.on_nonfinite=skip skips such steps instead)");
    log.warn(iteration, message + "; step skipped (train.on_nonfinite=skip)");
  }
  ++progress_.iteration;
  ++progress_.batch_in_epoch;

  log.add(stats, batch.images.size(0) * world_size());
  if (progress_.iteration % train.log_every == 0 || progress_.iteration == total) {
    IntervalContext context{progress_.iteration, total,
                            progress_.epoch + 1, epochs(),
                            segmentor_lr,        optimizers_.adversary ? adversary_lr : 0.0};
    auto accuracy = log.flush_interval(context);
    if (accuracy) {
      if (auto warning = collapse_monitor_.observe(accuracy->real, accuracy->fake, progress_.iteration))
        log.warn(progress_.iteration, *warning);
    }
  }
}

UnlabeledViews Trainer::next_unlabeled_views() {
  for (;;) {
    if (!unlabeled_loader_) {
      // Resumes mid-epoch from the checkpoint's count of unlabelled batches.
      const auto epoch = static_cast<int>(progress_.unlabeled_batches / unlabeled_batches_per_epoch_);
      const auto skip = static_cast<std::size_t>(progress_.unlabeled_batches % unlabeled_batches_per_epoch_);
      auto options = unlabeled_loader_options(config_, epoch, skip);
      shard_for_this_worker(options);
      unlabeled_loader_ = std::make_unique<BatchLoader>(sets_.unlabeled, options);
    }
    std::optional<Batch> batch;
    try {
      batch = unlabeled_loader_->next();
    } catch (const Error& e) {
      fail_keeping_work(e.what());
    }
    if (!batch) {
      unlabeled_loader_.reset();  // the next epoch of unlabelled images
      continue;
    }
    ++progress_.unlabeled_batches;
    // Only the images travel: unlabelled examples have no labels to use. The
    // views' draws follow the batch count, so a resumed run draws the same.
    const auto images = batch->images.to(device_).contiguous(memory_format(config_));
    const auto seed = mix_seed({static_cast<std::uint64_t>(config_.train.seed),
                                static_cast<std::uint64_t>(workers_ ? workers_->rank() : 0),
                                static_cast<std::uint64_t>(progress_.unlabeled_batches)});
    return make_unlabeled_views(images, view_options(config_), seed);
  }
}

bool Trainer::validate_and_keep_best(TrainingLog& log, TrainingOutcome& outcome) {
  // Workers with their own BatchNorm statistics validate (and save) rank 0's.
  if (distributed() && !config_.model.sync_bn) share_main_batch_norm_statistics();
  auto result = validator_->validate(*networks_.segmentor, [this] { return stop_requested(); });
  if (!result) {
    log.say("validation of epoch " + std::to_string(progress_.epoch) +
            " interrupted; a resumed run does it first");
    return false;
  }
  progress_.validation_pending = false;
  log.write_validation(progress_.epoch, progress_.iteration, result->metrics, result->consistency,
                       result->cross_entropy);
  std::string summary = "epoch " + std::to_string(progress_.epoch) + " val: " + result->summary;
  if (result->mean_iou > progress_.best_mean_iou) {
    progress_.best_mean_iou = result->mean_iou;
    progress_.best_epoch = progress_.epoch;
    save("best");
    summary += "  (best so far)";
  }
  log.say(summary);
  outcome.validation = std::move(result);
  return true;
}

}  // namespace advseg
