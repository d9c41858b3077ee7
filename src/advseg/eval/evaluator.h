// Evaluation: the segmentor in eval mode (batch-norm running statistics),
// without autograd, over a whole dataset into one confusion matrix.
#pragma once

#include <c10/core/Device.h>
#include <torch/types.h>

#include <memory>

#include "advseg/data/batch.h"
#include "advseg/eval/confusion_matrix.h"
#include "advseg/models/segmentor.h"

namespace advseg {

struct EvaluationOptions {
  Normalization normalization;
  int batch_size = 1;  // images of different sizes are padded with ignore labels
  int loader_threads = 1;
  c10::Device device = c10::kCPU;
};

struct Config;

// Evaluation settings for a run's config: its normalisation, loader threads and device.
EvaluationOptions evaluation_options(const Config& config);

// Class indices [N,H,W] (int64) at the resolution of `images` [N,3,H,W].
// Restores the segmentor's train/eval mode afterwards.
torch::Tensor predict_classes(SegmentorImpl& segmentor, const torch::Tensor& images);

ConfusionMatrix evaluate(SegmentorImpl& segmentor, std::shared_ptr<const Dataset> dataset,
                         const EvaluationOptions& options);

}  // namespace advseg
