#include "advseg/inference/prediction.h"

#include <torch/nn/module.h>
#include <torch/utils.h>

#include "advseg/config/config.h"
#include "advseg/data/pipeline_options.h"
#include "advseg/inference/autocast.h"
#include "advseg/models/from_config.h"
#include "advseg/models/layers.h"
#include "advseg/runtime.h"

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

PredictionOptions prediction_options(const Config& config) {
  PredictionOptions options;
  options.normalization = normalization(config.data);
  options.device = parse_device(config.train.device);
  options.memory_format = memory_format(config);
  options.bf16 = uses_bf16(config.train.precision, config.train.device);
  return options;
}

torch::Tensor predict_logits(SegmentorImpl& segmentor, const torch::Tensor& images,
                             const PredictionOptions& options) {
  EvalMode eval_mode(segmentor);
  torch::NoGradGuard no_grad;
  Autocast autocast(options.device.type(), options.bf16);
  auto input = images.to(options.device).contiguous(options.memory_format);
  auto logits = segmentor.forward(input).to(torch::kFloat);
  return resize_bilinear(logits, images.size(2), images.size(3));
}

torch::Tensor predict_classes(SegmentorImpl& segmentor, const torch::Tensor& images,
                              const PredictionOptions& options) {
  return predict_logits(segmentor, images, options).argmax(1);
}

cv::Mat predict_label_map(SegmentorImpl& segmentor, const cv::Mat& rgb, const PredictionOptions& options) {
  auto image = image_to_tensor(rgb, options.normalization).unsqueeze(0);
  auto classes = predict_classes(segmentor, image, options).to(torch::kCPU).to(torch::kUInt8).contiguous();
  return mask_view(classes, 0).clone();
}

cv::Mat mask_view(const torch::Tensor& masks, std::int64_t index) {
  auto mask = masks[index];
  return cv::Mat(static_cast<int>(mask.size(0)), static_cast<int>(mask.size(1)), CV_8UC1, mask.data_ptr());
}

}  // namespace advseg
