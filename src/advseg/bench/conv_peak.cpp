#include "advseg/bench/conv_peak.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <torch/types.h>

#include <algorithm>
#include <set>
#include <sstream>

namespace advseg {
namespace {

constexpr int kWideChannels = 256;

std::string join(const std::vector<std::int64_t>& values, const char* separator) {
  std::ostringstream text;
  for (std::size_t i = 0; i < values.size(); ++i) text << (i ? separator : "") << values[i];
  return text.str();
}

std::vector<ConvShape> distinct(const std::vector<ConvShape>& shapes) {
  std::set<std::string> seen;
  std::vector<ConvShape> unique;
  for (const auto& shape : shapes)
    if (seen.insert(describe_conv(shape)).second) unique.push_back(shape);
  return unique;
}

ConvRate time_conv(const ConvShape& shape, bool channels_last, bool bf16, const Repetitions& reps) {
  const auto format = channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
  const auto dtype = bf16 ? torch::kBFloat16 : torch::kFloat;
  const auto input = torch::randn(shape.input).to(dtype).contiguous(format);
  const auto weight = torch::randn(shape.weight).to(dtype).contiguous(format);
  const std::vector<std::int64_t> output_padding(shape.stride.size(), 0);
  auto run = [&] {
    c10::InferenceMode guard;
    at::convolution(input, weight, {}, shape.stride, shape.padding, shape.dilation, shape.transposed,
                    output_padding, shape.groups);
  };
  const double seconds = best_seconds(run, reps);
  return {describe_conv(shape), channels_last, bf16, forward_conv_flops(shape) / seconds / 1e9};
}

}  // namespace

std::string describe_conv(const ConvShape& shape) {
  return join(shape.input, "x") + " * " + join(shape.weight, "x") + " s" + join(shape.stride, ",") + " p" +
         join(shape.padding, ",") + " d" + join(shape.dilation, ",") + " g" + std::to_string(shape.groups) +
         (shape.transposed ? " transposed" : "");
}

ConvShape wide_3x3_conv(int batch, int height, int width) {
  ConvShape shape;
  shape.input = {batch, kWideChannels, std::max(height / 4, 1), std::max(width / 4, 1)};
  shape.weight = {kWideChannels, kWideChannels, 3, 3};
  shape.stride = {1, 1};
  shape.padding = {1, 1};
  shape.dilation = {1, 1};
  return shape;
}

std::vector<ConvShape> heaviest_distinct(const std::vector<ConvShape>& shapes, std::size_t count) {
  auto unique = distinct(shapes);
  unique.erase(std::remove_if(unique.begin(), unique.end(),
                              [](const ConvShape& shape) {
                                return std::any_of(shape.dilation.begin(), shape.dilation.end(),
                                                   [](std::int64_t d) { return d > 1; });
                              }),
               unique.end());
  std::stable_sort(unique.begin(), unique.end(), [](const ConvShape& a, const ConvShape& b) {
    return forward_conv_flops(a) > forward_conv_flops(b);
  });
  if (unique.size() > count) unique.resize(count);
  return unique;
}

ConvPeak bench_conv_peak(const std::vector<ConvShape>& shapes, const Repetitions& reps, bool with_bf16) {
  ConvPeak peak;
  for (const auto& shape : distinct(shapes)) {
    for (const bool bf16 : {false, true}) {
      if (bf16 && !with_bf16) continue;
      for (const bool channels_last : {false, true}) {
        peak.rates.push_back(time_conv(shape, channels_last, bf16, reps));
        if (peak.rates.back().gflops_per_s > peak.best.gflops_per_s) peak.best = peak.rates.back();
      }
    }
  }
  return peak;
}

}  // namespace advseg
