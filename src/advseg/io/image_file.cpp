#include "advseg/io/image_file.h"

#include <climits>
#include <cstdint>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "advseg/error.h"
#include "advseg/io/file_bytes.h"
#include "advseg/io/image_header.h"
#include "advseg/io/jpeg_reader.h"
#include "advseg/io/output_file.h"
#include "advseg/io/png_reader.h"

namespace advseg {

namespace fs = std::filesystem;

namespace {

// PNG and JPEG sizes are read from their headers so that a decompression
// bomb is refused before any decoder allocates, even libpng's own buffers.
void check_header(const std::string& source, std::string_view bytes, long long max_pixels) {
  switch (sniff_image_format(bytes)) {
    case ImageFormat::kPng: {
      const auto size = png_header_size(bytes);
      if (!size) fail_at(source, "truncated or corrupt PNG (no IHDR header)");
      check_pixel_limit(source, *size, max_pixels);
      break;
    }
    case ImageFormat::kJpeg: {
      const auto size = jpeg_header_size(bytes);
      if (!size) fail_at(source, "truncated or corrupt JPEG (no frame header before the image data)");
      check_pixel_limit(source, *size, max_pixels);
      break;
    }
    case ImageFormat::kOther:
      break;
  }
}

cv::Mat decode_with_opencv(const std::string& source, std::string_view bytes, long long max_pixels) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) fail_at(source, "file too large to decode");
  const auto* data = reinterpret_cast<const uchar*>(bytes.data());
  cv::Mat bgr;
  try {
    // IMREAD_COLOR turns grayscale, alpha and 16-bit images into 8-bit BGR.
    bgr = cv::imdecode(cv::_InputArray(data, static_cast<int>(bytes.size())), cv::IMREAD_COLOR);
  } catch (const cv::Exception& error) {
    fail_at(source, "cannot decode image (" + error.msg + ")");
  }
  if (bgr.empty()) fail_at(source, "not a readable image (unknown format, or truncated or corrupt data)");
  // These formats have no header check, so they are checked once decoded.
  check_pixel_limit(source, ImageSize{bgr.cols, bgr.rows}, max_pixels);
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

}  // namespace

cv::Mat decode_rgb_image(std::string_view bytes, const std::string& source, long long max_pixels) {
  if (bytes.empty()) fail_at(source, "empty file, not an image");
  check_header(source, bytes, max_pixels);
  switch (sniff_image_format(bytes)) {
    case ImageFormat::kPng:
      return decode_png(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), source,
                        PngTarget::kRgb, max_pixels);
    case ImageFormat::kJpeg:
      return decode_jpeg(bytes, source, max_pixels);
    case ImageFormat::kOther:
      break;
  }
  return decode_with_opencv(source, bytes, max_pixels);
}

cv::Mat read_rgb_image(const fs::path& path, long long max_pixels) {
  return decode_rgb_image(read_file_bytes(path), path.string(), max_pixels);
}

std::optional<int> image_exif_orientation(const fs::path& path) {
  return jpeg_exif_orientation(read_file_bytes(path));
}

cv::Mat oriented_as_shown(const cv::Mat& image, int orientation) {
  cv::Mat shown;
  switch (orientation) {
    case 2:  // mirrored
      cv::flip(image, shown, 1);
      return shown;
    case 3:
      cv::rotate(image, shown, cv::ROTATE_180);
      return shown;
    case 4:  // upside down, mirrored
      cv::flip(image, shown, 0);
      return shown;
    case 5:  // mirrored along the main diagonal
      cv::transpose(image, shown);
      return shown;
    case 6:
      cv::rotate(image, shown, cv::ROTATE_90_CLOCKWISE);
      return shown;
    case 7:  // mirrored along the other diagonal
      cv::transpose(image, shown);
      cv::rotate(shown, shown, cv::ROTATE_180);
      return shown;
    case 8:
      cv::rotate(image, shown, cv::ROTATE_90_COUNTERCLOCKWISE);
      return shown;
    default:
      return image;
  }
}

namespace {

// In one rename (replace_file); the format follows the extension.
void write_image(const fs::path& path, const cv::Mat& pixels) {
  replace_file(path, [&](const fs::path& file) {
    bool written = false;
    try {
      written = cv::imwrite(file.string(), pixels);
    } catch (const cv::Exception& error) {
      fail_at(path, "cannot write image (" + error.msg + ")");
    }
    if (!written)
      fail_at(path, "cannot write image (missing folder, no permission, or unsupported extension)");
  });
}

}  // namespace

void write_rgb_image(const fs::path& path, const cv::Mat& rgb) {
  if (rgb.empty() || rgb.type() != CV_8UC3)
    fail_at(path, "write_rgb_image needs a non-empty CV_8UC3 RGB image");
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  write_image(path, bgr);
}

void write_grey_image(const fs::path& path, const cv::Mat& grey) {
  if (grey.empty() || grey.type() != CV_8UC1)
    fail_at(path, "write_grey_image needs a non-empty CV_8UC1 image");
  write_image(path, grey);
}

std::string encode_png(const cv::Mat& rgb) {
  if (rgb.empty() || rgb.type() != CV_8UC3) throw Error("encode_png needs a non-empty CV_8UC3 RGB image");
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<std::uint8_t> bytes;
  if (!cv::imencode(".png", bgr, bytes)) throw Error("cannot encode a PNG image");
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace advseg
