// The generator s(x) of the method: any network mapping images to per-pixel
// class logits. Implementations live in models/segmentors/, one file each,
// and register themselves by name (see registry.h).
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <vector>

namespace advseg {

struct SegmentorOptions {
  int num_classes = 5;
  std::vector<int> widths{16, 64, 256};
  std::vector<double> scales{1.0, 0.5, 0.25};
};

class SegmentorImpl : public torch::nn::Module {
 public:
  // images [N,3,H,W] (normalised) -> logits [N,C,h,w] at the network's output
  // resolution (1/4 of the input for the multiscale network).
  virtual torch::Tensor forward(const torch::Tensor& images) = 0;
};

}  // namespace advseg
