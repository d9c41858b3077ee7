// Evaluation: the segmentor in eval mode (batch-norm running statistics),
// without autograd, over a whole dataset into one confusion matrix and the
// per-image spatial consistency metrics.
#pragma once

#include <c10/core/Device.h>
#include <torch/types.h>

#include <memory>

#include "advseg/data/batch.h"
#include "advseg/eval/confusion_matrix.h"
#include "advseg/eval/consistency.h"
#include "advseg/models/segmentor.h"

namespace advseg {

struct EvaluationOptions {
  Normalization normalization;
  // Images of different sizes are padded with ignore labels; consistency
  // metrics see each padded image (padding is void), so keep 1 for them.
  int batch_size = 1;
  int loader_threads = 1;
  c10::Device device = c10::kCPU;
  c10::MemoryFormat memory_format = c10::MemoryFormat::Contiguous;  // of the images fed to the network
  bool bf16 = false;                                                // autocast (train.precision: bf16)
};

struct Config;

// Evaluation settings for a run's config: its normalisation, loader threads and device.
EvaluationOptions evaluation_options(const Config& config);

// Float logits [N,C,H,W] at the resolution of `images` [N,3,H,W], without
// autograd, in eval mode; restores the segmentor's train/eval mode afterwards.
torch::Tensor predict_logits(SegmentorImpl& segmentor, const torch::Tensor& images);

// Class indices [N,H,W] (int64): the argmax of predict_logits.
torch::Tensor predict_classes(SegmentorImpl& segmentor, const torch::Tensor& images);

// The class map of one CV_8UC3 RGB image: CV_8UC1 indices of its size.
cv::Mat predict_label_map(SegmentorImpl& segmentor, const cv::Mat& rgb, const EvaluationOptions& options);

struct Evaluation {
  ConfusionMatrix confusion;
  ConsistencyMetrics consistency;
  // Per-pixel cross-entropy over every non-void pixel of the dataset: the
  // training loss measured on held-out data, for train-versus-val curves.
  double cross_entropy = 0;
};

Evaluation evaluate(SegmentorImpl& segmentor, std::shared_ptr<const Dataset> dataset,
                    const EvaluationOptions& options);

}  // namespace advseg
