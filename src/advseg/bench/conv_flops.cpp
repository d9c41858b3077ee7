#include "advseg/bench/conv_flops.h"

#include <ATen/record_function.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <numeric>

#include "advseg/error.h"

namespace advseg {
namespace {

// The counter the observer reports to; callbacks are plain function pointers.
std::atomic<ConvFlopCounter*> active_counter{nullptr};
// Convolutions running inside another one (a backend calling convolution for
// a gradient) are part of the outer call's work: only the outermost counts.
thread_local int conv_depth = 0;

constexpr const char* kForwardOp = "aten::convolution";
constexpr const char* kBackwardOp = "aten::convolution_backward";

bool is_conv_op(const at::RecordFunction& fn) {
  return std::strcmp(fn.name(), kForwardOp) == 0 || std::strcmp(fn.name(), kBackwardOp) == 0;
}

std::int64_t product(const std::vector<std::int64_t>& values, std::size_t from) {
  return std::accumulate(values.begin() + static_cast<std::ptrdiff_t>(from), values.end(), std::int64_t{1},
                         std::multiplies<>());
}

std::vector<std::int64_t> sizes_of(const c10::IValue& value) { return value.toTensor().sizes().vec(); }

// One value per spatial dimension: torch::conv2d(x, w) passes stride,
// padding and dilation as single values that apply to every dimension.
std::vector<std::int64_t> per_dimension(const c10::IValue& value, std::size_t dimensions) {
  auto values = value.toIntVector();
  if (values.size() == 1) values.assign(dimensions, values.front());
  return values;
}

// convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups)
ConvShape forward_shape(c10::ArrayRef<const c10::IValue> inputs) {
  ConvShape shape;
  shape.input = sizes_of(inputs[0]);
  shape.weight = sizes_of(inputs[1]);
  const std::size_t spatial = shape.input.size() - 2;
  shape.stride = per_dimension(inputs[3], spatial);
  shape.padding = per_dimension(inputs[4], spatial);
  shape.dilation = per_dimension(inputs[5], spatial);
  shape.transposed = inputs[6].toBool();
  shape.groups = inputs[8].toInt();
  return shape;
}

// convolution_backward(grad_output, input, weight, bias_sizes, stride, padding,
//                      dilation, transposed, output_padding, groups, output_mask)
// Each of the input and weight gradients costs as much as the forward.
double backward_flops(c10::ArrayRef<const c10::IValue> inputs) {
  const auto grad_output = sizes_of(inputs[0]);
  const auto input = sizes_of(inputs[1]);
  const auto weight = sizes_of(inputs[2]);
  const bool transposed = inputs[7].toBool();
  const auto mask = inputs[10].toBoolList();
  const double forward =
      2.0 * static_cast<double>(input[0] * product(weight, 0) * product(transposed ? input : grad_output, 2));
  return forward * ((mask.get(0) ? 1 : 0) + (mask.get(1) ? 1 : 0));
}

std::unique_ptr<at::ObserverContext> count_conv_start(const at::RecordFunction& fn) {
  if (!is_conv_op(fn)) return nullptr;
  ConvFlopCounter* counter = active_counter.load();
  if (conv_depth++ > 0 || counter == nullptr) return nullptr;
  if (std::strcmp(fn.name(), kForwardOp) == 0)
    counter->add_forward(forward_shape(fn.inputs()));
  else
    counter->add_backward(backward_flops(fn.inputs()));
  return nullptr;
}

void count_conv_end(const at::RecordFunction& fn, at::ObserverContext* /*context*/) {
  if (is_conv_op(fn)) --conv_depth;
}

}  // namespace

double forward_conv_flops(const ConvShape& shape) {
  // Output elements per sample: for a transposed convolution every input
  // element meets the whole kernel instead.
  std::int64_t positions = 1;
  for (std::size_t d = 2; d < shape.input.size(); ++d) {
    const std::int64_t extent = shape.dilation[d - 2] * (shape.weight[d] - 1) + 1;
    positions *= shape.transposed
                     ? shape.input[d]
                     : (shape.input[d] + 2 * shape.padding[d - 2] - extent) / shape.stride[d - 2] + 1;
  }
  return 2.0 * static_cast<double>(shape.input[0] * product(shape.weight, 0) * positions);
}

ConvFlopCounter::ConvFlopCounter() {
  ConvFlopCounter* expected = nullptr;
  if (!active_counter.compare_exchange_strong(expected, this))
    throw Error("convolution FLOP counter: another counter is already active");
  callback_handle_ = at::addThreadLocalCallback(at::RecordFunctionCallback(count_conv_start, count_conv_end)
                                                    .needsInputs(true)
                                                    .scopes({at::RecordScope::FUNCTION}));
}

ConvFlopCounter::~ConvFlopCounter() {
  at::removeCallback(callback_handle_);
  active_counter.store(nullptr);
}

double ConvFlopCounter::flops() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return flops_;
}

std::vector<ConvShape> ConvFlopCounter::forward_shapes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return forward_shapes_;
}

void ConvFlopCounter::add_forward(ConvShape shape) {
  std::lock_guard<std::mutex> lock(mutex_);
  flops_ += forward_conv_flops(shape);
  forward_shapes_.push_back(std::move(shape));
}

void ConvFlopCounter::add_backward(double flops) {
  std::lock_guard<std::mutex> lock(mutex_);
  flops_ += flops;
}

}  // namespace advseg
