// The header sniffing behind read_rgb_image's pixel limit, and the EXIF
// orientation reader, on hand-built byte strings.
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

// SOI, then an APP1 segment holding `payload`, then a frame header.
std::string jpeg_with_app1(const std::string& payload) {
  const auto length = static_cast<int>(payload.size() + 2);
  return bytes({0xFF, 0xD8, 0xFF, 0xE1, length >> 8, length & 0xFF}) + payload +
         bytes({0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x20, 0x03});
}

const std::string kExif("Exif\0\0", 6);

// IFD0 at offset 8 with one Orientation entry (tag 0x0112, SHORT, count 1).
const std::string kBigEndianTiff = bytes({'M',  'M',  0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x01,
                                          0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00});
const std::string kLittleEndianTiff =
    bytes({'I',  'I',  0x2A, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12,
           0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00});

TEST(ImageHeader, ExifOrientationInEitherByteOrder) {
  EXPECT_EQ(jpeg_exif_orientation(jpeg_with_app1(kExif + kBigEndianTiff)), 6);
  EXPECT_EQ(jpeg_exif_orientation(jpeg_with_app1(kExif + kLittleEndianTiff)), 3);
  // After an XMP segment (also APP1) and an APP0.
  const std::string xmp = jpeg_with_app1("http://ns.adobe.com/xap/1.0/\0<x/>");
  const std::string app0 = bytes({0xFF, 0xE0, 0x00, 0x04, 0x11, 0x22});
  const std::string exif = jpeg_with_app1(kExif + kBigEndianTiff);
  EXPECT_EQ(jpeg_exif_orientation(xmp.substr(0, xmp.size() - 10) + app0 + exif.substr(2)), 6);
  // Still found from the header alone: the size is also readable.
  EXPECT_EQ(jpeg_header_size(exif)->width, 32);
}

TEST(ImageHeader, NoExifOrientationWhenAbsentOrMalformed) {
  EXPECT_EQ(jpeg_exif_orientation(""), std::nullopt);
  EXPECT_EQ(jpeg_exif_orientation(test::png_header_only(2, 2, 0)), std::nullopt);
  EXPECT_EQ(jpeg_exif_orientation(jpeg_with_app1("Exif")), std::nullopt);
  EXPECT_EQ(jpeg_exif_orientation(bytes({0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B})), std::nullopt);
  // Every cut of the TIFF structure, and every corrupted byte, is refused or read within bounds.
  for (std::size_t cut = 0; cut < kBigEndianTiff.size(); ++cut) {
    EXPECT_EQ(jpeg_exif_orientation(jpeg_with_app1(kExif + kBigEndianTiff.substr(0, cut))), std::nullopt)
        << cut;
  }
  for (std::size_t at = 0; at < kBigEndianTiff.size(); ++at) {
    std::string tiff = kBigEndianTiff;
    tiff[at] = '\xff';
    const auto orientation = jpeg_exif_orientation(jpeg_with_app1(kExif + tiff));
    EXPECT_TRUE(!orientation || (*orientation >= 1 && *orientation <= 8)) << at;
  }
  std::string huge_offset = kBigEndianTiff;  // IFD0 "at" 0xFFFFFFF0
  huge_offset.replace(4, 4, bytes({0xFF, 0xFF, 0xFF, 0xF0}));
  EXPECT_EQ(jpeg_exif_orientation(jpeg_with_app1(kExif + huge_offset)), std::nullopt);
  std::string out_of_range = kBigEndianTiff;  // orientation 9 does not exist
  out_of_range[19] = 9;
  EXPECT_EQ(jpeg_exif_orientation(jpeg_with_app1(kExif + out_of_range)), std::nullopt);
  // A segment length running past the end of the data.
  std::string long_segment = jpeg_with_app1(kExif + kBigEndianTiff);
  long_segment[4] = '\x7f';
  EXPECT_EQ(jpeg_exif_orientation(long_segment.substr(0, 40)), std::nullopt);
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
