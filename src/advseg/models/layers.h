// Building blocks shared by the networks: "same"-padded convolutions, conv
// stacks described by a layer list, and bilinear resizing.
#pragma once

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace advseg {

// One entry of a conv stack: a kernel x kernel convolution to `channels`
// outputs, or a 2x2 max pooling.
struct LayerSpec {
  enum class Kind { conv, pool };
  Kind kind;
  int kernel = 0;
  int channels = 0;
};

LayerSpec conv_layer(int kernel, int channels);
LayerSpec pool_layer();

struct ConvStackOptions {
  bool relu_after_last = false;  // false when the stack ends in logits
  bool ceil_pooling = true;      // ceil mode keeps 1x1 maps alive through pooling
  bool spectral_norm = false;    // spectrally normalised convolutions (spectral_norm.h)
};

// Convolutions padded by kernel/2 (so they keep the size), ReLU after every
// convolution but possibly the last; indices in the Sequential follow the
// layer list, like torch.nn.Sequential in Python.
torch::nn::Sequential make_conv_stack(int in_channels, const std::vector<LayerSpec>& layers,
                                      const ConvStackOptions& options);

// `channels` times `width`, rounded, at least 1: a narrower (width < 1) network.
int scaled_channels(int channels, double width);

// `layers` with every convolution but the last (the logits) scaled so.
std::vector<LayerSpec> scaled_hidden_layers(std::vector<LayerSpec> layers, double width);

torch::nn::Conv2d same_conv(int in_channels, int out_channels, int kernel, bool bias);

// Appends a kernel x kernel convolution with a bias to `stack`: a plain
// Conv2d or, with `spectral_norm`, a SpectralNormConv2d of the same shape.
void push_conv(torch::nn::Sequential& stack, int in_channels, int out_channels, int kernel, int stride,
               int padding, bool spectral_norm);

// Bilinear, align_corners=false; returns `input` itself when it already has
// the size. The result is fp32 when the input is bf16.
torch::Tensor resize_bilinear(const torch::Tensor& input, std::int64_t height, std::int64_t width);

}  // namespace advseg
