// Counts the floating-point work of convolutions: the C++ counterpart of
// forward hooks, which also sees convolutions called as functions and the
// convolutions of the backward pass. While a ConvFlopCounter lives, every
// aten::convolution and aten::convolution_backward run on its thread is
// observed through LibTorch's RecordFunction callbacks.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

namespace advseg {

// The arguments of one convolution, enough to replay it.
struct ConvShape {
  std::vector<std::int64_t> input;   // [N,Cin,H,W]
  std::vector<std::int64_t> weight;  // [Cout,Cin/groups,kh,kw] ([Cin,Cout/groups,..] when transposed)
  std::vector<std::int64_t> stride;
  std::vector<std::int64_t> padding;
  std::vector<std::int64_t> dilation;
  std::int64_t groups = 1;
  bool transposed = false;
};

// Multiply-adds of a forward convolution, counted as 2 FLOPs each (bias ignored).
double forward_conv_flops(const ConvShape& shape);

// Counts on the constructing thread until destroyed; one counter at a time.
class ConvFlopCounter {
 public:
  ConvFlopCounter();
  ~ConvFlopCounter();
  ConvFlopCounter(const ConvFlopCounter&) = delete;
  ConvFlopCounter& operator=(const ConvFlopCounter&) = delete;

  // Forward and backward convolution FLOPs so far. A backward call counts
  // the forward's FLOPs once per gradient it computes (input, weight).
  double flops() const;
  // Every forward convolution seen, in call order.
  std::vector<ConvShape> forward_shapes() const;

  // Called by the observer.
  void add_forward(ConvShape shape);
  void add_backward(double flops);

 private:
  mutable std::mutex mutex_;
  double flops_ = 0;
  std::vector<ConvShape> forward_shapes_;
  std::uint64_t callback_handle_ = 0;
};

}  // namespace advseg
