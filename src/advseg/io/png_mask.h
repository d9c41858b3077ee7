// Label masks as 8-bit PNGs (grayscale or palette), read as raw indices with
// libpng. A colour decoder would turn palette entries into colours and lose
// the class indices, so OpenCV is never used for masks.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace advseg {

using Rgb = std::array<std::uint8_t, 3>;

// Decodes PNG bytes into a CV_8UC1 index map. RGB/RGBA/gray+alpha or 16-bit
// PNGs, truncated data and images above `max_pixels` throw advseg::Error
// naming `source` and saying what was found.
cv::Mat decode_index_png(const std::uint8_t* data, std::size_t size, const std::string& source,
                         long long max_pixels = 100000000);
cv::Mat read_index_png(const std::filesystem::path& path, long long max_pixels = 100000000);

// Writes a CV_8UC1 index map as a palette PNG (grayscale when `palette` is
// empty). Throws advseg::Error naming the path when it cannot be written.
void write_index_png(const std::filesystem::path& path, const cv::Mat& indices,
                     const std::vector<Rgb>& palette);

}  // namespace advseg
