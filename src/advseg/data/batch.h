// Examples to tensors: normalisation, and batching with padding so images of
// different sizes can share a batch.
#pragma once

#include <torch/types.h>

#include <string>
#include <vector>

#include "advseg/data/dataset.h"

namespace advseg {

struct Batch {
  torch::Tensor images;  // [N,3,H,W] float, normalised
  torch::Tensor labels;  // [N,H,W] int64, ignore_index at void and padding
  std::vector<std::string> ids;
};

struct Normalization {
  std::vector<double> mean{0.485, 0.456, 0.406};
  std::vector<double> std{0.229, 0.224, 0.225};
};

torch::Tensor image_to_tensor(const cv::Mat& rgb, const Normalization& norm);  // [3,H,W]
torch::Tensor label_to_tensor(const cv::Mat& label);                           // [H,W] int64

// Stacks examples, padding each to the largest height and width in the batch
// (images with 0 after normalisation, labels with ignore_index).
Batch collate(const std::vector<Example>& examples, const Normalization& norm, int ignore_index);

}  // namespace advseg
