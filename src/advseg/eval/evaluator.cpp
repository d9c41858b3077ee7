#include "advseg/eval/evaluator.h"

#include "advseg/config/config.h"
#include "advseg/data/loader.h"
#include "advseg/data/pipeline_options.h"
#include "advseg/runtime.h"
#include "advseg/train/losses.h"

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

}  // namespace

EvaluationOptions evaluation_options(const Config& config) {
  EvaluationOptions options;
  options.normalization = normalization(config.data);
  options.loader_threads = config.train.loader_threads;
  options.device = parse_device(config.train.device);
  return options;
}

torch::Tensor predict_classes(SegmentorImpl& segmentor, const torch::Tensor& images) {
  EvalMode eval_mode(segmentor);
  torch::NoGradGuard no_grad;
  auto logits = segmentor.forward(images);
  return upsample_logits(logits, static_cast<int>(images.size(2)), static_cast<int>(images.size(3))).argmax(1);
}

ConfusionMatrix evaluate(SegmentorImpl& segmentor, std::shared_ptr<const Dataset> dataset,
                         const EvaluationOptions& options) {
  const auto& info = dataset->info();
  LoaderOptions loader_options;
  loader_options.batch_size = options.batch_size;
  loader_options.normalization = options.normalization;
  loader_options.threads = options.loader_threads;
  BatchLoader loader(std::move(dataset), loader_options);

  ConfusionMatrix confusion(info.num_classes, info.ignore_index);
  while (auto batch = loader.next()) {
    auto predicted = predict_classes(segmentor, batch->images.to(options.device)).to(torch::kCPU).contiguous();
    auto target = batch->labels.to(torch::kUInt8).contiguous();
    confusion.update(target.data_ptr<std::uint8_t>(), predicted.data_ptr<std::int64_t>(),
                     static_cast<std::size_t>(target.numel()));
  }
  return confusion;
}

}  // namespace advseg
