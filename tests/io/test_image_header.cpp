// The header sniffing behind read_rgb_image's pixel limit and truncation
// checks, on hand-built byte strings.
#include <gtest/gtest.h>

#include <string>

#include "advseg/io/image_header.h"
#include "io/io_test_util.h"

namespace advseg {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out.push_back(static_cast<char>(value));
  return out;
}

TEST(ImageHeader, SniffsFormatsFromTheirSignatures) {
  EXPECT_EQ(sniff_image_format(test::png_header_only(1, 1, 0)), ImageFormat::kPng);
  EXPECT_EQ(sniff_image_format(bytes({0xFF, 0xD8, 0xFF, 0xE0})), ImageFormat::kJpeg);
  EXPECT_EQ(sniff_image_format("BM...."), ImageFormat::kOther);
  EXPECT_EQ(sniff_image_format(""), ImageFormat::kOther);
}

TEST(ImageHeader, PngSizeComesFromIhdr) {
  const auto size = png_header_size(test::png_header_only(70000, 3, 2));
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(size->width, 70000);
  EXPECT_EQ(size->height, 3);
  EXPECT_FALSE(png_header_size(test::png_header_only(5, 5, 0).substr(0, 20)).has_value());
}

TEST(ImageHeader, JpegSizeComesFromTheFrameHeaderAfterOtherSegments) {
  // SOI, APP0 (length 4), DHT (length 3, must not be taken for a frame header),
  // fill byte, SOF2 with height 0x0102 = 258 and width 0x0304 = 772.
  const std::string jpeg = bytes({0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x11, 0x22, 0xFF, 0xC4, 0x00, 0x03,
                                  0x00, 0xFF, 0xFF, 0xC2, 0x00, 0x0B, 0x08, 0x01, 0x02, 0x03, 0x04, 0x03});
  const auto size = jpeg_header_size(jpeg);
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(size->width, 772);
  EXPECT_EQ(size->height, 258);
}

TEST(ImageHeader, JpegWithoutFrameHeaderHasNoSize) {
  // Scan data (SOS) before any frame header, a cut segment, and a bad marker.
  EXPECT_FALSE(jpeg_header_size(bytes({0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x08})).has_value());
  EXPECT_FALSE(jpeg_header_size(bytes({0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x01})).has_value());
  EXPECT_FALSE(jpeg_header_size(bytes({0xFF, 0xD8, 0x12, 0x34, 0x00, 0x08})).has_value());
}

TEST(ImageHeader, JpegEndMarkerMayBeFollowedByPaddingOnly) {
  EXPECT_TRUE(jpeg_has_end_marker(bytes({0xFF, 0xD8, 0x00, 0xFF, 0xD9})));
  EXPECT_TRUE(jpeg_has_end_marker(bytes({0xFF, 0xD8, 0x00, 0xFF, 0xD9, 0x00, 0x00, '\n', ' '})));
  EXPECT_FALSE(jpeg_has_end_marker(bytes({0xFF, 0xD8, 0x00, 0x12, 0x34})));
  EXPECT_FALSE(jpeg_has_end_marker(bytes({0xFF, 0xD8, 0xFF, 0xD9, 0x17})));
  EXPECT_FALSE(jpeg_has_end_marker(bytes({0xD9})));
  EXPECT_FALSE(jpeg_has_end_marker(""));
}

TEST(ImageHeader, PixelLimitComparesWithoutOverflow) {
  EXPECT_NO_THROW(check_pixel_limit("a", ImageSize{10, 10}, 100));
  EXPECT_THROW(check_pixel_limit("a", ImageSize{10, 11}, 100), Error);
  EXPECT_THROW(check_pixel_limit("a", ImageSize{4294967295LL, 4294967295LL}, 100000000), Error);
  EXPECT_EQ(test::error_message([] {
              check_pixel_limit("x.png", ImageSize{20, 30}, 500);
            }),
            "x.png: image is 20x30 pixels, above the limit of 500 pixels");
}

}  // namespace
}  // namespace advseg
