#include "advseg/run/training_run.h"

#include <iomanip>
#include <sstream>

#include "advseg/data/dataset.h"
#include "advseg/eval/evaluator.h"

namespace advseg {
namespace {

std::string percent(double fraction) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(2) << 100 * fraction << "%";
  return text.str();
}

class DatasetValidator final : public Validator {
 public:
  explicit DatasetValidator(const Config& config)
      : dataset_(make_dataset(evaluated_data(config), "val")), options_(evaluation_options(config)) {}

  std::size_t size() const override { return dataset_->size(); }

  void check_files() const override {
    for (std::size_t i = 0; i < dataset_->size(); ++i) dataset_->get(i);
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
    result.summary = "mIoU " + percent(metrics.mean_iou) + "  pixel acc " + percent(metrics.pixel_accuracy) +
                     "  class acc " + percent(metrics.mean_class_accuracy);
    return result;
  }

 private:
  std::shared_ptr<const Dataset> dataset_;
  EvaluationOptions options_;
};

}  // namespace

std::unique_ptr<Validator> make_validator(const Config& config) {
  return std::make_unique<DatasetValidator>(config);
}

std::unique_ptr<Trainer> make_trainer(const Config& config, const std::filesystem::path& out_dir,
                                      StopCondition should_stop) {
  return std::make_unique<Trainer>(config, out_dir, make_validator(config), std::move(should_stop));
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
