#include "advseg/eval/panels.h"

#include <gtest/gtest.h>

#include "advseg/error.h"

namespace advseg {
namespace {

const std::vector<Rgb> kPalette = {Rgb{10, 20, 30}, Rgb{200, 100, 50}};

cv::Vec3b rgb(const Rgb& colour) { return {colour[0], colour[1], colour[2]}; }

TEST(Panels, LaysOutEnlargedTilesUnderAHeader) {
  // Row 0: a 32x32 image; row 1: 16x32 (shorter). Tiles: 32x32 enlarged x4 = 128x128.
  PanelRow first{cv::Mat(32, 32, CV_8UC3, cv::Scalar(1, 2, 3)),
                 {cv::Mat(32, 32, CV_8UC1, cv::Scalar(0)), cv::Mat(32, 32, CV_8UC1, cv::Scalar(1))},
                 {}};
  first.label_maps[0].at<std::uint8_t>(0, 0) = 255;  // void: black
  PanelRow second{cv::Mat(16, 32, CV_8UC3, cv::Scalar(7, 7, 7)),
                  {cv::Mat(16, 32, CV_8UC1, cv::Scalar(1)), cv::Mat(16, 32, CV_8UC1, cv::Scalar(0))},
                  {}};
  const cv::Mat panel = draw_panels({first, second}, {"image", "ground truth", "model"}, kPalette);
  // Width: 3 tiles + 4 gaps of 4; height: 24 header + 2 tiles + 3 gaps.
  EXPECT_EQ(panel.cols, 3 * 128 + 4 * 4);
  EXPECT_EQ(panel.rows, 24 + 2 * 128 + 3 * 4);
  ASSERT_EQ(panel.type(), CV_8UC3);
  const int top = 24 + 4;
  const int column_x[] = {4, 4 + 132, 4 + 2 * 132};
  EXPECT_EQ(panel.at<cv::Vec3b>(top + 10, column_x[0] + 10), cv::Vec3b(1, 2, 3));
  EXPECT_EQ(panel.at<cv::Vec3b>(top + 10, column_x[1] + 10), rgb(kPalette[0]));
  EXPECT_EQ(panel.at<cv::Vec3b>(top + 10, column_x[2] + 10), rgb(kPalette[1]));
  // The void pixel (0,0) covers the enlarged 4x4 block at the tile's corner.
  EXPECT_EQ(panel.at<cv::Vec3b>(top + 3, column_x[1] + 3), cv::Vec3b(0, 0, 0));
  EXPECT_EQ(panel.at<cv::Vec3b>(top + 4, column_x[1] + 4), rgb(kPalette[0]));
  // Row 1's image is 64 px tall once enlarged; the rest of its tile stays white.
  const int second_top = top + 128 + 4;
  EXPECT_EQ(panel.at<cv::Vec3b>(second_top + 63, column_x[1] + 5), rgb(kPalette[1]));
  EXPECT_EQ(panel.at<cv::Vec3b>(second_top + 64, column_x[1] + 5), cv::Vec3b(255, 255, 255));
  // Gaps are white.
  EXPECT_EQ(panel.at<cv::Vec3b>(top + 10, 2), cv::Vec3b(255, 255, 255));
}

TEST(Panels, LargeImagesAreNotEnlarged) {
  PanelRow row{
      cv::Mat(100, 200, CV_8UC3, cv::Scalar(0, 0, 0)), {cv::Mat(100, 200, CV_8UC1, cv::Scalar(0))}, {}};
  const cv::Mat panel = draw_panels({row}, {"image", "ground truth"}, kPalette);
  EXPECT_EQ(panel.cols, 2 * 200 + 3 * 4);
  EXPECT_EQ(panel.rows, 24 + 100 + 2 * 4);
}

TEST(Panels, RejectsRowsThatDoNotMatchTheColumns) {
  PanelRow row{cv::Mat(8, 8, CV_8UC3), {cv::Mat(8, 8, CV_8UC1, cv::Scalar(0))}, {}};
  EXPECT_THROW(draw_panels({row}, {"image", "truth", "model"}, kPalette), Error);
  EXPECT_THROW(draw_panels({}, {"image"}, kPalette), Error);
  PanelRow wrong_size{cv::Mat(8, 8, CV_8UC3), {cv::Mat(8, 9, CV_8UC1, cv::Scalar(0))}, {}};
  EXPECT_THROW(draw_panels({wrong_size}, {"image", "truth"}, kPalette), Error);
  PanelRow view_of_another_size{cv::Mat(8, 8, CV_8UC3), {}, {cv::Mat(8, 9, CV_8UC3)}};
  EXPECT_THROW(draw_panels({view_of_another_size}, {"image", "fog"}, kPalette), Error);
}

// Views of the image (data.shift) come after it, before the label maps.
TEST(Panels, ViewsComeBetweenTheImageAndTheLabelMaps) {
  PanelRow row{cv::Mat(128, 128, CV_8UC3, cv::Scalar(1, 2, 3)),
               {cv::Mat(128, 128, CV_8UC1, cv::Scalar(1))},
               {cv::Mat(128, 128, CV_8UC3, cv::Scalar(9, 9, 9))}};
  const cv::Mat panel = draw_panels({row}, {"image", "fog", "ground truth"}, kPalette);
  EXPECT_EQ(panel.cols, 3 * 128 + 4 * 4);
  const int top = 24 + 4 + 10;
  EXPECT_EQ(panel.at<cv::Vec3b>(top, 4 + 10), cv::Vec3b(1, 2, 3));
  EXPECT_EQ(panel.at<cv::Vec3b>(top, 4 + 132 + 10), cv::Vec3b(9, 9, 9));
  EXPECT_EQ(panel.at<cv::Vec3b>(top, 4 + 2 * 132 + 10), rgb(kPalette[1]));
}

}  // namespace
}  // namespace advseg
