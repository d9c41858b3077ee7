#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "advseg/io/image_file.h"
#include "io/io_test_util.h"

namespace advseg {
namespace {

using test::contains;
using test::error_message;

const cv::Scalar kRedBgr(0, 0, 255);

std::filesystem::path write_with_opencv(const test::TempDir& dir, const std::string& name,
                                        const cv::Mat& image) {
  const auto path = dir.file(name);
  EXPECT_TRUE(cv::imwrite(path.string(), image));
  return path;
}

std::string read_error(const std::filesystem::path& path, long long max_pixels = 100000000) {
  return error_message([&] { read_rgb_image(path, max_pixels); });
}

TEST(ImageFile, ReadsPngInRgbOrder) {
  const test::TempDir dir;
  const cv::Mat rgb = read_rgb_image(write_with_opencv(dir, "red.png", cv::Mat(4, 6, CV_8UC3, kRedBgr)));
  ASSERT_EQ(rgb.type(), CV_8UC3);
  ASSERT_EQ(rgb.size(), cv::Size(6, 4));
  EXPECT_EQ(rgb.at<cv::Vec3b>(2, 3), cv::Vec3b(255, 0, 0));
}

TEST(ImageFile, ReadsJpegInRgbOrder) {
  const test::TempDir dir;
  const cv::Mat rgb = read_rgb_image(write_with_opencv(dir, "red.jpg", cv::Mat(16, 16, CV_8UC3, kRedBgr)));
  ASSERT_EQ(rgb.type(), CV_8UC3);
  ASSERT_EQ(rgb.size(), cv::Size(16, 16));
  const cv::Vec3b pixel = rgb.at<cv::Vec3b>(8, 8);  // lossy: near red, not exactly
  EXPECT_GT(pixel[0], 230);
  EXPECT_LT(pixel[1], 25);
  EXPECT_LT(pixel[2], 25);
}

TEST(ImageFile, GrayImageBecomesThreeEqualChannels) {
  const test::TempDir dir;
  const cv::Mat rgb =
      read_rgb_image(write_with_opencv(dir, "gray.png", cv::Mat(3, 3, CV_8UC1, cv::Scalar(77))));
  ASSERT_EQ(rgb.type(), CV_8UC3);
  EXPECT_EQ(rgb.at<cv::Vec3b>(1, 1), cv::Vec3b(77, 77, 77));
}

TEST(ImageFile, SixteenBitAndAlphaImagesAreConverted) {
  const test::TempDir dir;
  const cv::Mat wide =
      read_rgb_image(write_with_opencv(dir, "wide.png", cv::Mat(2, 2, CV_16UC1, cv::Scalar(65535))));
  ASSERT_EQ(wide.type(), CV_8UC3);
  EXPECT_EQ(wide.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 255, 255));
  const cv::Mat alpha =
      read_rgb_image(write_with_opencv(dir, "alpha.png", cv::Mat(2, 2, CV_8UC4, cv::Scalar(0, 0, 255, 9))));
  ASSERT_EQ(alpha.type(), CV_8UC3);
  EXPECT_EQ(alpha.at<cv::Vec3b>(1, 1), cv::Vec3b(255, 0, 0));
}

TEST(ImageFile, TruncatedJpegIsRefused) {
  const test::TempDir dir;
  cv::Mat noise(64, 64, CV_8UC3);
  cv::randu(noise, 0, 256);
  const std::string bytes = test::read_bytes(write_with_opencv(dir, "full.jpg", noise));
  test::write_bytes(dir.file("cut.jpg"), bytes.substr(0, bytes.size() * 2 / 3));
  EXPECT_PRED2(contains, read_error(dir.file("cut.jpg")), dir.file("cut.jpg").string() + ": truncated JPEG");
}

TEST(ImageFile, JpegWithTrailingPaddingIsAccepted) {
  const test::TempDir dir;
  const std::string bytes =
      test::read_bytes(write_with_opencv(dir, "full.jpg", cv::Mat(8, 8, CV_8UC3, kRedBgr)));
  test::write_bytes(dir.file("padded.jpg"), bytes + std::string("\0\0\r\n", 4));
  EXPECT_EQ(read_rgb_image(dir.file("padded.jpg")).size(), cv::Size(8, 8));
}

TEST(ImageFile, TruncatedPngIsRefused) {
  const test::TempDir dir;
  cv::Mat noise(64, 64, CV_8UC3);
  cv::randu(noise, 0, 256);
  const std::string bytes = test::read_bytes(write_with_opencv(dir, "full.png", noise));
  test::write_bytes(dir.file("cut.png"), bytes.substr(0, bytes.size() / 2));
  EXPECT_PRED2(contains, read_error(dir.file("cut.png")),
               dir.file("cut.png").string() + ": not a readable image");
}

TEST(ImageFile, NonImageEmptyAndMissingFilesAreRefused) {
  const test::TempDir dir;
  test::write_bytes(dir.file("notes.jpg"), "these are words, not pixels\n");
  EXPECT_PRED2(contains, read_error(dir.file("notes.jpg")),
               dir.file("notes.jpg").string() + ": not a readable image");
  test::write_bytes(dir.file("empty.png"), "");
  EXPECT_PRED2(contains, read_error(dir.file("empty.png")), dir.file("empty.png").string() + ": empty file");
  EXPECT_PRED2(contains, read_error(dir.file("none.jpg")), dir.file("none.jpg").string() + ": no such file");
  EXPECT_PRED2(contains, read_error(dir.path()), "is a directory");
}

TEST(ImageFile, PixelLimitIsEnforcedForEveryFormat) {
  const test::TempDir dir;
  const cv::Mat image(10, 10, CV_8UC3, kRedBgr);
  for (const std::string name : {"a.png", "a.jpg", "a.bmp"}) {
    const auto path = write_with_opencv(dir, name, image);
    EXPECT_PRED2(contains, read_error(path, 99),
                 path.string() + ": image is 10x10 pixels, above the limit of 99");
    EXPECT_EQ(read_rgb_image(path, 100).size(), cv::Size(10, 10));
  }
}

TEST(ImageFile, HugeDeclaredPngSizeIsRefusedFromTheHeader) {
  const test::TempDir dir;
  test::write_bytes(dir.file("bomb.png"), test::png_header_only(60000, 60000, 2));
  EXPECT_PRED2(contains, read_error(dir.file("bomb.png")),
               "image is 60000x60000 pixels, above the limit of 100000000");
}

TEST(ImageFile, HugeDeclaredJpegSizeIsRefusedFromTheHeader) {
  const test::TempDir dir;
  std::string bytes = test::read_bytes(write_with_opencv(dir, "small.jpg", cv::Mat(8, 8, CV_8UC3, kRedBgr)));
  // Rewrite the baseline frame header (FF C0 len(2) precision(1) height(2) width(2)) to 60000 x 60000.
  const std::size_t sof = bytes.find("\xff\xc0");
  ASSERT_NE(sof, std::string::npos);
  for (std::size_t offset : {sof + 5, sof + 7}) {
    bytes[offset] = static_cast<char>(60000 >> 8);
    bytes[offset + 1] = static_cast<char>(60000 & 0xFF);
  }
  test::write_bytes(dir.file("bomb.jpg"), bytes);
  EXPECT_PRED2(contains, read_error(dir.file("bomb.jpg")),
               "image is 60000x60000 pixels, above the limit of 100000000");
}

TEST(ImageFile, WritesRgbAsTheExtensionSays) {
  const test::TempDir dir;
  write_rgb_image(dir.file("out.png"), cv::Mat(2, 3, CV_8UC3, cv::Scalar(255, 0, 0)));
  const cv::Mat bgr = cv::imread(dir.file("out.png").string(), cv::IMREAD_UNCHANGED);
  ASSERT_EQ(bgr.type(), CV_8UC3);
  EXPECT_EQ(bgr.at<cv::Vec3b>(1, 2), cv::Vec3b(0, 0, 255));  // red, stored BGR
}

TEST(ImageFile, WriteFailuresNameThePath) {
  const test::TempDir dir;
  const cv::Mat rgb(2, 2, CV_8UC3, cv::Scalar(1, 2, 3));
  const auto missing_folder = dir.file("no_such_folder") / "out.png";
  EXPECT_PRED2(contains, error_message([&] { write_rgb_image(missing_folder, rgb); }),
               missing_folder.string() + ": cannot write image");
  EXPECT_PRED2(contains, error_message([&] { write_rgb_image(dir.file("out.xyz"), rgb); }),
               dir.file("out.xyz").string() + ": cannot write image");
  EXPECT_PRED2(contains,
               error_message([&] { write_rgb_image(dir.file("gray.png"), cv::Mat(2, 2, CV_8UC1)); }),
               "CV_8UC3");
}

}  // namespace
}  // namespace advseg
