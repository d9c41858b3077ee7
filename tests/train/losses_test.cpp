#include "advseg/train/losses.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "advseg/error.h"

namespace advseg {
namespace {

constexpr double kTolerance = 1e-5;

// Binary cross-entropy of a logit x: log(1 + e^-x) against 1, log(1 + e^x) against 0.
double bce_one(double x) { return std::log1p(std::exp(-x)); }
double bce_zero(double x) { return std::log1p(std::exp(x)); }
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

torch::Tensor floats(std::vector<float> values) { return torch::tensor(values, torch::kFloat); }

TEST(SegmentationCrossEntropy, AveragesOverValidPixelsOnly) {
  // Logits (0, ln 3) at 1x1 upsample to a constant 2x2 map; softmax = (0.25, 0.75).
  const auto logits = floats({0.0f, static_cast<float>(std::log(3.0))}).reshape({1, 2, 1, 1});
  const auto labels = torch::tensor({1, 1, 0, 255}, torch::kLong).reshape({1, 2, 2});
  // Valid pixels: two of class 1 (p = .75) and one of class 0 (p = .25); 255 is ignored.
  const double expected = -(2.0 * std::log(0.75) + std::log(0.25)) / 3.0;
  EXPECT_NEAR(segmentation_cross_entropy(logits, labels, 255).item<double>(), expected, kTolerance);
}

TEST(SegmentationCrossEntropy, AllVoidIsZeroAndStillBackpropagates) {
  const auto logits = torch::randn({2, 3, 2, 2}).requires_grad_(true);
  const auto labels = torch::full({2, 5, 5}, 255, torch::kLong);
  const auto loss = segmentation_cross_entropy(logits, labels, 255);
  EXPECT_EQ(loss.item<double>(), 0.0);
  ASSERT_TRUE(loss.requires_grad());
  loss.backward();
  ASSERT_TRUE(logits.grad().defined());
  EXPECT_EQ(logits.grad().abs().max().item<double>(), 0.0);
}

TEST(UpsampleLogits, KeepsAConstantMapConstant) {
  const auto logits = floats({1.5f, -2.0f}).reshape({1, 2, 1, 1}).expand({1, 2, 3, 3}).contiguous();
  const auto upsampled = upsample_logits(logits, 7, 5);
  ASSERT_EQ(upsampled.sizes(), (std::vector<int64_t>{1, 2, 7, 5}));
  EXPECT_TRUE(torch::allclose(upsampled[0][0], torch::full({7, 5}, 1.5f)));
  EXPECT_TRUE(torch::allclose(upsampled[0][1], torch::full({7, 5}, -2.0f)));
}

TEST(UpsampleLogits, InterpolatesWithHalfPixelCentres) {
  // align_corners=false: output x samples source (x + .5) / 2 - .5 = -.25, .25, .75, 1.25,
  // clamped to [0, 1] -> values 0, .25, .75, 1 (align_corners=true would give thirds).
  const auto logits = floats({0.0f, 1.0f}).reshape({1, 1, 1, 2});
  const auto upsampled = upsample_logits(logits, 1, 4).flatten();
  EXPECT_TRUE(torch::allclose(upsampled, floats({0.0f, 0.25f, 0.75f, 1.0f}), 0.0, kTolerance));
}

TEST(AdversaryLoss, IsTwoLn2WhenTheAdversaryIsUndecided) {
  const auto zeros = torch::zeros({3});
  EXPECT_NEAR(adversary_loss(zeros, zeros).item<double>(), 2.0 * std::log(2.0), kTolerance);
}

TEST(AdversaryLoss, AveragesRealAgainstOneAndFakeAgainstZero) {
  const auto real = floats({2.0f, -1.0f});
  const auto fake = floats({0.5f, -3.0f});
  const double expected = (bce_one(2.0) + bce_one(-1.0)) / 2.0 + (bce_zero(0.5) + bce_zero(-3.0)) / 2.0;
  EXPECT_NEAR(adversary_loss(real, fake).item<double>(), expected, kTolerance);
}

// Value and d(term)/d(logit) of the segmentor's term at fake logits (0.5, -1).
struct TermAndGradient {
  double value;
  std::vector<double> gradient;
};

TermAndGradient term_at_fixed_logits(AdversarialLoss kind) {
  const auto fake = floats({0.5f, -1.0f}).requires_grad_(true);
  const auto term = segmentor_adversarial_term(fake, kind);
  term.backward();
  const auto grad = fake.grad().to(torch::kDouble);
  return {term.item<double>(), {grad[0].item<double>(), grad[1].item<double>()}};
}

TEST(SegmentorAdversarialTerm, FlippedIsBceAgainstOneAndFallsAsTheLogitRises) {
  const auto result = term_at_fixed_logits(AdversarialLoss::flipped);
  EXPECT_NEAR(result.value, (bce_one(0.5) + bce_one(-1.0)) / 2.0, kTolerance);
  // d/dx log(1 + e^-x) = sigmoid(x) - 1 < 0, halved by the batch mean.
  EXPECT_NEAR(result.gradient[0], (sigmoid(0.5) - 1.0) / 2.0, kTolerance);
  EXPECT_NEAR(result.gradient[1], (sigmoid(-1.0) - 1.0) / 2.0, kTolerance);
  EXPECT_LT(result.gradient[0], 0.0);
  EXPECT_LT(result.gradient[1], 0.0);
}

TEST(SegmentorAdversarialTerm, OriginalIsMinusBceAgainstZeroAndFallsAsTheLogitRises) {
  const auto result = term_at_fixed_logits(AdversarialLoss::original);
  EXPECT_NEAR(result.value, -(bce_zero(0.5) + bce_zero(-1.0)) / 2.0, kTolerance);
  // d/dx -log(1 + e^x) = -sigmoid(x) < 0, halved by the batch mean.
  EXPECT_NEAR(result.gradient[0], -sigmoid(0.5) / 2.0, kTolerance);
  EXPECT_NEAR(result.gradient[1], -sigmoid(-1.0) / 2.0, kTolerance);
  EXPECT_LT(result.gradient[0], 0.0);
  EXPECT_LT(result.gradient[1], 0.0);
}

TEST(ParseAdversarialLoss, AcceptsTheTwoNames) {
  EXPECT_EQ(parse_adversarial_loss("flipped"), AdversarialLoss::flipped);
  EXPECT_EQ(parse_adversarial_loss("original"), AdversarialLoss::original);
}

TEST(ParseAdversarialLoss, RejectsUnknownNamesListingTheValidOnes) {
  try {
    parse_adversarial_loss("wasserstein");
    FAIL() << "expected advseg::Error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("wasserstein"), std::string::npos) << message;
    EXPECT_NE(message.find("flipped"), std::string::npos) << message;
    EXPECT_NE(message.find("original"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace advseg
