// RGB images, with the checks a dataset reader needs: clear errors for
// missing, empty, truncated, corrupt or non-image files, and a pixel limit
// checked from the header before decoding (decompression bombs). PNG and JPEG
// are decoded with libpng and libjpeg directly (strict about corrupt data,
// silent on stderr); other formats (BMP, TIFF, ...) through OpenCV.
#pragma once

#include <filesystem>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace advseg {

// Returns a CV_8UC3 image in RGB order. Grayscale, palette, alpha and 16-bit
// images are converted, not refused (alpha dropped, 16-bit cut to the high
// byte, as OpenCV's IMREAD_COLOR does). A JPEG's EXIF orientation is IGNORED:
// the pixels come as stored, unrotated, so they line up with label maps made
// from the stored pixels (see image_exif_orientation(); predict applies it
// with oriented_as_shown()). Bytes after a JPEG's
// end-of-image marker (camera trailers) are ignored; corrupt or truncated
// data is an error, never grey fill. Every error is an advseg::Error
// "PATH: PROBLEM".
cv::Mat read_rgb_image(const std::filesystem::path& path, long long max_pixels = 100000000);

// read_rgb_image() on bytes already read; errors name `source`.
cv::Mat decode_rgb_image(std::string_view bytes, const std::string& source, long long max_pixels = 100000000);

// The EXIF orientation (1-8) of a JPEG at `path`, nullopt when it has none or
// is not a JPEG; for messages such as "the image has EXIF orientation 6,
// which advseg ignores". Throws advseg::Error as read_rgb_image() does when
// the file cannot be read.
std::optional<int> image_exif_orientation(const std::filesystem::path& path);

// The image as viewers show it given its file's EXIF orientation (1-8):
// flipped and/or rotated; 1 (or any other value) returns it as it is.
cv::Mat oriented_as_shown(const cv::Mat& image, int orientation);

// Writes a CV_8UC3 RGB image; the format follows the extension (.png, .jpg).
void write_rgb_image(const std::filesystem::path& path, const cv::Mat& rgb);
// Writes a CV_8UC1 grey image (.png).
void write_grey_image(const std::filesystem::path& path, const cv::Mat& grey);

// A CV_8UC3 RGB image as the bytes of a PNG file (for embedding in a report).
std::string encode_png(const cv::Mat& rgb);

}  // namespace advseg
