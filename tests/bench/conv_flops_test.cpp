#include "advseg/bench/conv_flops.h"

#include <gtest/gtest.h>
#include <torch/nn/functional/conv.h>
#include <torch/types.h>

#include "advseg/error.h"

namespace advseg {
namespace {

namespace F = torch::nn::functional;

// 2 images, 3 -> 4 channels, 3x3 kernel, 8x8 input, padding 1: 8x8 outputs.
// Multiply-adds = 2 * 64 positions * 4 outputs * 27 taps = 13824.
constexpr double kSameConvFlops = 2.0 * 13824;

torch::Tensor same_conv(const torch::Tensor& input, const torch::Tensor& weight) {
  return F::conv2d(input, weight, F::Conv2dFuncOptions().padding(1));
}

TEST(ConvFlopCounter, CountsTwoFlopsPerMultiplyAddOfAForwardConvolution) {
  const auto input = torch::randn({2, 3, 8, 8});
  const auto weight = torch::randn({4, 3, 3, 3});
  ConvFlopCounter counter;
  torch::NoGradGuard no_grad;
  same_conv(input, weight);
  EXPECT_DOUBLE_EQ(counter.flops(), kSameConvFlops);
  ASSERT_EQ(counter.forward_shapes().size(), 1u);
  EXPECT_EQ(counter.forward_shapes()[0].input, (std::vector<std::int64_t>{2, 3, 8, 8}));
  EXPECT_EQ(counter.forward_shapes()[0].weight, (std::vector<std::int64_t>{4, 3, 3, 3}));
  EXPECT_EQ(counter.forward_shapes()[0].padding, (std::vector<std::int64_t>{1, 1}));
}

TEST(ConvFlopCounter, StrideShrinksTheOutputItCounts) {
  // Stride 2 with padding 1 on 8x8 and a 3x3 kernel: (8 + 2 - 3) / 2 + 1 = 4, so 16 positions.
  ConvFlopCounter counter;
  torch::NoGradGuard no_grad;
  F::conv2d(torch::randn({2, 3, 8, 8}), torch::randn({4, 3, 3, 3}),
            F::Conv2dFuncOptions().stride(2).padding(1));
  EXPECT_DOUBLE_EQ(counter.flops(), 2.0 * 2 * 16 * 4 * 27);
}

TEST(ConvFlopCounter, SingleValueSettingsApplyToEverySpatialDimension) {
  // torch::conv2d's defaults pass stride, padding and dilation as one value each.
  ConvFlopCounter counter;
  torch::NoGradGuard no_grad;
  torch::conv2d(torch::randn({2, 3, 8, 6}), torch::randn({4, 3, 1, 1}));
  EXPECT_DOUBLE_EQ(counter.flops(), 2.0 * 2 * 48 * 4 * 3);
  ASSERT_EQ(counter.forward_shapes().size(), 1u);
  EXPECT_EQ(counter.forward_shapes()[0].stride, (std::vector<std::int64_t>{1, 1}));
}

TEST(ConvFlopCounter, TransposedConvolutionCountsEveryInputAgainstTheKernel) {
  // 4 -> 2 channels, 3x3, on 5x5: 25 inputs * 4 * 2 * 9 multiply-adds.
  ConvFlopCounter counter;
  torch::NoGradGuard no_grad;
  F::conv_transpose2d(torch::randn({1, 4, 5, 5}), torch::randn({4, 2, 3, 3}));
  EXPECT_DOUBLE_EQ(counter.flops(), 2.0 * 25 * 4 * 2 * 9);
}

TEST(ConvFlopCounter, BackwardCountsTheInputAndWeightGradients) {
  const auto weight = torch::randn({4, 3, 3, 3}, torch::requires_grad());
  const auto input = torch::randn({2, 3, 8, 8}, torch::requires_grad());
  ConvFlopCounter counter;
  same_conv(input, weight).sum().backward();
  EXPECT_DOUBLE_EQ(counter.flops(), 3 * kSameConvFlops);
}

TEST(ConvFlopCounter, BackwardSkipsTheGradientOfAnInputThatNeedsNone) {
  const auto weight = torch::randn({4, 3, 3, 3}, torch::requires_grad());
  ConvFlopCounter counter;
  same_conv(torch::randn({2, 3, 8, 8}), weight).sum().backward();
  EXPECT_DOUBLE_EQ(counter.flops(), 2 * kSameConvFlops);
}

TEST(ConvFlopCounter, CountsOnlyWhileItLives) {
  const auto input = torch::randn({2, 3, 8, 8});
  const auto weight = torch::randn({4, 3, 3, 3});
  torch::NoGradGuard no_grad;
  { ConvFlopCounter first; }
  same_conv(input, weight);
  ConvFlopCounter second;
  EXPECT_EQ(second.flops(), 0.0);
  same_conv(input, weight);
  EXPECT_DOUBLE_EQ(second.flops(), kSameConvFlops);
}

TEST(ConvFlopCounter, RefusesASecondCounterAtATime) {
  ConvFlopCounter counter;
  EXPECT_THROW(ConvFlopCounter second, Error);
}

TEST(ForwardConvFlops, FollowsDilationInTheOutputSize) {
  // Dilation 2 spreads a 3x3 kernel over 5x5: (8 - 5) / 1 + 1 = 4 per side without padding.
  ConvShape shape{{1, 3, 8, 8}, {4, 3, 3, 3}, {1, 1}, {0, 0}, {2, 2}, 1, false};
  EXPECT_DOUBLE_EQ(forward_conv_flops(shape), 2.0 * 16 * 4 * 27);
}

}  // namespace
}  // namespace advseg
