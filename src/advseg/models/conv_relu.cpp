#include "advseg/models/conv_relu.h"

#include <ATen/autocast_mode.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/jit/frontend/tracer.h>

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

namespace advseg {
namespace {

// The fused operator, where this LibTorch registers it (builds with oneDNN).
const std::optional<c10::OperatorHandle>& pointwise_convolution() {
  static const auto op = c10::Dispatcher::singleton().findOp({"mkldnn::_convolution_pointwise", ""});
  return op;
}

std::vector<std::int64_t> pair(const torch::ExpandingArray<2>& values) {
  return {values->begin(), values->end()};
}

// The dtype the convolution computes in: autocast's where it is on.
c10::ScalarType compute_dtype(const torch::Tensor& input) {
  if (at::autocast::is_autocast_enabled(c10::DeviceType::CPU))
    return at::autocast::get_autocast_dtype(c10::DeviceType::CPU);
  return input.scalar_type();
}

bool fusable(const torch::nn::Conv2dImpl& conv, const torch::Tensor& input, c10::ScalarType dtype) {
  const auto& options = conv.options;
  // Not while tracing (advseg export): the traced model must run on CUDA and
  // convert to ONNX, which know no oneDNN operator.
  return pointwise_convolution().has_value() && input.device().is_cpu() && !c10::GradMode::is_enabled() &&
         !torch::jit::tracer::isTracing() &&
         std::holds_alternative<torch::ExpandingArray<2>>(options.padding()) &&
         std::holds_alternative<torch::enumtype::kZeros>(options.padding_mode()) &&
         (dtype == torch::kFloat || dtype == torch::kBFloat16);
}

}  // namespace

torch::Tensor conv_relu(torch::nn::Conv2dImpl& conv, const torch::Tensor& input) {
  const auto dtype = compute_dtype(input);
  if (!fusable(conv, input, dtype)) return conv.forward(input).relu_();
  const auto& options = conv.options;
  std::optional<torch::Tensor> bias;
  if (conv.bias.defined()) bias = conv.bias.to(dtype);
  c10::List<std::optional<c10::Scalar>> scalars;
  scalars.push_back(std::nullopt);
  torch::jit::Stack stack{input.to(dtype),
                          conv.weight.to(dtype),
                          bias,
                          pair(std::get<torch::ExpandingArray<2>>(options.padding())),
                          pair(options.stride()),
                          pair(options.dilation()),
                          options.groups(),
                          "relu",
                          scalars,
                          std::optional<std::string>()};
  pointwise_convolution()->callBoxed(&stack);
  return stack.front().toTensor();
}

bool fused_conv_relu_available() { return pointwise_convolution().has_value(); }

}  // namespace advseg
