// data.shift: fog as Foggy Cityscapes' optical model makes it, low light,
// each drawn from the seed and the image's id only.
#include "advseg/data/image_shift.h"

#include <gtest/gtest.h>

#include <cmath>
#include <opencv2/core.hpp>
#include <string>

#include "advseg/error.h"

namespace advseg {
namespace {

// Columns alternate black and white: every row holds both extremes.
cv::Mat stripes(int rows = 20, int cols = 16) {
  cv::Mat rgb(rows, cols, CV_8UC3);
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x)
      rgb.at<cv::Vec3b>(y, x) = x % 2 ? cv::Vec3b(255, 255, 255) : cv::Vec3b(0, 0, 0);
  return rgb;
}

// White minus black in row `y`, channel 0, as a share of 255.
double row_contrast(const cv::Mat& rgb, int y) {
  return (rgb.at<cv::Vec3b>(y, 1)[0] - rgb.at<cv::Vec3b>(y, 0)[0]) / 255.0;
}

ShiftOptions options(ShiftKind kind, double severity = 1.0, std::uint64_t seed = 1) {
  return {kind, severity, seed};
}

bool same(const cv::Mat& a, const cv::Mat& b) { return cv::norm(a, b, cv::NORM_INF) == 0; }

TEST(ImageShift, NoneIsTheImageItself) {
  const auto image = stripes();
  EXPECT_TRUE(same(shift_image(image, options(ShiftKind::none), "a"), image));
}

TEST(ImageShift, FogLeavesThirtyPercentOfTheSceneAtFullSeverityUnderOneLight) {
  const auto foggy = shift_image(stripes(), options(ShiftKind::fog), "a");
  for (int y = 0; y < foggy.rows; ++y) EXPECT_NEAR(row_contrast(foggy, y), 0.3, 1.0 / 255) << y;
  // Black becomes L * (1 - t), with the atmospheric light L in [0.8, 0.95].
  const double black = foggy.at<cv::Vec3b>(0, 0)[0] / 255.0;
  EXPECT_GE(black, 0.8 * 0.7 - 1.0 / 255);
  EXPECT_LE(black, 0.95 * 0.7 + 1.0 / 255);
  // Grey fog: the three channels alike.
  EXPECT_EQ(foggy.at<cv::Vec3b>(0, 0)[0], foggy.at<cv::Vec3b>(0, 0)[2]);
  // Half the severity, more of the scene.
  EXPECT_NEAR(row_contrast(shift_image(stripes(), options(ShiftKind::fog, 0.5), "a"), 0), 0.65, 1.0 / 255);
}

TEST(ImageShift, GradientFogIsDenseAtTheTopAndLightAtTheBottom) {
  const auto foggy = shift_image(stripes(), options(ShiftKind::fog_gradient), "a");
  EXPECT_NEAR(row_contrast(foggy, 0), 0.05, 1.0 / 255);
  EXPECT_NEAR(row_contrast(foggy, foggy.rows - 1), 0.65, 1.0 / 255);
  for (int y = 1; y < foggy.rows; ++y) EXPECT_GE(row_contrast(foggy, y), row_contrast(foggy, y - 1)) << y;
}

TEST(ImageShift, LowLightIsDarkerBluerAndNoisy) {
  const cv::Mat grey(32, 32, CV_8UC3, cv::Scalar(128, 128, 128));
  const auto dark = shift_image(grey, options(ShiftKind::low_light), "a");
  const cv::Scalar mean = cv::mean(dark);
  // Green, without a cast: gain 0.5 times 128/255 to the power 2.5, plus zero-mean noise.
  EXPECT_NEAR(mean[1], 0.5 * std::pow(128.0 / 255, 2.5) * 255, 1.5);
  EXPECT_GT(mean[2], mean[0]) << "blue over red";
  cv::Mat channels[3];
  cv::split(dark, channels);
  cv::Scalar green_mean, green_deviation;
  cv::meanStdDev(channels[1], green_mean, green_deviation);
  EXPECT_GT(green_deviation[0], 1.0) << "sensor noise";
}

TEST(ImageShift, EachImagesDrawDependsOnTheSeedAndItsIdOnly) {
  const cv::Mat grey(16, 16, CV_8UC3, cv::Scalar(90, 120, 150));
  for (const auto kind : {ShiftKind::fog, ShiftKind::fog_gradient, ShiftKind::low_light}) {
    const auto first = shift_image(grey, options(kind), "img1");
    EXPECT_TRUE(same(shift_image(grey, options(kind), "img1"), first)) << "the same image every epoch";
    EXPECT_FALSE(same(shift_image(grey, options(kind), "img2"), first)) << "another image, another draw";
    EXPECT_FALSE(same(shift_image(grey, options(kind, 1.0, 2), "img1"), first)) << "another seed";
  }
}

TEST(ImageShift, AnUnknownShiftIsNamedWithTheChoices) {
  EXPECT_EQ(parse_shift_kind("fog_gradient", "data.shift"), ShiftKind::fog_gradient);
  try {
    parse_shift_kind("rain", "data.target.shift");
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "data.target.shift: unknown shift 'rain' (one of none, fog, fog_gradient, low_light)");
  }
}

}  // namespace
}  // namespace advseg
