#include "advseg/io/image_file.h"

#include <climits>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "advseg/error.h"
#include "advseg/io/file_bytes.h"
#include "advseg/io/image_header.h"

namespace advseg {

namespace fs = std::filesystem;

namespace {

// PNG and JPEG sizes are read from their headers so that a decompression
// bomb is refused before any pixel buffer is allocated.
void check_header(const fs::path& path, std::string_view bytes, long long max_pixels) {
  switch (sniff_image_format(bytes)) {
    case ImageFormat::kPng: {
      const auto size = png_header_size(bytes);
      if (!size) fail_at(path, "truncated or corrupt PNG (no IHDR header)");
      check_pixel_limit(path.string(), *size, max_pixels);
      break;
    }
    case ImageFormat::kJpeg: {
      const auto size = jpeg_header_size(bytes);
      if (!size) fail_at(path, "truncated or corrupt JPEG (no frame header before the image data)");
      check_pixel_limit(path.string(), *size, max_pixels);
      // libjpeg pads a cut-off file with grey and calls it a success.
      if (!jpeg_has_end_marker(bytes)) fail_at(path, "truncated JPEG (no end-of-image marker)");
      break;
    }
    case ImageFormat::kOther:
      break;
  }
}

cv::Mat decode_bgr(const fs::path& path, std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) fail_at(path, "file too large to decode");
  const auto* data = reinterpret_cast<const uchar*>(bytes.data());
  cv::Mat bgr;
  try {
    // IMREAD_COLOR turns grayscale, alpha and 16-bit images into 8-bit BGR.
    bgr = cv::imdecode(cv::_InputArray(data, static_cast<int>(bytes.size())), cv::IMREAD_COLOR);
  } catch (const cv::Exception& error) {
    fail_at(path, "cannot decode image (" + error.msg + ")");
  }
  if (bgr.empty()) fail_at(path, "not a readable image (unknown format, or truncated or corrupt data)");
  return bgr;
}

}  // namespace

cv::Mat read_rgb_image(const fs::path& path, long long max_pixels) {
  const std::string bytes = read_file_bytes(path);
  if (bytes.empty()) fail_at(path, "empty file, not an image");
  check_header(path, bytes, max_pixels);
  const cv::Mat bgr = decode_bgr(path, bytes);
  // Formats without a header check (BMP, TIFF, ...) are checked once decoded.
  check_pixel_limit(path.string(), ImageSize{bgr.cols, bgr.rows}, max_pixels);
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

void write_rgb_image(const fs::path& path, const cv::Mat& rgb) {
  if (rgb.empty() || rgb.type() != CV_8UC3)
    fail_at(path, "write_rgb_image needs a non-empty CV_8UC3 RGB image");
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  bool written = false;
  try {
    written = cv::imwrite(path.string(), bgr);
  } catch (const cv::Exception& error) {
    fail_at(path, "cannot write image (" + error.msg + ")");
  }
  if (!written) fail_at(path, "cannot write image (missing folder, no permission, or unsupported extension)");
}

}  // namespace advseg
