// Just enough of the PNG and JPEG formats to learn an image's size, and a
// JPEG's EXIF orientation, without decoding it: the pixel limit must be
// checked before a decoder allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace advseg {

struct ImageSize {
  long long width = 0;
  long long height = 0;
};

// Throws advseg::Error naming `source` when width * height > max_pixels
// (computed without overflow: header sizes are untrusted 32-bit values).
void check_pixel_limit(const std::string& source, const ImageSize& size, long long max_pixels);

enum class ImageFormat { kPng, kJpeg, kOther };

ImageFormat sniff_image_format(std::string_view bytes);

// Size from the IHDR chunk; nullopt when the header is cut short or malformed.
std::optional<ImageSize> png_header_size(std::string_view bytes);

// Size from the first SOFn (frame header) marker; nullopt when none is found
// before the scan data or the end of the bytes.
std::optional<ImageSize> jpeg_header_size(std::string_view bytes);

// The EXIF orientation (1-8, 1 = as stored) from the first APP1 "Exif"
// segment before the scan data; nullopt when there is none, it has no
// orientation tag, or the bytes are not a JPEG or are malformed.
std::optional<int> jpeg_exif_orientation(std::string_view bytes);

}  // namespace advseg
