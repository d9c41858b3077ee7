// The one prediction path: a segmentor prepared for inference (eval mode,
// batch norm folded into the convolutions before it), without autograd,
// under the run's precision, turning normalised images into logits, class
// indices or label maps at the input resolution. Evaluation, `advseg
// predict`, `advseg panels` and the benchmark all call these, so what is
// written to disk is exactly what is scored.
#pragma once

#include <c10/core/Device.h>
#include <c10/core/MemoryFormat.h>
#include <torch/types.h>

#include <cstddef>
#include <opencv2/core.hpp>
#include <optional>

#include "advseg/data/batch.h"
#include "advseg/inference/precision.h"
#include "advseg/models/batch_norm_folding.h"
#include "advseg/models/segmentor.h"

namespace advseg {

struct Config;

struct PredictionOptions {
  Normalization normalization;
  c10::Device device = c10::kCPU;
  c10::MemoryFormat memory_format = c10::MemoryFormat::Contiguous;  // of the images fed to the network
  Precision precision;                                              // autocast (train.precision)
};

// A run's normalisation, device, memory format and precision.
PredictionOptions prediction_options(const Config& config);

// A segmentor ready for prediction for as long as this lives: in eval mode,
// with every batch norm that follows a convolution folded into it. The
// segmentor's weights and mode come back exactly afterwards, so a network
// in training can be validated between steps. Keep one alive over a whole
// evaluation: preparing runs one small forward pass.
class InferenceNetwork {
 public:
  explicit InferenceNetwork(SegmentorImpl& segmentor);
  ~InferenceNetwork();
  InferenceNetwork(const InferenceNetwork&) = delete;
  InferenceNetwork& operator=(const InferenceNetwork&) = delete;

  SegmentorImpl& segmentor() { return segmentor_; }
  std::size_t folded_batch_norms() const { return folded_ ? folded_->size() : 0; }

 private:
  SegmentorImpl& segmentor_;
  bool was_training_;
  std::optional<FoldedBatchNorms> folded_;
};

// Float logits [N,C,H,W] at the resolution of `images` [N,3,H,W] (on any
// device; moved to options.device), without autograd.
torch::Tensor predict_logits(InferenceNetwork& network, const torch::Tensor& images,
                             const PredictionOptions& options);

// Class indices [N,H,W] (int64, on options.device): the argmax of predict_logits.
torch::Tensor predict_classes(InferenceNetwork& network, const torch::Tensor& images,
                              const PredictionOptions& options);

// The class map of one CV_8UC3 RGB image: CV_8UC1 indices of its size.
cv::Mat predict_label_map(InferenceNetwork& network, const cv::Mat& rgb, const PredictionOptions& options);

struct ImagePredictionOptions {
  // 0: the whole image at once. Otherwise windows of tile x tile pixels,
  // overlapping by a quarter, whose class probabilities are averaged: for
  // images too large to predict at once.
  int tile = 0;
  bool probabilities = false;  // also return the class probabilities
};

struct ImagePrediction {
  cv::Mat classes;              // CV_8UC1 indices of the image's size
  torch::Tensor probabilities;  // [C,H,W] float on the CPU, when asked (or tiled)
};

// One CV_8UC3 RGB image, whole (then `classes` is predict_label_map's) or in tiles.
ImagePrediction predict_image(InferenceNetwork& network, const cv::Mat& rgb, const PredictionOptions& options,
                              const ImagePredictionOptions& image_options);

// Image `index` of a [N,H,W] uint8 CPU tensor as a CV_8UC1 view (no copy).
cv::Mat mask_view(const torch::Tensor& masks, std::int64_t index);

}  // namespace advseg
