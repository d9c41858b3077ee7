#include "advseg/inference/prediction.h"

#include <torch/nn/module.h>
#include <torch/utils.h>

#include <algorithm>
#include <cstdint>
#include <vector>

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
  options.precision = resolve_precision(config.train.precision, config.train.device);
  return options;
}

torch::Tensor predict_logits(InferenceNetwork& network, const torch::Tensor& images,
                             const PredictionOptions& options) {
  torch::NoGradGuard no_grad;
  Autocast autocast(options.device.type(), options.precision);
  auto input = images.to(options.device).contiguous(options.memory_format);
  auto logits = network.segmentor().forward(input).to(torch::kFloat);
  return resize_bilinear(logits, images.size(2), images.size(3));
}

torch::Tensor predict_classes(InferenceNetwork& network, const torch::Tensor& images,
                              const PredictionOptions& options) {
  return predict_logits(network, images, options).argmax(1);
}

cv::Mat predict_label_map(InferenceNetwork& network, const cv::Mat& rgb, const PredictionOptions& options) {
  return predict_image(network, rgb, options, {}).classes;
}

namespace {

// Window starts along one side: 0, then every 3/4 tile, the last flush with the end.
std::vector<std::int64_t> window_starts(std::int64_t length, std::int64_t tile) {
  std::vector<std::int64_t> starts{0};
  if (length <= tile) return starts;
  const std::int64_t stride = std::max<std::int64_t>(1, tile * 3 / 4);
  for (std::int64_t start = stride; start + tile < length; start += stride) starts.push_back(start);
  starts.push_back(length - tile);
  return starts;
}

// Class probabilities [1,C,H,W] averaged over overlapping tile x tile windows.
torch::Tensor tiled_probabilities(InferenceNetwork& network, const torch::Tensor& image,
                                  const PredictionOptions& options, std::int64_t tile) {
  using torch::indexing::Slice;
  const std::int64_t height = image.size(2), width = image.size(3);
  const std::int64_t tile_h = std::min(tile, height), tile_w = std::min(tile, width);
  torch::Tensor sum, count = torch::zeros({1, 1, height, width});
  for (const auto top : window_starts(height, tile_h))
    for (const auto left : window_starts(width, tile_w)) {
      const auto window =
          image.index({Slice(), Slice(), Slice(top, top + tile_h), Slice(left, left + tile_w)});
      const auto probabilities = torch::softmax(predict_logits(network, window, options), 1).to(torch::kCPU);
      if (!sum.defined()) sum = torch::zeros({1, probabilities.size(1), height, width});
      sum.index({Slice(), Slice(), Slice(top, top + tile_h), Slice(left, left + tile_w)}) += probabilities;
      count.index({Slice(), Slice(), Slice(top, top + tile_h), Slice(left, left + tile_w)}) += 1;
    }
  return sum / count;
}

cv::Mat class_map(const torch::Tensor& classes) {
  const auto indices = classes.to(torch::kCPU).to(torch::kUInt8).contiguous();
  return mask_view(indices, 0).clone();
}

}  // namespace

ImagePrediction predict_image(InferenceNetwork& network, const cv::Mat& rgb, const PredictionOptions& options,
                              const ImagePredictionOptions& image_options) {
  const auto image = image_to_tensor(rgb, options.normalization).unsqueeze(0);
  ImagePrediction prediction;
  if (image_options.tile > 0) {
    const auto probabilities = tiled_probabilities(network, image, options, image_options.tile);
    prediction.classes = class_map(probabilities.argmax(1));
    prediction.probabilities = probabilities[0];
    return prediction;
  }
  const auto logits = predict_logits(network, image, options);
  // The classes from the logits themselves, as evaluation scores them.
  prediction.classes = class_map(logits.argmax(1));
  if (image_options.probabilities) prediction.probabilities = torch::softmax(logits, 1)[0].to(torch::kCPU);
  return prediction;
}

cv::Mat mask_view(const torch::Tensor& masks, std::int64_t index) {
  auto mask = masks[index];
  return cv::Mat(static_cast<int>(mask.size(0)), static_cast<int>(mask.size(1)), CV_8UC1, mask.data_ptr());
}

}  // namespace advseg
