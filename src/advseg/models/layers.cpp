#include "advseg/models/layers.h"

#include <torch/nn/functional/upsampling.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/pooling.h>

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "advseg/models/spectral_norm.h"

namespace advseg {

LayerSpec conv_layer(int kernel, int channels) { return {LayerSpec::Kind::conv, kernel, channels}; }

LayerSpec pool_layer() { return {LayerSpec::Kind::pool, 0, 0}; }

int scaled_channels(int channels, double width) {
  return std::max(1, static_cast<int>(std::lround(channels * width)));
}

std::vector<LayerSpec> scaled_hidden_layers(std::vector<LayerSpec> layers, double width) {
  std::size_t last_conv = 0;
  for (std::size_t i = 0; i < layers.size(); ++i)
    if (layers[i].kind == LayerSpec::Kind::conv) last_conv = i;
  for (std::size_t i = 0; i < last_conv; ++i)
    if (layers[i].kind == LayerSpec::Kind::conv)
      layers[i].channels = scaled_channels(layers[i].channels, width);
  return layers;
}

torch::nn::Conv2d same_conv(int in_channels, int out_channels, int kernel, bool bias) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in_channels, out_channels, kernel).padding(kernel / 2).bias(bias));
}

void push_conv(torch::nn::Sequential& stack, int in_channels, int out_channels, int kernel, int stride,
               int padding, bool spectral_norm) {
  if (spectral_norm)
    stack->push_back(SpectralNormConv2d(ConvShape{in_channels, out_channels, kernel, stride, padding}));
  else
    stack->push_back(torch::nn::Conv2d(
        torch::nn::Conv2dOptions(in_channels, out_channels, kernel).stride(stride).padding(padding)));
}

torch::nn::Sequential make_conv_stack(int in_channels, const std::vector<LayerSpec>& layers,
                                      const ConvStackOptions& options) {
  std::size_t last_conv = 0;
  for (std::size_t i = 0; i < layers.size(); ++i)
    if (layers[i].kind == LayerSpec::Kind::conv) last_conv = i;

  torch::nn::Sequential stack;
  int channels = in_channels;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const LayerSpec& layer = layers[i];
    if (layer.kind == LayerSpec::Kind::pool) {
      stack->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).ceil_mode(options.ceil_pooling)));
      continue;
    }
    push_conv(stack, channels, layer.channels, layer.kernel, 1, layer.kernel / 2, options.spectral_norm);
    channels = layer.channels;
    if (i != last_conv || options.relu_after_last)
      stack->push_back(torch::nn::ReLU(torch::nn::ReLUOptions(/*inplace=*/true)));
  }
  return stack;
}

torch::Tensor resize_bilinear(const torch::Tensor& input, std::int64_t height, std::int64_t width) {
  if (input.size(2) == height && input.size(3) == width) return input;
  namespace F = torch::nn::functional;
  // Under bf16 autocast, resize in fp32: LibTorch's bilinear backward for
  // bf16 is 4x slower than for fp32 on the CPU, more than the casts cost.
  const auto source = input.scalar_type() == torch::kBFloat16 ? input.to(torch::kFloat) : input;
  return F::interpolate(source, F::InterpolateFuncOptions()
                                    .size(std::vector<std::int64_t>{height, width})
                                    .mode(torch::kBilinear)
                                    .align_corners(false));
}

}  // namespace advseg
