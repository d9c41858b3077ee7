// A segmentor with an auxiliary 1x1 classifier beside its main one, like
// torchvision's heads: the smallest network with an auxiliary head, for
// tests of what that head trains (its loss, multi-level adaptation).
#pragma once

#include <torch/torch.h>

#include "advseg/models/segmentor.h"

namespace advseg::testing {

class AuxSegmentorImpl : public SegmentorImpl {
 public:
  AuxSegmentorImpl()
      : main_(register_module("main", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 5, 1)))),
        aux_(register_module("aux", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 5, 1)))) {}
  torch::Tensor forward(const torch::Tensor& images) override { return main_(images); }
  SegmentorOutput forward_train(const torch::Tensor& images) override {
    return {main_(images), aux_(images)};
  }
  int output_stride() const override { return 1; }
  torch::nn::Conv2d main_, aux_;
};

}  // namespace advseg::testing
