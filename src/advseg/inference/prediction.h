// The one prediction path: a segmentor in eval mode, without autograd, under
// the run's precision, turning normalised images into logits, class indices
// or label maps at the input resolution. Evaluation, `advseg predict`,
// `advseg panels` and the benchmark all call these, so what is written to
// disk is exactly what is scored.
#pragma once

#include <c10/core/Device.h>
#include <c10/core/MemoryFormat.h>
#include <torch/types.h>

#include <opencv2/core.hpp>

#include "advseg/data/batch.h"
#include "advseg/models/segmentor.h"

namespace advseg {

struct Config;

struct PredictionOptions {
  Normalization normalization;
  c10::Device device = c10::kCPU;
  c10::MemoryFormat memory_format = c10::MemoryFormat::Contiguous;  // of the images fed to the network
  bool bf16 = false;                                                // autocast (train.precision: bf16)
};

// A run's normalisation, device, memory format and precision.
PredictionOptions prediction_options(const Config& config);

// Float logits [N,C,H,W] at the resolution of `images` [N,3,H,W] (on any
// device; moved to options.device), without autograd, in eval mode; restores
// the segmentor's train/eval mode afterwards.
torch::Tensor predict_logits(SegmentorImpl& segmentor, const torch::Tensor& images,
                             const PredictionOptions& options);

// Class indices [N,H,W] (int64, on options.device): the argmax of predict_logits.
torch::Tensor predict_classes(SegmentorImpl& segmentor, const torch::Tensor& images,
                              const PredictionOptions& options);

// The class map of one CV_8UC3 RGB image: CV_8UC1 indices of its size.
cv::Mat predict_label_map(SegmentorImpl& segmentor, const cv::Mat& rgb, const PredictionOptions& options);

// Image `index` of a [N,H,W] uint8 CPU tensor as a CV_8UC1 view (no copy).
cv::Mat mask_view(const torch::Tensor& masks, std::int64_t index);

}  // namespace advseg
