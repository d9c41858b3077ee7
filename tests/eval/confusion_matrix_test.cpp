#include "advseg/eval/confusion_matrix.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "advseg/error.h"

namespace advseg {
namespace {

// Ten pixels, three classes, one ignored (255):
//   target      0 0 0 0 1 1 1 2 2 255
//   prediction  0 0 1 2 1 1 0 2 1 0
// gives the matrix M[target][prediction]
//        p0 p1 p2 | row
//   t0    2  1  1 |  4
//   t1    1  2  0 |  3
//   t2    0  1  1 |  2
//   col   3  4  2 |  9 pixels, trace 5
const std::vector<std::uint8_t> kTarget = {0, 0, 0, 0, 1, 1, 1, 2, 2, 255};
const std::vector<std::int64_t> kPrediction = {0, 0, 1, 2, 1, 1, 0, 2, 1, 0};

ConfusionMatrix hand_made_matrix() {
  ConfusionMatrix matrix(3);
  matrix.update(kTarget.data(), kPrediction.data(), kTarget.size());
  return matrix;
}

TEST(ConfusionMatrix, CountsEveryCellAndSkipsIgnoredPixels) {
  const ConfusionMatrix matrix = hand_made_matrix();
  const std::int64_t expected[3][3] = {{2, 1, 1}, {1, 2, 0}, {0, 1, 1}};
  for (int t = 0; t < 3; ++t) {
    for (int p = 0; p < 3; ++p) EXPECT_EQ(matrix.count(t, p), expected[t][p]) << t << "," << p;
  }
  EXPECT_EQ(matrix.metrics().pixels, 9);  // the 255 pixel is not counted
}

TEST(ConfusionMatrix, MetricsMatchHandComputedValues) {
  const SegmentationMetrics m = hand_made_matrix().metrics();
  // pixel accuracy = trace / total = 5/9
  EXPECT_DOUBLE_EQ(m.pixel_accuracy, 5.0 / 9.0);
  // class accuracy = M[c][c] / row_c = 2/4, 2/3, 1/2; mean = (1/2 + 2/3 + 1/2) / 3 = 5/9
  ASSERT_EQ(m.class_accuracy.size(), 3u);
  EXPECT_DOUBLE_EQ(m.class_accuracy[0], 0.5);
  EXPECT_DOUBLE_EQ(m.class_accuracy[1], 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.class_accuracy[2], 0.5);
  EXPECT_DOUBLE_EQ(m.mean_class_accuracy, 5.0 / 9.0);
  // IoU = M[c][c] / (row + col - M[c][c]) = 2/(4+3-2), 2/(3+4-2), 1/(2+2-1) = 2/5, 2/5, 1/3;
  // mean = (2/5 + 2/5 + 1/3) / 3 = 17/45
  ASSERT_EQ(m.class_iou.size(), 3u);
  EXPECT_DOUBLE_EQ(m.class_iou[0], 0.4);
  EXPECT_DOUBLE_EQ(m.class_iou[1], 0.4);
  EXPECT_DOUBLE_EQ(m.class_iou[2], 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.mean_iou, 17.0 / 45.0);
  // FWIoU = 4/9 * 2/5 + 3/9 * 2/5 + 2/9 * 1/3 = (8/5 + 6/5 + 2/3) / 9 = 52/135
  EXPECT_DOUBLE_EQ(m.frequency_weighted_iou, 52.0 / 135.0);
}

TEST(ConfusionMatrix, AbsentClassesAreNaNAndLeftOutOfMeans) {
  // Four classes: class 2 appears only in the prediction, class 3 nowhere.
  //   target      0 0 1 1
  //   prediction  0 2 1 1
  // M: t0 = (1, 0, 1, 0), t1 = (0, 2, 0, 0); rows 2, 2, 0, 0; columns 1, 2, 1, 0.
  ConfusionMatrix matrix(4);
  const std::vector<std::uint8_t> target = {0, 0, 1, 1};
  const std::vector<std::int64_t> prediction = {0, 2, 1, 1};
  matrix.update(target.data(), prediction.data(), target.size());
  const SegmentationMetrics m = matrix.metrics();
  // Accuracy: 1/2, 2/2, NaN, NaN -> mean over the two present classes = 3/4.
  EXPECT_DOUBLE_EQ(m.class_accuracy[0], 0.5);
  EXPECT_DOUBLE_EQ(m.class_accuracy[1], 1.0);
  EXPECT_TRUE(std::isnan(m.class_accuracy[2]));
  EXPECT_TRUE(std::isnan(m.class_accuracy[3]));
  EXPECT_DOUBLE_EQ(m.mean_class_accuracy, 0.75);
  // IoU: 1/(2+1-1) = 1/2, 2/(2+2-2) = 1, 0/(0+1-0) = 0 (a false positive class counts), NaN.
  // mean = (1/2 + 1 + 0) / 3 = 1/2
  EXPECT_DOUBLE_EQ(m.class_iou[0], 0.5);
  EXPECT_DOUBLE_EQ(m.class_iou[1], 1.0);
  EXPECT_DOUBLE_EQ(m.class_iou[2], 0.0);
  EXPECT_TRUE(std::isnan(m.class_iou[3]));
  EXPECT_DOUBLE_EQ(m.mean_iou, 0.5);
  // FWIoU = 2/4 * 1/2 + 2/4 * 1 = 3/4; pixel accuracy = 3/4.
  EXPECT_DOUBLE_EQ(m.frequency_weighted_iou, 0.75);
  EXPECT_DOUBLE_EQ(m.pixel_accuracy, 0.75);
}

TEST(ConfusionMatrix, EmptyMatrixHasZeroSummariesAndNaNClasses) {
  const SegmentationMetrics m = ConfusionMatrix(2).metrics();
  EXPECT_EQ(m.pixels, 0);
  EXPECT_EQ(m.pixel_accuracy, 0.0);
  EXPECT_EQ(m.mean_class_accuracy, 0.0);
  EXPECT_EQ(m.mean_iou, 0.0);
  EXPECT_EQ(m.frequency_weighted_iou, 0.0);
  EXPECT_TRUE(std::isnan(m.class_iou[0]));
  EXPECT_TRUE(std::isnan(m.class_accuracy[1]));
}

TEST(ConfusionMatrix, MergeEqualsOneBigUpdate) {
  ConfusionMatrix first_half(3), second_half(3);
  first_half.update(kTarget.data(), kPrediction.data(), 4);
  second_half.update(kTarget.data() + 4, kPrediction.data() + 4, kTarget.size() - 4);
  first_half.merge(second_half);
  const ConfusionMatrix whole = hand_made_matrix();
  for (int t = 0; t < 3; ++t) {
    for (int p = 0; p < 3; ++p) EXPECT_EQ(first_half.count(t, p), whole.count(t, p)) << t << "," << p;
  }
  EXPECT_THROW(first_half.merge(ConfusionMatrix(4)), Error);
}

TEST(ConfusionMatrix, OutOfRangeLabelsThrowAndLeaveCountsUntouched) {
  ConfusionMatrix matrix(3);
  const std::vector<std::uint8_t> bad_target = {0, 3};
  const std::vector<std::int64_t> good_prediction = {0, 0};
  EXPECT_THROW(matrix.update(bad_target.data(), good_prediction.data(), 2), Error);
  const std::vector<std::uint8_t> good_target = {0, 1};
  const std::vector<std::int64_t> bad_prediction = {0, -1};
  EXPECT_THROW(matrix.update(good_target.data(), bad_prediction.data(), 2), Error);
  const std::vector<std::int64_t> too_large_prediction = {3, 0};
  EXPECT_THROW(matrix.update(good_target.data(), too_large_prediction.data(), 2), Error);
  EXPECT_EQ(matrix.metrics().pixels, 0);
}

TEST(ConfusionMatrix, ConstructorRejectsBadShapes) {
  EXPECT_THROW(ConfusionMatrix(0), Error);
  EXPECT_THROW(ConfusionMatrix(5, 2), Error);  // the ignore label would hide class 2
}

TEST(MetricsToJson, WritesNullForNaNAndNamesClasses) {
  ConfusionMatrix matrix(3);
  // Class 2 is absent everywhere, so its IoU and accuracy are NaN.
  const std::vector<std::uint8_t> target = {0, 1, 1};
  const std::vector<std::int64_t> prediction = {0, 1, 0};
  matrix.update(target.data(), prediction.data(), target.size());
  const nlohmann::json json = metrics_to_json(matrix.metrics(), {"sky", "tree"});
  // pixel accuracy 2/3; IoU sky = 1/(1+2-1) = 1/2, tree = 1/(2+1-1) = 1/2; accuracy tree = 1/2.
  EXPECT_DOUBLE_EQ(json.at("pixel_accuracy").get<double>(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(json.at("mean_iou").get<double>(), 0.5);
  EXPECT_EQ(json.at("pixels").get<std::int64_t>(), 3);
  EXPECT_TRUE(json.contains("mean_class_accuracy"));
  EXPECT_TRUE(json.contains("frequency_weighted_iou"));
  const nlohmann::json& per_class = json.at("per_class");
  EXPECT_DOUBLE_EQ(per_class.at("sky").at("iou").get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(per_class.at("tree").at("accuracy").get<double>(), 0.5);
  // Unnamed classes fall back to class_<index>.
  EXPECT_TRUE(per_class.at("class_2").at("iou").is_null());
  EXPECT_TRUE(per_class.at("class_2").at("accuracy").is_null());
  EXPECT_EQ(per_class.size(), 3u);
}

}  // namespace
}  // namespace advseg
