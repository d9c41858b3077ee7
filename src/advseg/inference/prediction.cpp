#include "advseg/inference/prediction.h"

#include <torch/nn/module.h>
#include <torch/utils.h>

#include <algorithm>
#include <cstdint>

#include "advseg/config/config.h"
#include "advseg/data/pipeline_options.h"
#include "advseg/inference/autocast.h"
#include "advseg/models/from_config.h"
#include "advseg/models/layers.h"
#include "advseg/runtime.h"

namespace advseg {
namespace {

// Large enough for every network's pooling and strides, small enough to cost
// little: the pass only shows which layer feeds which.
torch::Tensor tracing_input(const SegmentorImpl& segmentor) {
  const auto parameters = segmentor.parameters();
  auto options = torch::TensorOptions();
  if (!parameters.empty())
    options = options.device(parameters.front().device()).dtype(parameters.front().dtype());
  const std::int64_t side = std::max(64, 4 * segmentor.output_stride());
  return torch::zeros({1, 3, side, side}, options);
}

}  // namespace

InferenceNetwork::InferenceNetwork(SegmentorImpl& segmentor)
    : segmentor_(segmentor), was_training_(segmentor.is_training()) {
  segmentor_.eval();
  try {
    const auto input = tracing_input(segmentor_);
    folded_.emplace(segmentor_, [&] { segmentor_.forward(input); });
  } catch (...) {
    segmentor_.train(was_training_);
    throw;
  }
}

InferenceNetwork::~InferenceNetwork() {
  folded_.reset();
  segmentor_.train(was_training_);
}

PredictionOptions prediction_options(const Config& config) {
  PredictionOptions options;
  options.normalization = normalization(config.data);
  options.device = parse_device(config.train.device);
  options.memory_format = memory_format(config);
  options.bf16 = uses_bf16(config.train.precision, config.train.device);
  return options;
}

torch::Tensor predict_logits(InferenceNetwork& network, const torch::Tensor& images,
                             const PredictionOptions& options) {
  torch::NoGradGuard no_grad;
  Autocast autocast(options.device.type(), options.bf16);
  auto input = images.to(options.device).contiguous(options.memory_format);
  auto logits = network.segmentor().forward(input).to(torch::kFloat);
  return resize_bilinear(logits, images.size(2), images.size(3));
}

torch::Tensor predict_classes(InferenceNetwork& network, const torch::Tensor& images,
                              const PredictionOptions& options) {
  return predict_logits(network, images, options).argmax(1);
}

cv::Mat predict_label_map(InferenceNetwork& network, const cv::Mat& rgb, const PredictionOptions& options) {
  auto image = image_to_tensor(rgb, options.normalization).unsqueeze(0);
  auto classes = predict_classes(network, image, options).to(torch::kCPU).to(torch::kUInt8).contiguous();
  return mask_view(classes, 0).clone();
}

cv::Mat mask_view(const torch::Tensor& masks, std::int64_t index) {
  auto mask = masks[index];
  return cv::Mat(static_cast<int>(mask.size(0)), static_cast<int>(mask.size(1)), CV_8UC1, mask.data_ptr());
}

}  // namespace advseg
