#include "advseg/train/losses.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "advseg/error.h"
#include "support/float_tensors.h"

namespace advseg {
namespace {

using testing::floats;
using testing::kFloatTolerance;

// Binary cross-entropy of a logit x: log(1 + e^-x) against 1, log(1 + e^x) against 0.
double bce_one(double x) { return std::log1p(std::exp(-x)); }
double bce_zero(double x) { return std::log1p(std::exp(x)); }
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

TEST(SegmentationCrossEntropy, AveragesOverValidPixelsOnly) {
  // Logits (0, ln 3) at 1x1 upsample to a constant 2x2 map; softmax = (0.25, 0.75).
  const auto logits = floats({0.0f, static_cast<float>(std::log(3.0))}).reshape({1, 2, 1, 1});
  const auto labels = torch::tensor({1, 1, 0, 255}, torch::kLong).reshape({1, 2, 2});
  // Valid pixels: two of class 1 (p = .75) and one of class 0 (p = .25); 255 is ignored.
  const double expected = -(2.0 * std::log(0.75) + std::log(0.25)) / 3.0;
  EXPECT_NEAR(segmentation_cross_entropy(logits, labels, 255).item<double>(), expected, kFloatTolerance);
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
  EXPECT_TRUE(torch::allclose(upsampled, floats({0.0f, 0.25f, 0.75f, 1.0f}), 0.0, kFloatTolerance));
}

// Score maps [N,1,1,1] of one logit each, and a validity map that only gives a size.
torch::Tensor one_logit_maps(std::vector<float> logits) {
  const auto n = static_cast<int64_t>(logits.size());
  return floats(std::move(logits)).reshape({n, 1, 1, 1});
}
torch::Tensor all_valid(int64_t n) { return torch::ones({n, 1, 1, 1}); }

const GanCriterion kImageBce{GanLoss::bce, ScoreReduction::image};
const GanCriterion kPixelBce{GanLoss::bce, ScoreReduction::pixel};
const GanCriterion kPixelLsgan{GanLoss::lsgan, ScoreReduction::pixel};

TEST(AdversaryLoss, IsTwoLn2WhenTheAdversaryIsUndecided) {
  const auto zeros = one_logit_maps({0, 0, 0});
  EXPECT_NEAR(adversary_loss(zeros, all_valid(3), zeros, all_valid(3), kImageBce).item<double>(),
              2.0 * std::log(2.0), kFloatTolerance);
}

TEST(AdversaryLoss, AveragesRealAgainstOneAndFakeAgainstZero) {
  const auto real = one_logit_maps({2.0f, -1.0f});
  const auto fake = one_logit_maps({0.5f, -3.0f});
  const double expected = (bce_one(2.0) + bce_one(-1.0)) / 2.0 + (bce_zero(0.5) + bce_zero(-3.0)) / 2.0;
  EXPECT_NEAR(adversary_loss(real, all_valid(2), fake, all_valid(2), kImageBce).item<double>(), expected,
              kFloatTolerance);
}

// One-sided label smoothing: real maps aim at real_label, fake ones still at 0.
TEST(AdversaryLoss, AimsRealMapsAtTheRealLabel) {
  const auto real = one_logit_maps({2.0f, -1.0f});
  const auto fake = one_logit_maps({0.5f, -3.0f});
  const auto bce = [](double logit, double target) {
    const double p = 1.0 / (1.0 + std::exp(-logit));
    return -(target * std::log(p) + (1.0 - target) * std::log(1.0 - p));
  };
  GanCriterion smoothed = kImageBce;
  smoothed.real_label = 0.9;
  const double expected = (bce(2.0, 0.9) + bce(-1.0, 0.9)) / 2.0 + (bce_zero(0.5) + bce_zero(-3.0)) / 2.0;
  EXPECT_NEAR(adversary_loss(real, all_valid(2), fake, all_valid(2), smoothed).item<double>(), expected,
              kFloatTolerance);
  // The segmentor's flipped term is not smoothed.
  EXPECT_NEAR(
      segmentor_adversarial_term(fake, all_valid(2), AdversarialLoss::flipped, smoothed).item<double>(),
      segmentor_adversarial_term(fake, all_valid(2), AdversarialLoss::flipped, kImageBce).item<double>(),
      kFloatTolerance);
}

TEST(GanLoss, ImageReductionTakesTheBceOfTheMeanLogitAndIgnoresVoidCells) {
  // Cells 1 and 3: the verdict is on their mean, 2, whatever the validity map says.
  const auto scores = floats({1.0f, 3.0f}).reshape({1, 1, 1, 2});
  const auto half_void = floats({1.0f, 0.0f}).reshape({1, 1, 1, 2});
  EXPECT_NEAR(gan_loss(scores, 1.0, half_void, kImageBce).item<double>(), bce_one(2.0), kFloatTolerance);
}

TEST(GanLoss, PixelReductionAveragesTheBceOfValidCellsOnly) {
  // A 1x3 map judged at its own size: cell 2 is void and must not count.
  const auto scores = floats({1.0f, -2.0f, 40.0f}).reshape({1, 1, 1, 3});
  const auto valid = floats({1.0f, 1.0f, 0.0f}).reshape({1, 1, 1, 3});
  EXPECT_NEAR(gan_loss(scores, 1.0, valid, kPixelBce).item<double>(), (bce_one(1.0) + bce_one(-2.0)) / 2.0,
              kFloatTolerance);
  EXPECT_NEAR(gan_loss(scores, 0.0, valid, kPixelBce).item<double>(), (bce_zero(1.0) + bce_zero(-2.0)) / 2.0,
              kFloatTolerance);
}

TEST(GanLoss, PixelReductionUpsamplesTheScoreMapToTheLabelMaps) {
  // One logit per image, two 2x2 label maps: each of the 8 cells takes its
  // image's logit; the void cells of image 0 drop out.
  const auto scores = one_logit_maps({1.0f, -1.0f});
  auto valid = torch::ones({2, 1, 2, 2});
  valid[0][0][0][0] = 0;
  valid[0][0][1][1] = 0;
  const double expected = (2 * bce_one(1.0) + 4 * bce_one(-1.0)) / 6.0;
  EXPECT_NEAR(gan_loss(scores, 1.0, valid, kPixelBce).item<double>(), expected, kFloatTolerance);
}

TEST(GanLoss, AllVoidIsZeroAndSendsNoGradient) {
  const auto scores = floats({1.0f, 2.0f}).reshape({1, 1, 1, 2}).requires_grad_(true);
  const auto loss = gan_loss(scores, 1.0, torch::zeros({1, 1, 1, 2}), kPixelBce);
  EXPECT_EQ(loss.item<double>(), 0.0);
  loss.backward();
  EXPECT_EQ(scores.grad().abs().max().item<double>(), 0.0);
}

TEST(GanLoss, LeastSquaresComparesRawScoresWithTheTarget) {
  const auto scores = floats({0.25f, 2.0f, 9.0f}).reshape({1, 1, 1, 3});
  const auto valid = floats({1.0f, 1.0f, 0.0f}).reshape({1, 1, 1, 3});
  EXPECT_NEAR(gan_loss(scores, 1.0, valid, kPixelLsgan).item<double>(), (0.75 * 0.75 + 1.0) / 2.0,
              kFloatTolerance);
  EXPECT_NEAR(gan_loss(scores, 0.0, valid, kPixelLsgan).item<double>(), (0.0625 + 4.0) / 2.0,
              kFloatTolerance);
}

TEST(JudgedCells, CellsLessThanHalfValidCarryNoVerdict) {
  const auto share = floats({0.0f, 0.49f, 0.5f, 1.0f}).reshape({1, 1, 1, 4});
  EXPECT_TRUE(torch::equal(judged_cells(share), floats({0.0f, 0.0f, 1.0f, 1.0f}).reshape({1, 1, 1, 4})));
}

TEST(ShareJudgedReal, CountsValidCellsAboveTheCriterionsThreshold) {
  const auto scores = floats({0.3f, -0.1f, 0.7f, 5.0f}).reshape({1, 1, 1, 4});
  const auto valid = floats({1.0f, 1.0f, 1.0f, 0.0f}).reshape({1, 1, 1, 4});
  EXPECT_NEAR(share_judged_real(scores, valid, kPixelBce).item<double>(), 2.0 / 3.0,
              kFloatTolerance);  // logits > 0
  EXPECT_NEAR(share_judged_real(scores, valid, kPixelLsgan).item<double>(), 1.0 / 3.0,
              kFloatTolerance);  // scores > 1/2
  EXPECT_NEAR(share_judged_real(scores, valid, kImageBce).item<double>(), 1.0,
              kFloatTolerance);  // mean 1.475 > 0
}

// Value and d(term)/d(logit) of the segmentor's term at fake logits (0.5, -1).
struct TermAndGradient {
  double value;
  std::vector<double> gradient;
};

TermAndGradient term_at_fixed_logits(AdversarialLoss kind) {
  const auto fake = one_logit_maps({0.5f, -1.0f}).requires_grad_(true);
  const auto term = segmentor_adversarial_term(fake, all_valid(2), kind, kImageBce);
  term.backward();
  const auto grad = fake.grad().to(torch::kDouble).flatten();
  return {term.item<double>(), {grad[0].item<double>(), grad[1].item<double>()}};
}

TEST(SegmentorAdversarialTerm, FlippedIsBceAgainstOneAndFallsAsTheLogitRises) {
  const auto result = term_at_fixed_logits(AdversarialLoss::flipped);
  EXPECT_NEAR(result.value, (bce_one(0.5) + bce_one(-1.0)) / 2.0, kFloatTolerance);
  // d/dx log(1 + e^-x) = sigmoid(x) - 1 < 0, halved by the batch mean.
  EXPECT_NEAR(result.gradient[0], (sigmoid(0.5) - 1.0) / 2.0, kFloatTolerance);
  EXPECT_NEAR(result.gradient[1], (sigmoid(-1.0) - 1.0) / 2.0, kFloatTolerance);
  EXPECT_LT(result.gradient[0], 0.0);
  EXPECT_LT(result.gradient[1], 0.0);
}

TEST(SegmentorAdversarialTerm, OriginalIsMinusBceAgainstZeroAndFallsAsTheLogitRises) {
  const auto result = term_at_fixed_logits(AdversarialLoss::original);
  EXPECT_NEAR(result.value, -(bce_zero(0.5) + bce_zero(-1.0)) / 2.0, kFloatTolerance);
  // d/dx -log(1 + e^x) = -sigmoid(x) < 0, halved by the batch mean.
  EXPECT_NEAR(result.gradient[0], -sigmoid(0.5) / 2.0, kFloatTolerance);
  EXPECT_NEAR(result.gradient[1], -sigmoid(-1.0) / 2.0, kFloatTolerance);
  EXPECT_LT(result.gradient[0], 0.0);
  EXPECT_LT(result.gradient[1], 0.0);
}

TEST(SegmentorAdversarialTerm, PixelLevelFlippedTermIsTheMaskedMeanOfPerCellBce) {
  const auto fake = floats({2.0f, -1.0f, 0.0f, 7.0f}).reshape({1, 1, 2, 2});
  const auto valid = floats({1.0f, 1.0f, 1.0f, 0.0f}).reshape({1, 1, 2, 2});
  const auto term = segmentor_adversarial_term(fake, valid, AdversarialLoss::flipped, kPixelBce);
  EXPECT_NEAR(term.item<double>(), (bce_one(2.0) + bce_one(-1.0) + bce_one(0.0)) / 3.0, kFloatTolerance);
}

TEST(AdversaryConfidence, IsTheSigmoidForBceAndTheClampedScoreForLeastSquares) {
  const auto scores = floats({0.0f, 2.0f, -1.0f}).reshape({1, 1, 1, 3});
  const auto bce = adversary_confidence(scores, 1, 3, kPixelBce).flatten();
  EXPECT_TRUE(torch::allclose(
      bce, floats({0.5f, static_cast<float>(sigmoid(2.0)), static_cast<float>(sigmoid(-1.0))})));
  const auto lsgan = adversary_confidence(scores, 1, 3, kPixelLsgan).flatten();
  EXPECT_TRUE(torch::allclose(lsgan, floats({0.0f, 1.0f, 0.0f})));
}

TEST(ConfidentPseudoLabels, KeepTheArgmaxWhereTheAdversaryIsConfidentAndVoidElsewhere) {
  // Two classes on a 1x4 map; the argmax is 1, 0, 0, 1. The adversary's
  // confidence sigmoid(score) is .88, .12, .5, .18: with threshold .2 the
  // second and fourth pixels become void (255).
  const auto logits = floats({0, 2, 1, 0,   // class 0
                              3, 0, 0, 2})  // class 1
                          .reshape({1, 2, 1, 4});
  const auto scores = floats({2.0f, -2.0f, 0.0f, -1.5f}).reshape({1, 1, 1, 4});
  const auto labels = confident_pseudo_labels(logits, scores, 1, 4, 0.2, kPixelBce, 255);
  EXPECT_TRUE(torch::equal(labels, torch::tensor({1, 255, 0, 255}, torch::kLong).reshape({1, 1, 4})));
  EXPECT_FALSE(labels.requires_grad());
  // Threshold 0 keeps every pixel; threshold 1 none.
  EXPECT_EQ((confident_pseudo_labels(logits, scores, 1, 4, 0.0, kPixelBce, 255) == 255).sum().item<int>(), 0);
  EXPECT_EQ((confident_pseudo_labels(logits, scores, 1, 4, 1.0, kPixelBce, 255) == 255).sum().item<int>(), 4);
}

TEST(ConfidentPseudoLabels, AreMadeAtTheRequestedResolution) {
  // A 1x1 prediction of class 1 and one confident score: a whole 3x5 map of 1.
  const auto logits = floats({0.0f, 1.0f}).reshape({1, 2, 1, 1});
  const auto labels =
      confident_pseudo_labels(logits, floats({3.0f}).reshape({1, 1, 1, 1}), 3, 5, 0.2, kPixelBce, 255);
  EXPECT_TRUE(torch::equal(labels, torch::ones({1, 3, 5}, torch::kLong)));
}

TEST(ParseAdversarialLoss, AcceptsTheTwoNames) {
  EXPECT_EQ(parse_adversarial_loss("flipped"), AdversarialLoss::flipped);
  EXPECT_EQ(parse_adversarial_loss("original"), AdversarialLoss::original);
}

TEST(ParseGanSettings, AcceptTheirNamesAndRejectOthersListingTheValidOnes) {
  EXPECT_EQ(parse_gan_loss("lsgan"), GanLoss::lsgan);
  EXPECT_EQ(parse_reduction("pixel"), ScoreReduction::pixel);
  EXPECT_THROW(parse_gan_loss("hinge"), Error);
  EXPECT_THROW(parse_reduction("patch"), Error);
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

TEST(MeanEntropy, IsTheNormalisedEntropyAveragedOverPixels) {
  // Two pixels of two classes: p = (1/2, 1/2), entropy 1 bit; p = (1/4, 3/4), 0.811278 bits.
  auto logits = torch::zeros({1, 2, 1, 2});
  logits[0][1][0][1] = std::log(3.0);
  EXPECT_NEAR(mean_entropy(logits).item<double>(), (1.0 + 0.811278124) / 2, 1e-6);
  // Uniform over any number of classes is 1; a confident pixel is near 0.
  EXPECT_NEAR(mean_entropy(torch::zeros({2, 5, 3, 3})).item<double>(), 1.0, 1e-6);
  auto confident = torch::zeros({1, 3, 1, 1});
  confident[0][2][0][0] = 40.0;
  EXPECT_LT(mean_entropy(confident).item<double>(), 1e-12);
  // Its gradient makes the most likely class more likely.
  auto leaning = torch::tensor({0.0, 1.0}).view({1, 2, 1, 1}).requires_grad_(true);
  mean_entropy(leaning).backward();
  EXPECT_LT(leaning.grad()[0][1][0][0].item<double>(), 0.0);
}

}  // namespace
}  // namespace advseg
