// A convolution followed by ReLU as one oneDNN call, for inference on the
// CPU: LibTorch's mkldnn::_convolution_pointwise applies the ReLU as the
// convolution's post-op, so the convolution's output is not read and written
// a second time (in bf16 on a CPU with AMX the ReLU pass costs about a fifth
// of the convolution; docs/performance.md). The values are those of conv2d
// then relu_, bit for bit where both run the same oneDNN kernel.
#pragma once

#include <torch/nn/modules/conv.h>
#include <torch/types.h>

namespace advseg {

// relu(conv(input)): fused where it can be (a CPU tensor, no gradient being
// recorded, not traced for export, a zero-padded convolution, LibTorch built
// with oneDNN, fp32 or the bf16 that autocast asks for), else as the two
// usual steps.
torch::Tensor conv_relu(torch::nn::Conv2dImpl& conv, const torch::Tensor& input);

// Whether this LibTorch has the fused operator (it is built with oneDNN).
bool fused_conv_relu_available();

}  // namespace advseg
