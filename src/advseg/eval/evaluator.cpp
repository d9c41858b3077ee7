#include "advseg/eval/evaluator.h"

#include "advseg/config/config.h"
#include "advseg/data/loader.h"
#include "advseg/data/pipeline_options.h"
#include "advseg/runtime.h"
#include "advseg/train/autocast.h"
#include "advseg/train/losses.h"
#include "advseg/train/networks.h"

namespace advseg {
namespace {

// Puts a module in eval mode for one scope, then restores its mode.
class EvalMode {
 public:
  explicit EvalMode(torch::nn::Module& module) : module_(module), was_training_(module.is_training()) {
    module_.eval();
  }
  ~EvalMode() { module_.train(was_training_); }
  EvalMode(const EvalMode&) = delete;
  EvalMode& operator=(const EvalMode&) = delete;

 private:
  torch::nn::Module& module_;
  bool was_training_;
};

// Image `index` of a [N,H,W] uint8 tensor as a CV_8UC1 view (no copy).
cv::Mat mask_view(const torch::Tensor& masks, std::int64_t index) {
  auto mask = masks[index];
  return cv::Mat(static_cast<int>(mask.size(0)), static_cast<int>(mask.size(1)), CV_8UC1, mask.data_ptr());
}

}  // namespace

EvaluationOptions evaluation_options(const Config& config) {
  EvaluationOptions options;
  options.normalization = normalization(config.data);
  options.loader_threads = config.train.loader_threads;
  options.device = parse_device(config.train.device);
  options.memory_format = memory_format(config);
  options.bf16 = uses_bf16(config.train.precision, config.train.device);
  return options;
}

torch::Tensor predict_logits(SegmentorImpl& segmentor, const torch::Tensor& images) {
  EvalMode eval_mode(segmentor);
  torch::NoGradGuard no_grad;
  auto logits = segmentor.forward(images).to(torch::kFloat);
  return upsample_logits(logits, static_cast<int>(images.size(2)), static_cast<int>(images.size(3)));
}

torch::Tensor predict_classes(SegmentorImpl& segmentor, const torch::Tensor& images) {
  return predict_logits(segmentor, images).argmax(1);
}

cv::Mat predict_label_map(SegmentorImpl& segmentor, const cv::Mat& rgb, const EvaluationOptions& options) {
  auto image = image_to_tensor(rgb, options.normalization)
                   .unsqueeze(0)
                   .to(options.device)
                   .contiguous(options.memory_format);
  Autocast autocast(options.device.type(), options.bf16);
  auto classes = predict_classes(segmentor, image).to(torch::kCPU).to(torch::kUInt8).contiguous();
  return mask_view(classes, 0).clone();
}

Evaluation evaluate(SegmentorImpl& segmentor, std::shared_ptr<const Dataset> dataset,
                    const EvaluationOptions& options) {
  const auto& info = dataset->info();
  LoaderOptions loader_options;
  loader_options.batch_size = options.batch_size;
  loader_options.normalization = options.normalization;
  loader_options.threads = options.loader_threads;
  BatchLoader loader(std::move(dataset), loader_options);

  Evaluation evaluation{ConfusionMatrix(info.num_classes, info.ignore_index),
                        ConsistencyMetrics(info.num_classes, info.ignore_index)};
  Autocast autocast(options.device.type(), options.bf16);
  double cross_entropy_sum = 0;
  std::int64_t valid_pixels = 0;
  while (auto batch = loader.next()) {
    auto logits =
        predict_logits(segmentor, batch->images.to(options.device).contiguous(options.memory_format));
    auto labels = batch->labels.to(options.device);
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
