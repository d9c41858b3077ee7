#include "advseg/eval/evaluator.h"

#include "advseg/config/config.h"
#include "advseg/data/loader.h"
#include "advseg/error.h"
#include "advseg/inference/cross_entropy.h"

namespace advseg {
namespace {

// Every worker's counts into each worker's `evaluation`, in one reduction.
void add_up_workers(Evaluation& evaluation, double& cross_entropy_sum, std::int64_t& valid_pixels,
                    const std::function<void(std::vector<double>&)>& sum_across_workers) {
  auto sums = evaluation.confusion.to_sums();
  const auto confusion_size = sums.size();
  const auto consistency = evaluation.consistency.to_sums();
  sums.insert(sums.end(), consistency.begin(), consistency.end());
  sums.push_back(cross_entropy_sum);
  sums.push_back(static_cast<double>(valid_pixels));
  sum_across_workers(sums);
  evaluation.confusion.load_sums({sums.begin(), sums.begin() + static_cast<std::ptrdiff_t>(confusion_size)});
  evaluation.consistency.load_sums(
      {sums.begin() + static_cast<std::ptrdiff_t>(confusion_size), sums.end() - 2});
  cross_entropy_sum = sums[sums.size() - 2];
  valid_pixels = static_cast<std::int64_t>(sums.back());
}

}  // namespace

EvaluationOptions evaluation_options(const Config& config) {
  EvaluationOptions options;
  options.prediction = prediction_options(config);
  options.loader_threads = config.train.loader_threads;
  return options;
}

Evaluation evaluate(SegmentorImpl& segmentor, std::shared_ptr<const Dataset> dataset,
                    const EvaluationOptions& options, const Interrupted& interrupted) {
  const auto& info = dataset->info();
  LoaderOptions loader_options;
  loader_options.batch_size = options.batch_size;
  loader_options.normalization = options.prediction.normalization;
  loader_options.threads = options.loader_threads;
  loader_options.shard = options.shard;
  loader_options.shards = options.shards;
  const bool sharded = options.shards > 1;
  if (sharded && !options.sum_across_workers)
    throw Error("evaluation: " + std::to_string(options.shards) +
                " shards but no way to add up their counts");
  BatchLoader loader(std::move(dataset), loader_options);
  Evaluation evaluation{ConfusionMatrix(info.num_classes, info.ignore_index),
                        ConsistencyMetrics(info.num_classes, info.ignore_index)};
  double cross_entropy_sum = 0;
  std::int64_t valid_pixels = 0;
  InferenceNetwork network(segmentor);
  while (auto batch = loader.next()) {
    if (!sharded && interrupted && interrupted()) {
      evaluation.complete = false;
      return evaluation;
    }
    auto logits = predict_logits(network, batch->images, options.prediction);
    auto labels = batch->labels.to(options.prediction.device);
    // Summed over batches, then divided once: images weigh by their pixels.
    cross_entropy_sum += pixel_cross_entropy_sum(logits, labels, info.ignore_index).item<double>();
    valid_pixels += (labels != info.ignore_index).sum().item<std::int64_t>();
    auto predicted = logits.argmax(1).to(torch::kCPU).contiguous();
    auto target = batch->labels.to(torch::kUInt8).contiguous();
    evaluation.confusion.update(target.data_ptr<std::uint8_t>(), predicted.data_ptr<std::int64_t>(),
                                static_cast<std::size_t>(target.numel()));
    // Classes fit a byte: the confusion matrix has just checked them.
    auto predicted_bytes = predicted.to(torch::kUInt8).contiguous();
    for (std::int64_t i = 0; i < target.size(0); ++i)
      evaluation.consistency.update(mask_view(target, i), mask_view(predicted_bytes, i));
  }
  if (sharded) add_up_workers(evaluation, cross_entropy_sum, valid_pixels, options.sum_across_workers);
  evaluation.cross_entropy = valid_pixels > 0 ? cross_entropy_sum / static_cast<double>(valid_pixels) : 0.0;
  return evaluation;
}

}  // namespace advseg
