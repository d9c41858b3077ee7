// Predicting an image whole or in overlapping tiles: a tile as large as the
// image is the whole prediction (eval's classes), and smaller tiles average
// each window's class probabilities where windows overlap.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "advseg/inference/prediction.h"
#include "advseg/models/registry.h"
#include "support/network_state.h"

namespace advseg {
namespace {

std::shared_ptr<SegmentorImpl> network() {
  SegmentorOptions options;
  options.num_classes = 3;
  options.widths = {4, 8, 8};
  torch::manual_seed(7);
  auto segmentor = make_segmentor("multiscale", options);
  testing::randomise_batch_norms(*segmentor, 32);
  return segmentor;
}

cv::Mat random_image(int height, int width) {
  cv::Mat image(height, width, CV_8UC3);
  cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(256));
  return image;
}

TEST(TiledPrediction, ATileAsLargeAsTheImageIsTheWholePrediction) {
  auto segmentor = network();
  InferenceNetwork inference(*segmentor);
  const PredictionOptions options;
  const auto image = random_image(32, 48);
  const auto whole = predict_image(inference, image, options, {0, true});
  const auto tiled = predict_image(inference, image, options, {64, true});
  EXPECT_EQ(cv::countNonZero(whole.classes != predict_label_map(inference, image, options)), 0);
  EXPECT_EQ(cv::countNonZero(whole.classes != tiled.classes), 0);
  EXPECT_LE(testing::relative_difference(tiled.probabilities, whole.probabilities), 1e-6);
}

TEST(TiledPrediction, AveragesTheProbabilitiesOfOverlappingWindows) {
  auto segmentor = network();
  InferenceNetwork inference(*segmentor);
  const PredictionOptions options;
  const auto image = random_image(32, 48);
  // Tiles of 32: windows [0, 32) and [16, 48) across, overlapping in [16, 32).
  const auto tiled = predict_image(inference, image, options, {32, true}).probabilities;
  const auto left = predict_image(inference, image(cv::Rect(0, 0, 32, 32)).clone(), options, {0, true});
  const auto right = predict_image(inference, image(cv::Rect(16, 0, 32, 32)).clone(), options, {0, true});
  using torch::indexing::Slice;
  auto expected = torch::zeros({3, 32, 48});
  expected.index({Slice(), Slice(), Slice(0, 16)}) =
      left.probabilities.index({Slice(), Slice(), Slice(0, 16)});
  expected.index({Slice(), Slice(), Slice(16, 32)}) =
      (left.probabilities.index({Slice(), Slice(), Slice(16, 32)}) +
       right.probabilities.index({Slice(), Slice(), Slice(0, 16)})) /
      2;
  expected.index({Slice(), Slice(), Slice(32, 48)}) =
      right.probabilities.index({Slice(), Slice(), Slice(16, 32)});
  ASSERT_EQ(tiled.sizes(), expected.sizes());
  EXPECT_LE(testing::relative_difference(tiled, expected), 1e-6);
  EXPECT_LE((tiled.sum(0) - 1).abs().max().item<double>(), 1e-5);
  // The whole image is not the same computation: the network sees other context.
  const auto whole = predict_image(inference, image, options, {0, true}).probabilities;
  EXPECT_GT(testing::relative_difference(tiled, whole), 1e-4);
}

}  // namespace
}  // namespace advseg
