#include "advseg/run/training_run.h"

#include <algorithm>
#include <iomanip>
#include <sstream>
#include <thread>
#include <vector>

#include "advseg/data/dataset.h"
#include "advseg/eval/evaluator.h"
#include "advseg/runtime.h"

namespace advseg {
namespace {

std::string percent_2_decimals(double fraction) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(2) << 100 * fraction << "%";
  return text.str();
}

class DatasetValidator final : public Validator {
 public:
  DatasetValidator(const Config& config, const std::shared_ptr<Communicator>& workers)
      : dataset_(make_dataset(evaluated_data(config), "val")), options_(evaluation_options(config)) {
    if (!workers || workers->world_size() == 1) return;
    options_.shard = workers->rank();
    options_.shards = workers->world_size();
    options_.sum_across_workers = [workers](std::vector<double>& sums) {
      auto tensor = torch::from_blob(sums.data(), {static_cast<std::int64_t>(sums.size())}, torch::kDouble);
      workers->sum({tensor}, "adding up the validation metrics");
    };
  }

  std::size_t size() const override { return dataset_->size(); }

  // Each worker reads its own shard: together they read every file once.
  void check_files() const override {
    const auto step = static_cast<std::size_t>(options_.shards);
    for (auto i = static_cast<std::size_t>(options_.shard); i < dataset_->size(); i += step) dataset_->get(i);
  }

  std::optional<ValidationResult> validate(SegmentorImpl& segmentor,
                                           const std::function<bool()>& interrupted) override {
    auto evaluation = evaluate(segmentor, dataset_, options_, interrupted);
    if (!evaluation.complete) return std::nullopt;
    const auto metrics = evaluation.confusion.metrics();
    const auto& names = dataset_->info().class_names;
    ValidationResult result;
    result.mean_iou = metrics.mean_iou;
    result.cross_entropy = evaluation.cross_entropy;
    result.metrics = metrics_to_json(metrics, names);
    result.consistency = consistency_to_json(evaluation.consistency.summary(), names);
    result.summary = "mIoU " + percent_2_decimals(metrics.mean_iou) + "  pixel acc " +
                     percent_2_decimals(metrics.pixel_accuracy) + "  class acc " +
                     percent_2_decimals(metrics.mean_class_accuracy);
    return result;
  }

 private:
  std::shared_ptr<const Dataset> dataset_;
  EvaluationOptions options_;
};

}  // namespace

std::unique_ptr<Validator> make_validator(const Config& config,
                                          const std::shared_ptr<Communicator>& workers) {
  return std::make_unique<DatasetValidator>(config, workers);
}

std::unique_ptr<Trainer> make_trainer(const Config& config, const std::filesystem::path& out_dir,
                                      StopCondition should_stop, std::shared_ptr<Communicator> workers) {
  auto validator = make_validator(config, workers);
  return std::make_unique<Trainer>(config, out_dir, std::move(validator), std::move(should_stop),
                                   std::move(workers));
}

std::shared_ptr<Communicator> join_worker_group(const WorkerGroup& group, Config& config) {
  check_worker_group(group);
  if (!group.distributed()) return nullptr;
  auto device = parse_device(config.train.device);
  // One GPU per worker, also when a checkpoint's config names rank 0's.
  if (device.is_cuda()) {
    config.train.device = "cuda:" + std::to_string(group.local_rank);
    device = parse_device(config.train.device);
  }
  if (config.train.threads == 0) {
    const int local = group.local_world_size > 0 ? group.local_world_size : group.world_size;
    configure_threads(std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / local));
  }
  return Communicator::join(group, device.type());
}

nlohmann::json run_metrics(const TrainingOutcome& outcome, const Config& config) {
  nlohmann::json result = {{"iterations", outcome.progress.iteration},
                           {"best_mean_iou", outcome.progress.best_mean_iou},
                           {"best_epoch", outcome.progress.best_epoch},
                           {"precision", config.train.precision}};
  if (outcome.validation) {
    result["metrics"] = outcome.validation->metrics;
    result["consistency"] = outcome.validation->consistency;
  }
  return result;
}

}  // namespace advseg
