#include "advseg/data/batch.h"

#include <gtest/gtest.h>

#include "advseg/error.h"
#include "test_support.h"

namespace advseg {
namespace {

Example example_of(int height, int width, int seed, const std::string& id) {
  return Example{test::position_image(height, width, seed), test::position_label(height, width), id};
}

TEST(ImageToTensor, NormalisesEachChannelIntoPlanes) {
  cv::Mat rgb(1, 2, CV_8UC3);
  rgb.at<cv::Vec3b>(0, 0) = cv::Vec3b(255, 0, 51);
  rgb.at<cv::Vec3b>(0, 1) = cv::Vec3b(0, 102, 255);
  const Normalization norm{{0.5, 0.25, 0.0}, {0.5, 0.25, 2.0}};
  const torch::Tensor tensor = image_to_tensor(rgb, norm);
  ASSERT_EQ(tensor.sizes(), (std::vector<std::int64_t>{3, 1, 2}));
  EXPECT_EQ(tensor.dtype(), torch::kFloat32);
  // (255/255 - 0.5) / 0.5 = 1, (0 - 0.25) / 0.25 = -1, (0.2 - 0) / 2 = 0.1, ...
  EXPECT_FLOAT_EQ(tensor[0][0][0].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(tensor[1][0][0].item<float>(), -1.0f);
  EXPECT_FLOAT_EQ(tensor[2][0][0].item<float>(), 0.1f);
  EXPECT_FLOAT_EQ(tensor[0][0][1].item<float>(), -1.0f);
  EXPECT_FLOAT_EQ(tensor[1][0][1].item<float>(), 0.6f);
  EXPECT_FLOAT_EQ(tensor[2][0][1].item<float>(), 0.5f);
}

TEST(ImageToTensor, RejectsWrongChannelCount) {
  EXPECT_THROW(image_to_tensor(cv::Mat(2, 2, CV_8UC1, cv::Scalar(0)), Normalization{}), Error);
  EXPECT_THROW(image_to_tensor(cv::Mat(2, 2, CV_8UC3), Normalization{{0.5}, {0.5}}), Error);
}

TEST(LabelToTensor, CopiesValuesAsInt64) {
  const torch::Tensor tensor = label_to_tensor(test::position_label(3, 4));
  ASSERT_EQ(tensor.sizes(), (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(tensor.dtype(), torch::kInt64);
  EXPECT_EQ(tensor[2][3].item<std::int64_t>(), 11);
  EXPECT_EQ(tensor[1][0].item<std::int64_t>(), 4);
}

TEST(ImageToTensor, ReadsRegionsOfLargerImages) {
  const cv::Mat big = test::position_image(4, 6);
  const cv::Mat roi = big(cv::Rect(2, 1, 3, 2));  // x 2..4, y 1..2
  const torch::Tensor tensor = image_to_tensor(roi, Normalization{{0, 0, 0}, {1, 1, 1}});
  EXPECT_FLOAT_EQ(tensor[0][1][2].item<float>(), 4 / 255.0f);  // red = x
  EXPECT_FLOAT_EQ(tensor[1][1][2].item<float>(), 2 / 255.0f);  // green = y
}

TEST(Collate, PadsToTheLargestHeightAndWidth) {
  const Normalization norm;
  const Batch batch = collate({example_of(2, 3, 10, "wide"), example_of(3, 2, 20, "tall")}, norm, 255);
  ASSERT_EQ(batch.images.sizes(), (std::vector<std::int64_t>{2, 3, 3, 3}));
  ASSERT_EQ(batch.labels.sizes(), (std::vector<std::int64_t>{2, 3, 3}));
  EXPECT_EQ(batch.ids, (std::vector<std::string>{"wide", "tall"}));

  // Content sits in the top-left corner, unchanged.
  EXPECT_TRUE(torch::equal(batch.images[0].slice(1, 0, 2).slice(2, 0, 3),
                           image_to_tensor(test::position_image(2, 3, 10), norm)));
  EXPECT_TRUE(torch::equal(batch.labels[1].slice(1, 0, 2), label_to_tensor(test::position_label(3, 2))));
  // Padding: 0 in the images, the ignore index in the labels.
  EXPECT_EQ(batch.images[0][1][2][1].item<float>(), 0.0f);
  EXPECT_EQ(batch.images[1][2][0][2].item<float>(), 0.0f);
  EXPECT_EQ(batch.labels[0][2].sum().item<std::int64_t>(), 3 * 255);
  EXPECT_EQ(batch.labels[1].select(1, 2).sum().item<std::int64_t>(), 3 * 255);
  EXPECT_EQ((batch.labels == 255).sum().item<std::int64_t>(), 6);
}

TEST(Collate, RejectsEmptyBatchAndMismatchedSizes) {
  EXPECT_THROW(collate({}, Normalization{}, 255), Error);
  Example broken = example_of(2, 3, 0, "broken");
  broken.label = test::position_label(3, 3);
  EXPECT_THROW(collate({broken}, Normalization{}, 255), Error);
}

}  // namespace
}  // namespace advseg
