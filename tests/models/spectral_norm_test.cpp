#include "advseg/models/spectral_norm.h"

#include <gtest/gtest.h>

namespace advseg {
namespace {

double largest_singular_value(const torch::Tensor& weight) {
  return torch::linalg_svdvals(weight.flatten(1).to(torch::kDouble)).max().item<double>();
}

SpectralNormConv2d scaled_conv(double scale) {
  torch::manual_seed(0);
  SpectralNormConv2d conv(ConvShape{6, 8, 3, 1, 1});
  torch::NoGradGuard no_grad;
  conv->weight_orig.mul_(scale);
  return conv;
}

TEST(SpectralNormConv2d, NormalisedWeightHasLargestSingularValueOne) {
  auto conv = scaled_conv(7.0);
  conv->train();
  for (int i = 0; i < 30; ++i) conv->forward(torch::randn({1, 6, 4, 4}));  // power iterations
  EXPECT_GT(largest_singular_value(conv->weight_orig), 2.0);               // the raw weight is far from 1
  EXPECT_NEAR(largest_singular_value(conv->normalised_weight()), 1.0, 1e-3);
}

TEST(SpectralNormConv2d, ComputesTheConvolutionOfTheNormalisedWeight) {
  auto conv = scaled_conv(3.0);
  conv->eval();
  const auto input = torch::randn({2, 6, 5, 7});
  const auto expected = torch::conv2d(input, conv->normalised_weight(), conv->bias, 1, 1);
  EXPECT_TRUE(torch::allclose(conv->forward(input), expected, 1e-5, 1e-6));
}

TEST(SpectralNormConv2d, RefinesItsEstimatesInTrainingOnlyAndLetsGradientsThrough) {
  auto conv = scaled_conv(2.0);
  conv->eval();
  const auto u = conv->u.clone();
  conv->forward(torch::randn({1, 6, 4, 4}));
  EXPECT_TRUE(torch::equal(conv->u, u));
  conv->train();
  // Two training passes before one backward: the estimates change in place
  // between them, which must not break the first pass's graph.
  const auto first = conv->forward(torch::randn({1, 6, 4, 4}));
  const auto second = conv->forward(torch::randn({1, 6, 4, 4}));
  (first.sum() + second.sum()).backward();
  EXPECT_TRUE(conv->weight_orig.grad().defined());
  EXPECT_GT(conv->weight_orig.grad().abs().sum().item<double>(), 0.0);
}

}  // namespace
}  // namespace advseg
