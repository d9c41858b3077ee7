#include "advseg/models/encoding.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "advseg/error.h"
#include "support/float_tensors.h"

namespace advseg {
namespace {

using testing::floats;
using testing::kFloatTolerance;
constexpr int kVoid = 255;

// One pixel's class vector as a [1,C,1,1] map.
torch::Tensor pixel(std::vector<float> values) {
  return floats(values).reshape({1, static_cast<int64_t>(values.size()), 1, 1});
}

void expect_close(const torch::Tensor& actual, const torch::Tensor& expected) {
  ASSERT_EQ(actual.sizes(), expected.sizes());
  EXPECT_TRUE(torch::allclose(actual, expected, 0.0, kFloatTolerance)) << "actual\n"
                                                                       << actual << "\nexpected\n"
                                                                       << expected;
}

EncodingOptions options_of(EncodingKind kind, bool with_image = false) {
  EncodingOptions options;
  options.kind = kind;
  options.with_image = with_image;
  return options;
}

TEST(DownsampleGroundTruth, TakesAreaFractionsAndFillsVoidFromThePrediction) {
  // 2x2 cells: {0,0,0,1} {1,1,1,2} / {2,2,2,2} {255,0,0,0}.
  const auto labels = torch::tensor({0, 0, 1, 1,  //
                                     0, 1, 1, 2,  //
                                     2, 2, kVoid, 0, 2, 2, 0, 0},
                                    torch::kLong)
                          .reshape({1, 4, 4});
  const auto probs = pixel({0.2f, 0.5f, 0.3f}).expand({1, 3, 2, 2}).contiguous().requires_grad_(true);
  const auto truth = downsample_ground_truth(labels, probs, kVoid);
  // The void quarter of the last cell takes .25 * (.2, .5, .3) = (.05, .125, .075).
  const auto expected = torch::stack({floats({0.75f, 0.25f, 0.0f}), floats({0.0f, 0.75f, 0.25f}),
                                      floats({0.0f, 0.0f, 1.0f}), floats({0.8f, 0.125f, 0.075f})},
                                     1)
                            .reshape({1, 3, 2, 2});
  expect_close(truth.soft, expected);
  expect_close(truth.valid_share, floats({1.0f, 1.0f, 1.0f, 0.75f}).reshape({1, 1, 2, 2}));
  EXPECT_FALSE(truth.soft.requires_grad()) << "the prediction must enter the real map detached";
}

TEST(DownsampleGroundTruth, HandlesNonIntegerRatiosWithOverlappingCells) {
  // Width 3 -> 2: adaptive pooling cells cover pixels {0,1} and {1,2}.
  const auto labels = torch::tensor({0, 1, 1}, torch::kLong).reshape({1, 1, 3});
  const auto probs = torch::full({1, 2, 1, 2}, 0.5f);
  const auto truth = downsample_ground_truth(labels, probs, kVoid);
  expect_close(truth.soft, floats({0.5f, 0.0f, 0.5f, 1.0f}).reshape({1, 2, 1, 2}));
}

TEST(DownsampleGroundTruth, RejectsLabelsOutsideTheClassRange) {
  const auto labels = torch::tensor({0, 3}, torch::kLong).reshape({1, 1, 2});
  EXPECT_THROW(downsample_ground_truth(labels, torch::full({1, 3, 1, 1}, 1.0f / 3), kVoid), Error);
}

TEST(DownsampleImage, AveragesEachChannelOverTheCell) {
  const auto images = torch::arange(12, torch::kFloat).reshape({1, 3, 2, 2});
  // Channel k holds 4k .. 4k+3, mean 4k + 1.5.
  expect_close(downsample_image(images, torch::zeros({1, 5, 1, 1})), pixel({1.5f, 5.5f, 9.5f}));
}

TEST(EncodePrediction, ProductOrdersChannelsClassMajor) {
  const auto probs = pixel({0.25f, 0.75f});
  const auto image = pixel({1.0f, 2.0f, 3.0f});
  // Channel c*3 + k = probs[c] * image[k].
  expect_close(encode_prediction(probs, image, options_of(EncodingKind::product)),
               pixel({0.25f, 0.5f, 0.75f, 0.75f, 1.5f, 2.25f}));
}

TEST(EncodePrediction, BasicAppendsTheImageOnlyWhenAsked) {
  const auto probs = pixel({0.25f, 0.75f});
  const auto image = pixel({1.0f, 2.0f, 3.0f});
  expect_close(encode_prediction(probs, image, options_of(EncodingKind::basic, true)),
               pixel({0.25f, 0.75f, 1.0f, 2.0f, 3.0f}));
  expect_close(encode_prediction(probs, image, options_of(EncodingKind::basic)), probs);
}

TEST(EncodePrediction, ScalingIsTheIdentity) {
  const auto probs = torch::softmax(torch::randn({2, 4, 3, 3}), 1);
  EXPECT_TRUE(
      torch::equal(encode_prediction(probs, torch::zeros({2, 3, 3, 3}), {EncodingKind::scaling}), probs));
}

TEST(EncodeGroundTruth, BasicAndProductEncodeTheSoftTruthNotThePrediction) {
  const GroundTruthMap truth{pixel({1.0f, 0.0f}), pixel({1.0f})};
  const auto probs = pixel({0.4f, 0.6f});
  const auto image = pixel({1.0f, 2.0f, 3.0f});
  expect_close(encode_ground_truth(truth, probs, image, options_of(EncodingKind::basic, true)),
               pixel({1.0f, 0.0f, 1.0f, 2.0f, 3.0f}));
  expect_close(encode_ground_truth(truth, probs, image, options_of(EncodingKind::product)),
               pixel({1.0f, 2.0f, 3.0f, 0.0f, 0.0f, 0.0f}));
}

// Scaling at one pixel whose truth is one-hot on `true_class` (or all void).
torch::Tensor scaled_pixel(std::vector<float> prediction, int true_class, bool all_void = false) {
  auto soft = torch::zeros({1, static_cast<int64_t>(prediction.size()), 1, 1});
  soft[0][true_class] = 1.0f;
  const GroundTruthMap truth{soft, pixel({all_void ? 0.0f : 1.0f})};
  const auto probs = pixel(prediction);
  return encode_ground_truth(truth, probs, torch::zeros({1, 3, 1, 1}), {EncodingKind::scaling, false, 0.9});
}

TEST(EncodeGroundTruth, ScalingRaisesTheTrueClassToTauAndShrinksTheRest) {
  // True class 0: (.9, .3 * .1/.5, .2 * .1/.5) = (.9, .06, .04).
  expect_close(scaled_pixel({0.5f, 0.3f, 0.2f}, 0), pixel({0.9f, 0.06f, 0.04f}));
  // True class 1: the others take s_c * (1 - .9) / (1 - .3) = s_c / 7.
  expect_close(scaled_pixel({0.5f, 0.3f, 0.2f}, 1), pixel({0.5f / 7, 0.9f, 0.2f / 7}));
}

TEST(EncodeGroundTruth, ScalingKeepsAPredictionAlreadyAboveTau) {
  expect_close(scaled_pixel({0.95f, 0.03f, 0.02f}, 0), pixel({0.95f, 0.03f, 0.02f}));
}

TEST(EncodeGroundTruth, ScalingOfACertainPredictionIsOneHot) {
  expect_close(scaled_pixel({0.0f, 0.0f, 1.0f}, 2), pixel({0.0f, 0.0f, 1.0f}));
}

TEST(EncodeGroundTruth, ScalingPassesThePredictionThroughAtAllVoidCells) {
  expect_close(scaled_pixel({0.2f, 0.5f, 0.3f}, 0, /*all_void=*/true), pixel({0.2f, 0.5f, 0.3f}));
}

TEST(EncodeGroundTruth, ScalingKeepsRowsNormalisedAndTrueMassAboveTau) {
  torch::manual_seed(7);
  auto labels = torch::randint(0, 4, {2, 10, 12}, torch::kLong);
  labels.index_put_({0, torch::indexing::Slice(0, 2), torch::indexing::Slice(0, 2)}, kVoid);  // all-void cell
  labels.index_put_({1, 5, torch::indexing::Slice()}, kVoid);                                 // partly void
  const auto probs = torch::softmax(torch::randn({2, 4, 5, 6}), 1).requires_grad_(true);
  const auto truth = downsample_ground_truth(labels, probs, kVoid);
  const EncodingOptions options{EncodingKind::scaling, false, 0.9};
  const auto real = encode_ground_truth(truth, probs, torch::zeros({2, 3, 5, 6}), options);

  EXPECT_FALSE(real.requires_grad());
  expect_close(real.sum(1), torch::ones({2, 5, 6}));
  const auto true_mass = real.gather(1, truth.soft.argmax(1, true));
  const auto has_truth = truth.valid_share > 0;
  EXPECT_TRUE((true_mass.masked_select(has_truth) >= 0.9 - 1e-6).all().item<bool>());
  ASSERT_EQ(truth.valid_share[0][0][0][0].item<float>(), 0.0f);
  expect_close(real.index({0, torch::indexing::Slice(), 0, 0}),
               probs.index({0, torch::indexing::Slice(), 0, 0}));
}

TEST(EncodedChannels, CountsEachEncoding) {
  EXPECT_EQ(encoded_channels(options_of(EncodingKind::basic), 21), 21);
  EXPECT_EQ(encoded_channels(options_of(EncodingKind::basic, true), 21), 24);
  EXPECT_EQ(encoded_channels(options_of(EncodingKind::product), 21), 63);
  EXPECT_EQ(encoded_channels(options_of(EncodingKind::scaling), 21), 21);
  EXPECT_EQ(encoded_channels(options_of(EncodingKind::entropy), 21), 21);
  EXPECT_EQ(encoded_channels(options_of(EncodingKind::entropy, true), 21), 24);
}

TEST(EntropyMap, IsEachClassShareOfTheEntropyNormalisedByLogC) {
  // Uniform over 4 classes: each -1/4 ln(1/4) / ln 4 = 1/4, summing to 1.
  expect_close(entropy_map(pixel({0.25f, 0.25f, 0.25f, 0.25f})), pixel({0.25f, 0.25f, 0.25f, 0.25f}));
  // A certain prediction has none, and p = 0 is finite (0, not NaN).
  expect_close(entropy_map(pixel({1.0f, 0.0f, 0.0f, 0.0f})), pixel({0.0f, 0.0f, 0.0f, 0.0f}));
  // (.5, .5, 0, 0): -.5 ln .5 / ln 4 = .25 on each of the two.
  expect_close(entropy_map(pixel({0.5f, 0.5f, 0.0f, 0.0f})), pixel({0.25f, 0.25f, 0.0f, 0.0f}));
}

TEST(EntropyMap, HasFiniteGradientsWhereAProbabilityIsZero) {
  const auto probs = pixel({1.0f, 0.0f}).requires_grad_(true);
  entropy_map(probs).sum().backward();
  EXPECT_TRUE(torch::isfinite(probs.grad()).all().item<bool>());
}

TEST(EncodePrediction, EntropyEncodesTheMapAndAppendsTheImageWhenAsked) {
  const auto probs = pixel({0.5f, 0.5f});
  const auto image = pixel({0.1f, 0.2f, 0.3f});
  expect_close(encode_prediction(probs, image, options_of(EncodingKind::entropy)), pixel({0.5f, 0.5f}));
  expect_close(encode_prediction(probs, image, options_of(EncodingKind::entropy, true)),
               pixel({0.5f, 0.5f, 0.1f, 0.2f, 0.3f}));
}

TEST(ParseEncoding, AcceptsTheFourNames) {
  EXPECT_EQ(parse_encoding("basic"), EncodingKind::basic);
  EXPECT_EQ(parse_encoding("product"), EncodingKind::product);
  EXPECT_EQ(parse_encoding("scaling"), EncodingKind::scaling);
  EXPECT_EQ(parse_encoding("entropy"), EncodingKind::entropy);
}

TEST(ParseEncoding, RejectsUnknownNamesListingTheValidOnes) {
  try {
    parse_encoding("onehot");
    FAIL() << "expected advseg::Error";
  } catch (const Error& error) {
    const std::string message = error.what();
    for (const char* expected : {"onehot", "basic", "product", "scaling"}) {
      EXPECT_NE(message.find(expected), std::string::npos) << message;
    }
  }
}

}  // namespace
}  // namespace advseg
