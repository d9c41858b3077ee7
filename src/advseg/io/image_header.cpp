#include "advseg/io/image_header.h"

#include "advseg/error.h"

namespace advseg {

namespace {

constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);
constexpr std::string_view kJpegSignature("\xff\xd8\xff", 3);

std::uint8_t byte_at(std::string_view bytes, std::size_t offset) {
  return static_cast<std::uint8_t>(bytes[offset]);
}

long long read_big_endian(std::string_view bytes, std::size_t offset, std::size_t length) {
  long long value = 0;
  for (std::size_t i = 0; i < length; ++i) value = (value << 8) | byte_at(bytes, offset + i);
  return value;
}

// SOF0..SOF15 minus DHT (C4), JPG (C8) and DAC (CC), which share the range.
bool is_frame_header(std::uint8_t marker) {
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

// Markers that stand alone, with no length field after them.
bool is_standalone_marker(std::uint8_t marker) {
  return marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7);
}

}  // namespace

void check_pixel_limit(const std::string& source, const ImageSize& size, long long max_pixels) {
  const bool too_many = size.width > 0 && size.height > 0 && size.height > max_pixels / size.width;
  if (too_many || max_pixels < 0) {
    fail_at(source, "image is " + std::to_string(size.width) + "x" + std::to_string(size.height) +
                        " pixels, above the limit of " + std::to_string(max_pixels) + " pixels");
  }
}

ImageFormat sniff_image_format(std::string_view bytes) {
  if (bytes.substr(0, kPngSignature.size()) == kPngSignature) return ImageFormat::kPng;
  if (bytes.substr(0, kJpegSignature.size()) == kJpegSignature) return ImageFormat::kJpeg;
  return ImageFormat::kOther;
}

std::optional<ImageSize> png_header_size(std::string_view bytes) {
  // Signature (8), then the first chunk, which must be IHDR: length (4), type
  // (4), width (4), height (4).
  constexpr std::size_t kHeaderEnd = 24;
  if (bytes.size() < kHeaderEnd || bytes.substr(12, 4) != "IHDR") return std::nullopt;
  return ImageSize{read_big_endian(bytes, 16, 4), read_big_endian(bytes, 20, 4)};
}

std::optional<ImageSize> jpeg_header_size(std::string_view bytes) {
  // Walk the marker segments after SOI; the frame header precedes the scan.
  std::size_t pos = 2;
  while (pos + 4 <= bytes.size()) {
    if (byte_at(bytes, pos) != 0xFF) return std::nullopt;
    const std::uint8_t marker = byte_at(bytes, pos + 1);
    if (marker == 0xFF) {  // fill byte before a marker
      ++pos;
      continue;
    }
    if (is_standalone_marker(marker)) {
      pos += 2;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) return std::nullopt;  // end or scan data before any frame header
    const auto length = static_cast<std::size_t>(read_big_endian(bytes, pos + 2, 2));
    if (length < 2) return std::nullopt;
    if (is_frame_header(marker)) {
      // Segment: length (2), precision (1), height (2), width (2).
      if (pos + 9 > bytes.size()) return std::nullopt;
      return ImageSize{read_big_endian(bytes, pos + 7, 2), read_big_endian(bytes, pos + 5, 2)};
    }
    pos += 2 + length;
  }
  return std::nullopt;
}

bool jpeg_has_end_marker(std::string_view bytes) {
  const std::size_t last = bytes.find_last_not_of(std::string_view(" \t\r\n\0", 5));
  return last != std::string_view::npos && last >= 1 && byte_at(bytes, last - 1) == 0xFF &&
         byte_at(bytes, last) == 0xD9;
}

}  // namespace advseg
