#include "advseg/data/augment.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "test_support.h"

namespace advseg {
namespace {

using test::same_bytes;

// 4x5 example: image red = x, green = y; label = y * 5 + x. Asymmetric in x,
// so a flip is visible, and image and label tell each pixel's origin.
Example asymmetric_example() {
  return Example{test::position_image(4, 5, 9), test::position_label(4, 5), "asym"};
}

AugmentOptions options_of(int crop_height, int crop_width, bool hflip) {
  AugmentOptions options;
  options.crop_height = crop_height;
  options.crop_width = crop_width;
  options.hflip = hflip;
  return options;
}

// True when every labelled output pixel came, with its image pixel, from the
// source position its label names (so image and label moved together).
bool image_follows_label(const Example& result) {
  for (int y = 0; y < result.label.rows; ++y) {
    for (int x = 0; x < result.label.cols; ++x) {
      const int value = result.label.at<std::uint8_t>(y, x);
      if (value == 255) continue;
      const cv::Vec3b pixel = result.image.at<cv::Vec3b>(y, x);
      if (pixel != cv::Vec3b(value % 5, value / 5, 9)) return false;
    }
  }
  return true;
}

TEST(Augment, FlipMovesImageAndLabelTogether) {
  const Example source = asymmetric_example();
  cv::Mat mirrored_label;
  cv::flip(source.label, mirrored_label, 1);
  int flipped = 0, kept = 0;
  for (std::uint64_t seed = 0; seed < 32; ++seed) {
    std::mt19937_64 rng(seed);
    const Example result = augment(source, options_of(4, 5, true), rng);
    EXPECT_TRUE(image_follows_label(result)) << seed;
    if (same_bytes(result.label, mirrored_label)) ++flipped;
    if (same_bytes(result.label, source.label)) ++kept;
  }
  EXPECT_EQ(flipped + kept, 32);
  EXPECT_GT(flipped, 4);
  EXPECT_GT(kept, 4);
}

TEST(Augment, NoFlipWhenDisabled) {
  const Example source = asymmetric_example();
  for (std::uint64_t seed = 0; seed < 16; ++seed) {
    std::mt19937_64 rng(seed);
    const Example result = augment(source, options_of(4, 5, false), rng);
    EXPECT_TRUE(same_bytes(result.image, source.image)) << seed;
    EXPECT_TRUE(same_bytes(result.label, source.label)) << seed;
  }
}

TEST(Augment, CropLargerThanImagePadsWithIgnoreAndPadColour) {
  const Example source = asymmetric_example();
  AugmentOptions options = options_of(7, 9, false);
  options.pad_rgb = {1, 2, 3};
  std::mt19937_64 rng(5);
  const Example result = augment(source, options, rng);
  ASSERT_EQ(result.label.size(), cv::Size(9, 7));
  ASSERT_EQ(result.image.size(), cv::Size(9, 7));
  EXPECT_EQ(cv::countNonZero(result.label == 255), 9 * 7 - 5 * 4);
  EXPECT_TRUE(image_follows_label(result));
  // Whole source present as one block; everything else is pad colour.
  const cv::Mat known = result.label != 255;
  const cv::Rect block = cv::boundingRect(known);
  EXPECT_EQ(block.size(), cv::Size(5, 4));
  EXPECT_TRUE(same_bytes(result.label(block), source.label));
  cv::Mat pad_pixels;
  cv::inRange(result.image, cv::Scalar(1, 2, 3), cv::Scalar(1, 2, 3), pad_pixels);
  EXPECT_EQ(cv::countNonZero(pad_pixels & ~known), 9 * 7 - 5 * 4);
}

TEST(Augment, CropSmallerThanImageIsAWindowOfIt) {
  const Example source = asymmetric_example();
  std::mt19937_64 rng(3);
  const Example result = augment(source, options_of(2, 3, false), rng);
  ASSERT_EQ(result.label.size(), cv::Size(3, 2));
  const int top_left = result.label.at<std::uint8_t>(0, 0);
  const cv::Rect window(top_left % 5, top_left / 5, 3, 2);
  EXPECT_TRUE(same_bytes(result.label, source.label(window)));
  EXPECT_TRUE(same_bytes(result.image, source.image(window)));
}

TEST(Augment, ScalingUsesNearestNeighbourLabels) {
  const Example source = asymmetric_example();
  AugmentOptions options = options_of(8, 10, false);
  options.scale_min = options.scale_max = 2.0;
  std::mt19937_64 rng(1);
  const Example result = augment(source, options, rng);
  ASSERT_EQ(result.label.size(), cv::Size(10, 8));
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 10; ++x) {
      EXPECT_EQ(result.label.at<std::uint8_t>(y, x), source.label.at<std::uint8_t>(y / 2, x / 2))
          << x << "," << y;
    }
  }
}

TEST(Augment, RandomScaleStaysInRangeAndSameSeedRepeats) {
  const Example source{test::position_image(40, 40), cv::Mat(40, 40, CV_8UC1, cv::Scalar(1)), "square"};
  AugmentOptions options = options_of(80, 80, true);
  options.scale_min = 0.5;
  options.scale_max = 1.5;
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    std::mt19937_64 first(seed), second(seed);
    const Example a = augment(source, options, first), b = augment(source, options, second);
    EXPECT_TRUE(same_bytes(a.image, b.image));
    EXPECT_TRUE(same_bytes(a.label, b.label));
    const int side = cv::boundingRect(a.label == 1).width;  // the scaled image's width
    EXPECT_GE(side, 20);
    EXPECT_LE(side, 60);
  }
}

}  // namespace
}  // namespace advseg
