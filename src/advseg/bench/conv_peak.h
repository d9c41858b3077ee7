// The convolution micro-benchmark: what this machine's convolution kernels
// reach on representative shapes, the yardstick for a training iteration's
// achieved GFLOP/s.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "advseg/bench/conv_flops.h"
#include "advseg/bench/measure.h"

namespace advseg {

struct ConvRate {
  std::string shape;  // see describe_conv()
  bool channels_last = false;
  bool bf16 = false;
  double gflops_per_s = 0;
};

struct ConvPeak {
  ConvRate best;
  std::vector<ConvRate> rates;  // every shape, in both memory formats (and precisions)
};

// "8x3x240x320 * 16x3x7x7 s1,1 p3,3 d1,1 g1": input, weight, stride, padding,
// dilation, groups.
std::string describe_conv(const ConvShape& shape);

// A wide 3x3 convolution, 256 -> 256 channels on a batch x H/4 x W/4 grid:
// the best case for the kernels (compute-bound, regular).
ConvShape wide_3x3_conv(int batch, int height, int width);

// The `count` distinct undilated shapes with the most FLOPs, heaviest first:
// a deep network has dozens, and the peak is found among the heavy ones.
// Dilated convolutions are left out: on the small grids of a segmentor's
// last stages most of their taps fall into the padding, which oneDNN skips,
// so their nominal rate (2.9 TFLOP/s measured for DeepLabV3's ASPP on this
// 2-core CPU) is no yardstick for the machine.
std::vector<ConvShape> heaviest_distinct(const std::vector<ConvShape>& shapes, std::size_t count);

// Times each distinct shape's forward convolution in NCHW and channels-last
// (inference mode, fastest of the timed runs), in fp32 and, with `with_bf16`,
// in bf16 too (the yardstick of a bf16 training run), and keeps the best rate.
ConvPeak bench_conv_peak(const std::vector<ConvShape>& shapes, const Repetitions& reps, bool with_bf16);

}  // namespace advseg
