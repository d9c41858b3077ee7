#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "advseg/io/png_mask.h"
#include "io/io_test_util.h"

namespace advseg {
namespace {

using test::contains;
using test::error_message;

cv::Mat index_map(int rows, int cols, const std::vector<std::uint8_t>& values) {
  return cv::Mat(rows, cols, CV_8UC1, const_cast<std::uint8_t*>(values.data())).clone();
}

bool same_pixels(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::countNonZero(a != b) == 0;
}

std::string decode_error(const std::string& bytes, const std::string& source = "mask.png",
                         long long max_pixels = 100000000) {
  return error_message([&] {
    decode_index_png(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), source, max_pixels);
  });
}

// The bytes of `image` as OpenCV writes it to `name` (format from the extension).
std::string opencv_png_bytes(const test::TempDir& dir, const cv::Mat& image,
                             const std::vector<int>& params = {}) {
  const auto path = dir.file("opencv.png");
  EXPECT_TRUE(cv::imwrite(path.string(), image, params));
  return test::read_bytes(path);
}

TEST(PngMask, PaletteMaskReadsBackAsIndicesWhereAColourDecoderSeesColours) {
  const test::TempDir dir;
  const cv::Mat indices = index_map(2, 3, {0, 1, 2, 2, 1, 0});
  const std::vector<Rgb> palette = {Rgb{255, 0, 0}, Rgb{0, 255, 0}, Rgb{0, 0, 255}};
  write_index_png(dir.file("mask.png"), indices, palette);

  EXPECT_TRUE(same_pixels(read_index_png(dir.file("mask.png")), indices));

  // A colour decoder expands the palette: 3 channels of colours, no indices.
  const cv::Mat decoded = cv::imread(dir.file("mask.png").string(), cv::IMREAD_UNCHANGED);
  ASSERT_EQ(decoded.type(), CV_8UC3);
  EXPECT_EQ(decoded.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 255));  // BGR of palette[0] = red
  EXPECT_EQ(decoded.at<cv::Vec3b>(0, 1), cv::Vec3b(0, 255, 0));
  EXPECT_EQ(decoded.at<cv::Vec3b>(0, 2), cv::Vec3b(255, 0, 0));
}

TEST(PngMask, IndicesBeyondThePaletteSurvive) {
  const test::TempDir dir;
  const cv::Mat indices = index_map(1, 4, {0, 1, 255, 2});
  write_index_png(dir.file("mask.png"), indices, {Rgb{1, 2, 3}, Rgb{4, 5, 6}, Rgb{7, 8, 9}});
  EXPECT_TRUE(same_pixels(read_index_png(dir.file("mask.png")), indices));
}

TEST(PngMask, GrayMaskWrittenWithoutPaletteReadsBack) {
  const test::TempDir dir;
  const cv::Mat indices = index_map(2, 2, {0, 7, 255, 3});
  write_index_png(dir.file("gray.png"), indices, {});
  EXPECT_TRUE(same_pixels(read_index_png(dir.file("gray.png")), indices));
  // Independent decoder: one gray channel holding the same values.
  EXPECT_TRUE(same_pixels(cv::imread(dir.file("gray.png").string(), cv::IMREAD_UNCHANGED), indices));
}

TEST(PngMask, GrayPngFromAnotherWriterReadsBack) {
  const test::TempDir dir;
  const cv::Mat indices = index_map(3, 2, {0, 1, 2, 3, 4, 250});
  const std::string bytes = opencv_png_bytes(dir, indices);
  const cv::Mat read =
      decode_index_png(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), "opencv.png");
  EXPECT_TRUE(same_pixels(read, indices));
}

TEST(PngMask, OneBitPngGivesRawValuesOneBytePerPixel) {
  const test::TempDir dir;
  // OpenCV's bilevel mode writes a 1-bit grayscale PNG (0 -> 0, non-zero -> 1).
  const std::string bytes =
      opencv_png_bytes(dir, index_map(1, 5, {0, 255, 0, 255, 255}), {cv::IMWRITE_PNG_BILEVEL, 1});
  ASSERT_EQ(bytes[24], 1) << "the test input is not a 1-bit PNG";
  const cv::Mat read =
      decode_index_png(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), "bilevel.png");
  EXPECT_TRUE(same_pixels(read, index_map(1, 5, {0, 1, 0, 1, 1})));
}

TEST(PngMask, ColourPngsAreRefusedSayingWhatTheyAre) {
  const test::TempDir dir;
  const std::string rgb = decode_error(opencv_png_bytes(dir, cv::Mat(2, 2, CV_8UC3, cv::Scalar(1, 2, 3))));
  EXPECT_PRED2(
      contains, rgb,
      "mask.png: mask is an RGB PNG; masks must be 8-bit grayscale or palette PNGs holding class indices");
  const std::string rgba =
      decode_error(opencv_png_bytes(dir, cv::Mat(2, 2, CV_8UC4, cv::Scalar(1, 2, 3, 4))));
  EXPECT_PRED2(contains, rgba, "mask is an RGBA PNG");
}

TEST(PngMask, SixteenBitPngIsRefused) {
  const test::TempDir dir;
  const std::string message = decode_error(opencv_png_bytes(dir, cv::Mat(2, 2, CV_16UC1, cv::Scalar(300))));
  EXPECT_PRED2(contains, message, "mask.png: mask is a 16-bit PNG; masks must be 8-bit");
}

TEST(PngMask, TruncatedOrCorruptPngIsRefused) {
  const test::TempDir dir;
  cv::Mat noise(64, 64, CV_8UC1);
  cv::randu(noise, 0, 8);  // incompressible enough to span several bytes of IDAT
  const std::string bytes = opencv_png_bytes(dir, noise);
  EXPECT_PRED2(contains, decode_error(bytes.substr(0, bytes.size() / 2), "cut.png"),
               "cut.png: truncated or corrupt PNG");
  // Cut only the final IEND chunk (12 bytes): every row is there, the file is still incomplete.
  EXPECT_PRED2(contains, decode_error(bytes.substr(0, bytes.size() - 12)), "truncated or corrupt PNG");
  std::string corrupt = bytes;
  corrupt[bytes.size() / 2] = static_cast<char>(corrupt[bytes.size() / 2] ^ 0x5A);  // breaks the IDAT CRC
  EXPECT_PRED2(contains, decode_error(corrupt), "truncated or corrupt PNG");
  EXPECT_PRED2(contains, decode_error("hello, not a png"), "mask.png: not a PNG file");
  EXPECT_PRED2(contains, decode_error(""), "not a PNG file");
}

TEST(PngMask, PixelLimitIsEnforced) {
  const test::TempDir dir;
  const std::string bytes = opencv_png_bytes(dir, cv::Mat(10, 10, CV_8UC1, cv::Scalar(1)));
  EXPECT_PRED2(contains, decode_error(bytes, "big.png", 99),
               "big.png: image is 10x10 pixels, above the limit of 99");
  EXPECT_EQ(decode_index_png(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), "ok.png", 100)
                .total(),
            100u);
}

TEST(PngMask, HugeDeclaredSizeIsRefusedBeforeDecoding) {
  // 60000 x 60000 declared, no pixel data: a decoder that allocated first
  // would need 3.6 GB and then report missing data, not the limit.
  const std::string message = decode_error(test::png_header_only(60000, 60000, 0), "bomb.png");
  EXPECT_PRED2(contains, message, "bomb.png: image is 60000x60000 pixels, above the limit of 100000000");
}

TEST(PngMask, ReadingAMissingFileIsAnError) {
  const test::TempDir dir;
  EXPECT_PRED2(contains, error_message([&] { read_index_png(dir.file("none.png")); }),
               dir.file("none.png").string() + ": no such file");
}

TEST(PngMask, WritingToAMissingFolderNamesThePath) {
  const test::TempDir dir;
  const auto path = dir.file("no_such_folder") / "mask.png";
  const std::string message = error_message([&] { write_index_png(path, index_map(1, 1, {0}), {}); });
  EXPECT_PRED2(contains, message, path.string() + ": cannot open for writing");
}

TEST(PngMask, WritingAWrongMatTypeIsAnError) {
  const test::TempDir dir;
  const std::string message =
      error_message([&] { write_index_png(dir.file("m.png"), cv::Mat(2, 2, CV_8UC3, cv::Scalar(0)), {}); });
  EXPECT_PRED2(contains, message, "CV_8UC1");
}

}  // namespace
}  // namespace advseg
