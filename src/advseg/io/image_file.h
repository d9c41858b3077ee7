// RGB images through OpenCV's decoders, with the checks a dataset reader
// needs: clear errors for missing, empty, truncated or non-image files, and a
// pixel limit checked from the header before decoding (decompression bombs).
#pragma once

#include <filesystem>
#include <opencv2/core.hpp>

namespace advseg {

// Returns a CV_8UC3 image in RGB order. Grayscale, alpha and 16-bit images are
// converted, not refused.
cv::Mat read_rgb_image(const std::filesystem::path& path, long long max_pixels = 100000000);

// Writes a CV_8UC3 RGB image; the format follows the extension (.png, .jpg).
void write_rgb_image(const std::filesystem::path& path, const cv::Mat& rgb);

}  // namespace advseg
