// The fused convolution + ReLU of the inference path computes what the two
// steps compute: alone, under bf16 autocast, where it must fall back (while
// gradients are recorded), and inside the multiscale segmentor's folded
// inference in float32 (batch_norm_folding_test.cpp checks every family in
// double precision, which takes the unfused path).
#include "advseg/models/conv_relu.h"

#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>

#include "advseg/inference/prediction.h"
#include "advseg/models/layers.h"
#include "support/network_state.h"

namespace advseg {
namespace {

torch::nn::Conv2d biased_conv() {
  torch::manual_seed(3);
  auto conv = torch::nn::Conv2d(torch::nn::Conv2dOptions(4, 6, 7).padding(3));
  return conv;
}

torch::Tensor two_steps(torch::nn::Conv2d& conv, const torch::Tensor& input) {
  return torch::relu(conv->forward(input));
}

TEST(ConvRelu, ThisLibTorchHasTheFusedOperator) { EXPECT_TRUE(fused_conv_relu_available()); }

TEST(ConvRelu, InferenceInFloat32EqualsConvolutionThenRelu) {
  auto conv = biased_conv();
  const auto input = torch::randn({2, 4, 20, 24}).contiguous(torch::MemoryFormat::ChannelsLast);
  torch::NoGradGuard no_grad;
  const auto fused = conv_relu(*conv, input);
  const auto expected = two_steps(conv, input);
  ASSERT_EQ(fused.sizes(), expected.sizes());
  EXPECT_EQ(fused.scalar_type(), torch::kFloat);
  EXPECT_LE(testing::relative_difference(fused, expected), 1e-6);
  EXPECT_GE(fused.min().item<float>(), 0.0F);
  EXPECT_GT((fused == 0).sum().item<int64_t>(), 0) << "the ReLU clipped nothing: the test would not see it";
}

TEST(ConvRelu, InferenceUnderBf16AutocastComputesInBf16) {
  auto conv = biased_conv();
  const auto input = torch::randn({2, 4, 20, 24}).contiguous(torch::MemoryFormat::ChannelsLast);
  torch::NoGradGuard no_grad;
  at::autocast::set_autocast_dtype(c10::DeviceType::CPU, torch::kBFloat16);
  at::autocast::set_autocast_enabled(c10::DeviceType::CPU, true);
  const auto fused = conv_relu(*conv, input);
  const auto expected = two_steps(conv, input);
  at::autocast::set_autocast_enabled(c10::DeviceType::CPU, false);
  at::autocast::clear_cache();
  EXPECT_EQ(fused.scalar_type(), torch::kBFloat16);
  EXPECT_EQ(expected.scalar_type(), torch::kBFloat16);
  EXPECT_LE(testing::relative_difference(fused.to(torch::kFloat), expected.to(torch::kFloat)), 1e-2);
}

TEST(ConvRelu, WhileGradientsAreRecordedItIsTheTwoSteps) {
  auto conv = biased_conv();
  const auto input = torch::randn({1, 4, 12, 12});
  const auto output = conv_relu(*conv, input);
  ASSERT_TRUE(output.requires_grad()) << "the fused operator has no backward: training must not use it";
  output.sum().backward();
  EXPECT_TRUE(conv->weight.grad().defined());
  EXPECT_LE(testing::relative_difference(output.detach(), two_steps(conv, input).detach()), 1e-6);
}

// The segmentor that uses it: folded (batch norm and ReLU in the
// convolution) against its plain eval-mode forward, in float32.
TEST(ConvRelu, TheMultiscaleSegmentorsFoldedInferencePredictsItsLogits) {
  auto segmentor = testing::segmentor_of({"multiscale", "", 32}, 5, 3);
  testing::randomise_batch_norms(*segmentor, 32);
  const auto images = torch::randn({2, 3, 32, 32});
  torch::Tensor plain;
  {
    torch::NoGradGuard no_grad;
    segmentor->eval();
    plain = resize_bilinear(segmentor->forward(images), 32, 32);
  }
  InferenceNetwork network(*segmentor);
  ASSERT_GT(network.folded_batch_norms(), 0u);
  const auto folded = predict_logits(network, images, PredictionOptions{});
  EXPECT_LE(testing::relative_difference(folded, plain), 1e-5);
}

}  // namespace
}  // namespace advseg
