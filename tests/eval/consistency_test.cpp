#include "advseg/eval/consistency.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "advseg/error.h"

namespace advseg {
namespace {

constexpr double kOnePixel = 1.2;  // a tolerance that matches 4-neighbours, not diagonal ones

// A rows x cols mask of `background` with a filled rectangle of `label`.
cv::Mat mask_with_box(int rows, int cols, int background, cv::Rect box, int label) {
  cv::Mat mask(rows, cols, CV_8UC1, cv::Scalar(background));
  mask(box).setTo(label);
  return mask;
}

// The tolerance fraction that makes the matching distance `pixels` on `mask`.
ConsistencyOptions tolerance_in_pixels(const cv::Mat& mask, double pixels) {
  ConsistencyOptions options;
  options.boundary_tolerance = pixels / std::hypot(mask.rows, mask.cols);
  return options;
}

ConsistencySummary measure_one(const cv::Mat& target, const cv::Mat& prediction, int classes,
                               ConsistencyOptions options = {}) {
  ConsistencyMetrics metrics(classes, 255, options);
  metrics.update(target, prediction);
  return metrics.summary();
}

// 8x8, class 0 around a 4x4 square of class 1 (rows 2-5, cols 2-5); the
// prediction has the square one column to the right (cols 3-6).
const cv::Mat kSquare = mask_with_box(8, 8, 0, cv::Rect(2, 2, 4, 4), 1);
const cv::Mat kShiftedSquare = mask_with_box(8, 8, 0, cv::Rect(3, 2, 4, 4), 1);

TEST(Consistency, IdenticalMasksArePerfect) {
  const auto s = measure_one(kSquare, kSquare, 2);
  EXPECT_EQ(s.images, 1);
  for (const auto& c : s.per_class) {
    EXPECT_DOUBLE_EQ(c.bf_score, 1.0);
    EXPECT_DOUBLE_EQ(c.component_ratio, 1.0);
    EXPECT_DOUBLE_EQ(c.component_abs_diff, 0.0);
    EXPECT_DOUBLE_EQ(c.size_error, 0.0);
    EXPECT_DOUBLE_EQ(c.speck_share, 0.0);
  }
  EXPECT_DOUBLE_EQ(s.mean.bf_score, 1.0);
}

TEST(Consistency, BoundaryScoreOfAShiftedSquareWithExactMatching) {
  const auto s = measure_one(kSquare, kShiftedSquare, 2, tolerance_in_pixels(kSquare, 0.5));
  // Class 1: both boundaries are 12-pixel rings; they share rows 2 and 5 at
  // cols 3-5 (6 pixels): P = R = 6/12, F1 = 1/2.
  EXPECT_DOUBLE_EQ(s.per_class[1].bf_score, 0.5);
  // Class 0: the 16 pixels 4-adjacent to each square; shared: rows 1 and 6 at
  // cols 3-5 (6 pixels): P = R = 6/16.
  EXPECT_DOUBLE_EQ(s.per_class[0].bf_score, 6.0 / 16.0);
  EXPECT_DOUBLE_EQ(s.mean.bf_score, (0.5 + 6.0 / 16.0) / 2);
  // A shift keeps every region whole and of its size.
  EXPECT_DOUBLE_EQ(s.mean.component_ratio, 1.0);
  EXPECT_DOUBLE_EQ(s.mean.component_abs_diff, 0.0);
  EXPECT_DOUBLE_EQ(s.mean.size_error, 0.0);
}

TEST(Consistency, ToleranceOfOnePixelForgivesAOnePixelShift) {
  const auto s = measure_one(kSquare, kShiftedSquare, 2, tolerance_in_pixels(kSquare, kOnePixel));
  EXPECT_DOUBLE_EQ(s.per_class[0].bf_score, 1.0);
  EXPECT_DOUBLE_EQ(s.per_class[1].bf_score, 1.0);
}

TEST(Consistency, DefaultToleranceIsThreeQuartersOfAPercentOfTheDiagonal) {
  // 100x100: the diagonal is 141.4 px, the tolerance 1.06 px.
  const cv::Mat truth = mask_with_box(100, 100, 0, cv::Rect(0, 0, 50, 100), 1);
  const cv::Mat one_off = mask_with_box(100, 100, 0, cv::Rect(0, 0, 51, 100), 1);
  const cv::Mat two_off = mask_with_box(100, 100, 0, cv::Rect(0, 0, 52, 100), 1);
  EXPECT_DOUBLE_EQ(measure_one(truth, one_off, 2).mean.bf_score, 1.0);
  EXPECT_DOUBLE_EQ(measure_one(truth, two_off, 2).mean.bf_score, 0.0);
}

// 10x10: a 4x4 square of class 1 in class 0; the specked prediction adds two
// isolated class-1 pixels far from it and from each other.
const cv::Mat kSmallSquare = mask_with_box(10, 10, 0, cv::Rect(1, 1, 4, 4), 1);

cv::Mat with_two_specks(const cv::Mat& mask) {
  cv::Mat specked = mask.clone();
  specked.at<std::uint8_t>(7, 7) = 1;
  specked.at<std::uint8_t>(7, 2) = 1;
  return specked;
}

ConsistencyOptions five_pixel_specks() {
  ConsistencyOptions options;
  options.speck_fraction = 0.05;  // of 100 pixels: components under 5 pixels are specks
  return options;
}

TEST(Consistency, FragmentsSpecksAndSizes) {
  const cv::Mat& truth = kSmallSquare;
  const cv::Mat prediction = with_two_specks(truth);
  const auto s = measure_one(truth, prediction, 2, five_pixel_specks());
  // Class 1: 3 predicted pieces for 1 true; class 0 stays one 8-connected piece.
  EXPECT_DOUBLE_EQ(s.per_class[1].component_ratio, 3.0);
  EXPECT_DOUBLE_EQ(s.per_class[1].component_abs_diff, 2.0);
  EXPECT_DOUBLE_EQ(s.per_class[0].component_ratio, 1.0);
  EXPECT_DOUBLE_EQ(s.mean.component_ratio, 2.0);
  EXPECT_DOUBLE_EQ(s.mean.component_abs_diff, 1.0);
  // Specks: 2 of the 18 predicted class-1 pixels; none of class 0's 82.
  EXPECT_DOUBLE_EQ(s.per_class[1].speck_share, 2.0 / 18.0);
  EXPECT_DOUBLE_EQ(s.per_class[0].speck_share, 0.0);
  EXPECT_DOUBLE_EQ(s.mean.speck_share, 1.0 / 18.0);
  // Sizes: class 1 |18 - 16| / 16, class 0 |82 - 84| / 84.
  EXPECT_DOUBLE_EQ(s.per_class[1].size_error, 2.0 / 16.0);
  EXPECT_DOUBLE_EQ(s.per_class[0].size_error, 2.0 / 84.0);
  // The default speck size (0.1% of 100 pixels) counts nothing as a speck.
  EXPECT_DOUBLE_EQ(measure_one(truth, prediction, 2).mean.speck_share, 0.0);
}

TEST(Consistency, ClassesInOnlyOneMask) {
  // 4x4 all class 0; the prediction has one pixel of class 2; class 1 is nowhere.
  const cv::Mat truth(4, 4, CV_8UC1, cv::Scalar(0));
  cv::Mat prediction = truth.clone();
  prediction.at<std::uint8_t>(1, 1) = 2;
  const auto s = measure_one(truth, prediction, 3);
  // Class 2 is only predicted: F1 0, one hallucinated piece, no ratio or size error.
  EXPECT_DOUBLE_EQ(s.per_class[2].bf_score, 0.0);
  EXPECT_DOUBLE_EQ(s.per_class[2].component_abs_diff, 1.0);
  EXPECT_TRUE(std::isnan(s.per_class[2].component_ratio));
  EXPECT_TRUE(std::isnan(s.per_class[2].size_error));
  // Class 0 has no true boundary but a predicted one around the pixel: F1 0.
  EXPECT_DOUBLE_EQ(s.per_class[0].bf_score, 0.0);
  EXPECT_DOUBLE_EQ(s.per_class[0].size_error, 1.0 / 16.0);
  // Class 1 appears nowhere: every value NaN, left out of the means.
  EXPECT_TRUE(std::isnan(s.per_class[1].bf_score));
  EXPECT_TRUE(std::isnan(s.per_class[1].component_abs_diff));
  EXPECT_TRUE(std::isnan(s.per_class[1].speck_share));
  EXPECT_DOUBLE_EQ(s.mean.component_abs_diff, 0.5);
  EXPECT_DOUBLE_EQ(s.mean.component_ratio, 1.0);
  EXPECT_DOUBLE_EQ(s.mean.size_error, 1.0 / 16.0);
  // A class filling the image in both masks has no boundary in either: F1 1.
  EXPECT_DOUBLE_EQ(measure_one(truth, truth, 3).per_class[0].bf_score, 1.0);
}

TEST(Consistency, VoidPixelsAreRemovedFromBothMasks) {
  // 6x6: class 0 in cols 0-1, void in col 2, class 1 in cols 3-5.
  cv::Mat truth = mask_with_box(6, 6, 0, cv::Rect(3, 0, 3, 6), 1);
  truth.colRange(2, 3).setTo(255);
  // Under the void the prediction says class 2: not counted anywhere, and the
  // edges at the void are no boundaries, so both classes match perfectly.
  cv::Mat prediction = mask_with_box(6, 6, 0, cv::Rect(3, 0, 3, 6), 1);
  prediction.colRange(2, 3).setTo(2);
  const auto s = measure_one(truth, prediction, 3);
  EXPECT_TRUE(std::isnan(s.per_class[2].bf_score));
  EXPECT_TRUE(std::isnan(s.per_class[2].speck_share));
  EXPECT_DOUBLE_EQ(s.per_class[0].bf_score, 1.0);
  EXPECT_DOUBLE_EQ(s.per_class[1].bf_score, 1.0);
  EXPECT_DOUBLE_EQ(s.mean.size_error, 0.0);
  // Class 0 spilling over col 3 is measured on valid pixels only: 18 of 12
  // true pixels for class 0, 12 of 18 for class 1; the void column does not join
  // the spill to class 0's region, so class 0 is in two pieces.
  prediction.colRange(2, 4).setTo(0);
  const auto spill = measure_one(truth, prediction, 3);
  EXPECT_DOUBLE_EQ(spill.per_class[0].size_error, 0.5);
  EXPECT_DOUBLE_EQ(spill.per_class[1].size_error, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(spill.per_class[0].component_ratio, 2.0);
}

TEST(Consistency, AveragesOverImagesPerClassThenOverClasses) {
  // Image A: the shifted square (class 0: 6/16, class 1: 1/2); image B: class 0
  // everywhere in both masks (class 0: 1). Per class: (6/16 + 1) / 2 and 1/2.
  const ConsistencyOptions exact = tolerance_in_pixels(kSquare, 0.5);
  const cv::Mat plain(8, 8, CV_8UC1, cv::Scalar(0));
  ConsistencyMetrics both(2, 255, exact), first(2, 255, exact), second(2, 255, exact);
  both.update(kSquare, kShiftedSquare);
  both.update(plain, plain);
  const auto s = both.summary();
  EXPECT_EQ(s.images, 2);
  EXPECT_DOUBLE_EQ(s.per_class[0].bf_score, (6.0 / 16.0 + 1.0) / 2);
  EXPECT_DOUBLE_EQ(s.per_class[1].bf_score, 0.5);
  EXPECT_DOUBLE_EQ(s.mean.bf_score, ((6.0 / 16.0 + 1.0) / 2 + 0.5) / 2);
  // Merging accumulators of each image gives the same.
  first.update(kSquare, kShiftedSquare);
  second.update(plain, plain);
  first.merge(second);
  EXPECT_DOUBLE_EQ(first.summary().mean.bf_score, s.mean.bf_score);
  EXPECT_EQ(first.summary().images, 2);
  EXPECT_THROW(first.merge(ConsistencyMetrics(3)), Error);
}

TEST(Consistency, SpeckSharePoolsPixelsOverImages) {
  // Image A: 2 one-pixel specks among 18 predicted class-1 pixels (above);
  // image B: a clean 4x4 square. Pooled: 2 / (18 + 16), not (2/18 + 0) / 2.
  ConsistencyMetrics metrics(2, 255, five_pixel_specks());
  metrics.update(kSmallSquare, with_two_specks(kSmallSquare));
  metrics.update(kSmallSquare, kSmallSquare);
  EXPECT_DOUBLE_EQ(metrics.summary().per_class[1].speck_share, 2.0 / 34.0);
}

TEST(Consistency, RejectsBadMasksAndCountsNothing) {
  ConsistencyMetrics metrics(2);
  const cv::Mat good(4, 4, CV_8UC1, cv::Scalar(0));
  EXPECT_THROW(metrics.update(good, cv::Mat(4, 5, CV_8UC1, cv::Scalar(0))), Error);
  EXPECT_THROW(metrics.update(good, cv::Mat(4, 4, CV_32SC1, cv::Scalar(0))), Error);
  EXPECT_THROW(metrics.update(cv::Mat(4, 4, CV_8UC1, cv::Scalar(2)), good), Error);  // not a class
  cv::Mat bad_prediction = good.clone();
  bad_prediction.at<std::uint8_t>(3, 3) = 7;
  EXPECT_THROW(metrics.update(good, bad_prediction), Error);
  EXPECT_EQ(metrics.summary().images, 0);
  EXPECT_THROW(ConsistencyMetrics(0), Error);
  EXPECT_THROW(ConsistencyMetrics(5, 2), Error);  // the ignore label would hide class 2
}

TEST(ConsistencyToJson, WritesMeansPerClassAndNullForNaN) {
  const cv::Mat truth(4, 4, CV_8UC1, cv::Scalar(0));
  const auto json = consistency_to_json(measure_one(truth, truth, 2), {"sky"});
  EXPECT_DOUBLE_EQ(json.at("bf_score").get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(json.at("size_error").get<double>(), 0.0);
  EXPECT_EQ(json.at("images").get<int>(), 1);
  EXPECT_DOUBLE_EQ(json.at("boundary_tolerance").get<double>(), 0.0075);
  EXPECT_DOUBLE_EQ(json.at("per_class").at("sky").at("component_ratio").get<double>(), 1.0);
  EXPECT_TRUE(json.at("per_class").at("class_1").at("bf_score").is_null());
  for (const char* key : {"component_ratio", "component_abs_diff", "speck_share", "speck_fraction"})
    EXPECT_TRUE(json.contains(key)) << key;
}

}  // namespace
}  // namespace advseg
