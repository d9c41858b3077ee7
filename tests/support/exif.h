// Hand-made EXIF metadata for JPEG test files.
#pragma once

#include <string>

namespace advseg::testing {

// An APP1 segment "Exif\0\0" + a TIFF header in `byte_order` ("MM" or "II")
// whose IFD0 holds one entry: Orientation (0x0112), SHORT, 1 value.
inline std::string exif_segment(int orientation, const std::string& byte_order) {
  const bool big = byte_order == "MM";
  const auto u16 = [big](int value) {
    const char high = static_cast<char>(value >> 8), low = static_cast<char>(value & 0xFF);
    return big ? std::string{high, low} : std::string{low, high};
  };
  const auto u32 = [&](int value) {
    return big ? u16(value >> 16) + u16(value) : u16(value) + u16(value >> 16);
  };
  const std::string tiff = byte_order + u16(42) + u32(8) + u16(1) + u16(0x0112) + u16(3) + u32(1) +
                           u16(orientation) + u16(0) + u32(0);
  const std::string payload = std::string("Exif\0\0", 6) + tiff;
  const int length = static_cast<int>(payload.size()) + 2;
  return std::string{'\xff', '\xe1', static_cast<char>(length >> 8), static_cast<char>(length & 0xFF)} +
         payload;
}

}  // namespace advseg::testing
