#include "advseg/eval/evaluator.h"

#include "advseg/config/config.h"
#include "advseg/data/loader.h"
#include "advseg/inference/cross_entropy.h"

namespace advseg {

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
  BatchLoader loader(std::move(dataset), loader_options);
  Evaluation evaluation{ConfusionMatrix(info.num_classes, info.ignore_index),
                        ConsistencyMetrics(info.num_classes, info.ignore_index)};
  double cross_entropy_sum = 0;
  std::int64_t valid_pixels = 0;
  InferenceNetwork network(segmentor);
  while (auto batch = loader.next()) {
    if (interrupted && interrupted()) {
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
  evaluation.cross_entropy = valid_pixels > 0 ? cross_entropy_sum / static_cast<double>(valid_pixels) : 0.0;
  return evaluation;
}

}  // namespace advseg
