// One libpng reader for both kinds of PNG advseg reads: label masks as raw
// class indices (png_mask.h) and photos as 8-bit RGB (image_file.h). Errors
// are advseg::Error naming the source; libpng prints nothing (libpng_handle.h).
#pragma once

#include <png.h>

#include <cstddef>
#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace advseg {

struct PngHeader {
  png_uint_32 width = 0;
  png_uint_32 height = 0;
  int bit_depth = 0;
  int colour_type = 0;
};

enum class PngTarget {
  // CV_8UC1 of the stored values: palette indices or gray levels, 1/2/4-bit
  // samples unpacked to one byte each but not scaled.
  kIndices,
  // CV_8UC3 in RGB order, as OpenCV's IMREAD_COLOR decodes (in BGR): palette
  // and gray expanded to RGB, 1/2/4-bit gray scaled to 8 bits, 16-bit samples
  // cut to their high byte, alpha dropped (not composited), tRNS ignored.
  kRgb,
};

// Called with the header before any pixel buffer is allocated; throws
// advseg::Error naming `source` to refuse the image.
using PngHeaderCheck = void (*)(const std::string& source, const PngHeader& header);

// Decodes PNG bytes into `target`'s layout. Throws advseg::Error naming
// `source` for a bad signature, truncated or corrupt data ("truncated or
// corrupt PNG (LIBPNG MESSAGE)"), more than `max_pixels` pixels (checked from
// the header), or a header `check` refuses.
cv::Mat decode_png(const std::uint8_t* data, std::size_t size, const std::string& source, PngTarget target,
                   long long max_pixels, PngHeaderCheck check = nullptr);

// The row pointers libpng reads into or writes from, for an 8-bit Mat.
std::vector<png_bytep> png_row_pointers(const cv::Mat& image);

}  // namespace advseg
