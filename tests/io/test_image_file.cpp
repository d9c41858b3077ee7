#include <gtest/gtest.h>

// clang-format off
#include <cstdio>  // jpeglib.h needs FILE and size_t first
#include <jpeglib.h>
// clang-format on

#include <cstdlib>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "advseg/io/image_file.h"
#include "advseg/io/png_mask.h"
#include "io/io_test_util.h"
#include "support/exif.h"
#include "support/paths.h"

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
  EXPECT_EQ(read_error(dir.file("cut.jpg")),
            dir.file("cut.jpg").string() + ": truncated JPEG (libjpeg: Premature end of JPEG file)");
  // Every row there, only the end-of-image marker missing: still refused.
  test::write_bytes(dir.file("no_eoi.jpg"), bytes.substr(0, bytes.size() - 2));
  EXPECT_PRED2(contains, read_error(dir.file("no_eoi.jpg")),
               dir.file("no_eoi.jpg").string() + ": truncated JPEG");
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
               dir.file("cut.png").string() + ": truncated or corrupt PNG (");
  // Cut only the final IEND chunk: every row is there, the file is still incomplete.
  test::write_bytes(dir.file("no_iend.png"), bytes.substr(0, bytes.size() - 12));
  EXPECT_PRED2(contains, read_error(dir.file("no_iend.png")),
               dir.file("no_iend.png").string() + ": truncated or corrupt PNG (");
}

// ---- PNG and JPEG through libpng and libjpeg -----------------------------

cv::Mat noise(int rows, int cols, int type) {
  cv::Mat image(rows, cols, type);
  cv::randu(image, 0, CV_MAT_DEPTH(type) == CV_16U ? 65536 : 256);
  return image;
}

std::string encode(const std::string& extension, const cv::Mat& image, const std::vector<int>& params = {}) {
  std::vector<uchar> buffer;
  EXPECT_TRUE(cv::imencode(extension, image, buffer, params));
  return std::string(buffer.begin(), buffer.end());
}

// The independent reference: OpenCV's IMREAD_COLOR decoding, in RGB order.
cv::Mat opencv_rgb(const std::string& bytes) {
  const cv::Mat data(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
  const cv::Mat bgr = cv::imdecode(data, cv::IMREAD_COLOR);
  cv::Mat rgb;
  if (!bgr.empty()) cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

bool same_pixels(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && (a.empty() || cv::norm(a, b, cv::NORM_INF) == 0);
}

cv::Mat decode(const std::string& bytes) { return decode_rgb_image(bytes, "test image"); }

// A CMYK (or YCCK) JPEG written with libjpeg, which stores the samples as
// given, with an Adobe marker; OpenCV cannot write one.
std::string four_channel_jpeg(const cv::Mat& cmyk, J_COLOR_SPACE stored_as) {
  jpeg_compress_struct encoder{};
  jpeg_error_mgr errors{};
  encoder.err = jpeg_std_error(&errors);
  jpeg_create_compress(&encoder);
  unsigned char* out = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&encoder, &out, &size);
  encoder.image_width = static_cast<JDIMENSION>(cmyk.cols);
  encoder.image_height = static_cast<JDIMENSION>(cmyk.rows);
  encoder.input_components = 4;
  encoder.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&encoder);
  jpeg_set_colorspace(&encoder, stored_as);
  jpeg_set_quality(&encoder, 95, TRUE);
  jpeg_start_compress(&encoder, TRUE);
  while (encoder.next_scanline < encoder.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(cmyk.ptr<std::uint8_t>(static_cast<int>(encoder.next_scanline)));
    jpeg_write_scanlines(&encoder, &row, 1);
  }
  jpeg_finish_compress(&encoder);
  jpeg_destroy_compress(&encoder);
  std::string bytes(reinterpret_cast<const char*>(out), size);
  std::free(out);
  return bytes;
}

TEST(ImageFile, JpegsDecodeToTheSamePixelsAsOpenCv) {
  const std::vector<std::string> jpegs = {
      encode(".jpg", noise(37, 53, CV_8UC3)),
      encode(".jpg", noise(20, 16, CV_8UC1)),  // a grayscale JPEG
      encode(".jpg", noise(33, 40, CV_8UC3), {cv::IMWRITE_JPEG_PROGRESSIVE, 1}),
      encode(".jpg", noise(16, 24, CV_8UC3), {cv::IMWRITE_JPEG_RST_INTERVAL, 1}),
  };
  for (const std::string& jpeg : jpegs) {
    const cv::Mat rgb = decode(jpeg);
    ASSERT_EQ(rgb.type(), CV_8UC3);
    EXPECT_TRUE(same_pixels(rgb, opencv_rgb(jpeg)));
  }
  const cv::Mat gray = decode(jpegs[1]);
  std::vector<cv::Mat> channels;
  cv::split(gray, channels);
  EXPECT_EQ(cv::norm(channels[0], channels[1], cv::NORM_INF), 0);
  EXPECT_EQ(cv::norm(channels[0], channels[2], cv::NORM_INF), 0);
}

TEST(ImageFile, CmykAndYcckJpegsBecomeRgbAsOpenCvConvertsThem) {
  for (const J_COLOR_SPACE stored_as : {JCS_CMYK, JCS_YCCK}) {
    const std::string jpeg = four_channel_jpeg(noise(24, 40, CV_8UC4), stored_as);
    const cv::Mat rgb = decode(jpeg);
    ASSERT_EQ(rgb.type(), CV_8UC3);
    ASSERT_EQ(rgb.size(), cv::Size(40, 24));
    EXPECT_TRUE(same_pixels(rgb, opencv_rgb(jpeg))) << "stored as colour space " << stored_as;
  }
  // Adobe's inverted CMYK: stored C = 255 (no cyan), M = Y = 0 (full), K = 255 (no black) is red.
  const cv::Vec3b red =
      decode(four_channel_jpeg(cv::Mat(16, 16, CV_8UC4, cv::Scalar(255, 0, 0, 255)), JCS_CMYK))
          .at<cv::Vec3b>(8, 8);
  EXPECT_GE(red[0], 250);
  EXPECT_LE(red[1], 5);
  EXPECT_LE(red[2], 5);
}

TEST(ImageFile, CorruptJpegScanDataIsRefusedNamingTheFileAndPrintingNothing) {
  const test::TempDir dir;
  const std::string good = encode(".jpg", noise(64, 64, CV_8UC3));
  const std::size_t sos = good.find("\xff\xda");
  ASSERT_NE(sos, std::string::npos);
  const std::size_t scan =
      sos + 2 + (static_cast<std::uint8_t>(good[sos + 2]) << 8) + static_cast<std::uint8_t>(good[sos + 3]);
  std::string bad = good;
  const std::size_t middle = (scan + good.size()) / 2;
  for (std::size_t i = 0; i < 64; ++i)
    bad[middle + i] = static_cast<char>((i * 37 + 11) % 255);  // never 0xFF
  test::write_bytes(dir.file("corrupt.jpg"), bad);

  test::StderrCapture stderr_capture;
  ASSERT_TRUE(stderr_capture.active());
  const std::string message = read_error(dir.file("corrupt.jpg"));
  EXPECT_EQ(stderr_capture.text(), "");
  EXPECT_PRED2(contains, message,
               dir.file("corrupt.jpg").string() + ": corrupt JPEG (libjpeg: Corrupt JPEG data: ");
}

TEST(ImageFile, JpegFollowedByATrailerAfterItsEndMarkerIsAccepted) {
  const test::TempDir dir;
  const std::string jpeg = encode(".jpg", noise(24, 32, CV_8UC3));
  std::string trailer;
  for (int i = 0; i < 1000; ++i) trailer.push_back(static_cast<char>(i * 7));  // holds FF D8 and FF D9
  test::write_bytes(dir.file("trailer.jpg"), jpeg + trailer);
  const cv::Mat rgb = read_rgb_image(dir.file("trailer.jpg"));
  EXPECT_TRUE(same_pixels(rgb, decode(jpeg)));
  EXPECT_TRUE(same_pixels(rgb, opencv_rgb(jpeg)));
}

TEST(ImageFile, ExifOrientationIsIgnoredButReported) {
  const test::TempDir dir;
  cv::Mat wide(8, 16, CV_8UC3, kRedBgr);
  wide.colRange(8, 16).setTo(cv::Scalar(255, 0, 0));  // right half blue
  const std::string jpeg = encode(".jpg", wide);
  const std::string rotated = jpeg.substr(0, 2) + testing::exif_segment(6, "MM") + jpeg.substr(2);
  test::write_bytes(dir.file("rotated.jpg"), rotated);
  // A viewer (and OpenCV) would show it rotated 90 degrees: 8 wide, 16 tall.
  EXPECT_EQ(
      cv::imdecode(cv::Mat(1, static_cast<int>(rotated.size()), CV_8UC1, const_cast<char*>(rotated.data())),
                   cv::IMREAD_COLOR)
          .size(),
      cv::Size(8, 16));
  const cv::Mat rgb = read_rgb_image(dir.file("rotated.jpg"));
  EXPECT_EQ(rgb.size(), cv::Size(16, 8));
  EXPECT_TRUE(same_pixels(rgb, decode(jpeg)));
  EXPECT_EQ(image_exif_orientation(dir.file("rotated.jpg")), 6);

  test::write_bytes(dir.file("plain.jpg"), jpeg);
  EXPECT_EQ(image_exif_orientation(dir.file("plain.jpg")), std::nullopt);
  test::write_bytes(dir.file("image.png"), encode(".png", wide));
  EXPECT_EQ(image_exif_orientation(dir.file("image.png")), std::nullopt);
  EXPECT_PRED2(contains, error_message([&] { image_exif_orientation(dir.file("none.jpg")); }),
               dir.file("none.jpg").string() + ": no such file");
}

TEST(ImageFile, CorruptPngIsRefusedNamingTheFileAndPrintingNothing) {
  const test::TempDir dir;
  std::string png = encode(".png", noise(64, 64, CV_8UC3));
  png[png.size() / 2] = static_cast<char>(png[png.size() / 2] ^ 0x5A);  // breaks the IDAT CRC
  test::write_bytes(dir.file("corrupt.png"), png);

  test::StderrCapture stderr_capture;
  ASSERT_TRUE(stderr_capture.active());
  const std::string message = read_error(dir.file("corrupt.png"));
  EXPECT_EQ(stderr_capture.text(), "");
  EXPECT_PRED2(contains, message, dir.file("corrupt.png").string() + ": truncated or corrupt PNG (");
}

// A tRNS chunk (transparency) inserted before the first IDAT.
std::string with_trns(const std::string& png, const std::string& data) {
  const std::size_t idat = png.find("IDAT") - 4;
  return png.substr(0, idat) + test::png_chunk("tRNS" + data) + png.substr(idat);
}

TEST(ImageFile, PngsDecodeToTheSamePixelsAsOpenCv) {
  const test::TempDir dir;
  const cv::Mat indices = noise(9, 11, CV_8UC1) / 64;  // 0..3
  write_index_png(dir.file("palette.png"), indices,
                  {Rgb{255, 0, 0}, Rgb{0, 255, 0}, Rgb{0, 0, 255}, Rgb{9, 8, 7}});
  write_index_png(dir.file("gray.png"), indices * 80, {});
  const std::string palette = test::read_bytes(dir.file("palette.png"));
  const std::string gray = test::read_bytes(dir.file("gray.png"));
  std::vector<std::string> pngs = {
      encode(".png", noise(13, 17, CV_8UC3)),
      encode(".png", noise(13, 17, CV_8UC4)),   // alpha dropped, not composited
      encode(".png", noise(13, 17, CV_16UC3)),  // high byte kept
      encode(".png", noise(13, 17, CV_16UC4)),
      encode(".png", noise(13, 17, CV_16UC1)),
      encode(".png", noise(13, 17, CV_8UC1)),
      encode(".png", noise(3, 21, CV_8UC1), {cv::IMWRITE_PNG_BILEVEL, 1}),  // 1-bit gray, scaled to 0/255
      palette,
      with_trns(palette, std::string("\x00\x80", 2)),  // transparency ignored
      gray,
      with_trns(gray, std::string("\x00\x50", 2)),
  };
  // Files of other writers: interlaced, 2- and 4-bit, gray+alpha.
  const std::filesystem::path corpus =
      std::filesystem::path(testing::source_dir()) / "fuzz/corpus/fuzz_png_mask";
  for (const std::string name : {"gray8_interlaced.png", "palette2_interlaced.png", "palette4.png",
                                 "gray2.png", "gray_alpha.png", "gray16.png"}) {
    pngs.push_back(test::read_bytes(corpus / name));
    ASSERT_FALSE(pngs.back().empty()) << corpus / name;
  }
  for (std::size_t i = 0; i < pngs.size(); ++i) {
    const cv::Mat rgb = decode(pngs[i]);
    ASSERT_EQ(rgb.type(), CV_8UC3) << "PNG " << i;
    EXPECT_TRUE(same_pixels(rgb, opencv_rgb(pngs[i]))) << "PNG " << i;
  }
  const std::vector<cv::Vec3b> colours = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {9, 8, 7}};
  EXPECT_EQ(decode(palette).at<cv::Vec3b>(2, 3), colours[indices.at<std::uint8_t>(2, 3)]);
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
               missing_folder.string() + ": cannot be written: its folder");
  EXPECT_PRED2(contains, error_message([&] { write_rgb_image(dir.file("out.xyz"), rgb); }),
               dir.file("out.xyz").string() + ": cannot write image");
  EXPECT_PRED2(contains,
               error_message([&] { write_rgb_image(dir.file("gray.png"), cv::Mat(2, 2, CV_8UC1)); }),
               "CV_8UC3");
}

}  // namespace
}  // namespace advseg

namespace advseg {
namespace {

// Issue 27, item 15: predict shows images as viewers do. Each orientation
// maps the stored pixel (row, col) of a 2x3 image where EXIF says it is shown.
TEST(OrientedAsShown, EachExifOrientationFlipsOrRotatesAsViewersDo) {
  cv::Mat stored(2, 3, CV_8UC3);
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 3; ++c) stored.at<cv::Vec3b>(r, c) = cv::Vec3b(static_cast<uchar>(10 * r + c), 0, 0);
  const auto value_at = [](const cv::Mat& image, int r, int c) { return image.at<cv::Vec3b>(r, c)[0]; };
  struct Case {
    int orientation;
    cv::Size shown_size;      // width x height
    int top_left, top_right;  // stored values shown there
  };
  for (const Case& c :
       {Case{1, {3, 2}, 0, 2}, Case{2, {3, 2}, 2, 0}, Case{3, {3, 2}, 12, 10}, Case{4, {3, 2}, 10, 12},
        Case{5, {2, 3}, 0, 10}, Case{6, {2, 3}, 10, 0}, Case{7, {2, 3}, 12, 2}, Case{8, {2, 3}, 2, 12}}) {
    const cv::Mat shown = oriented_as_shown(stored, c.orientation);
    EXPECT_EQ(shown.size(), c.shown_size) << c.orientation;
    EXPECT_EQ(value_at(shown, 0, 0), c.top_left) << c.orientation;
    EXPECT_EQ(value_at(shown, 0, shown.cols - 1), c.top_right) << c.orientation;
  }
}

}  // namespace
}  // namespace advseg
