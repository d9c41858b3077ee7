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

// Calls visit(marker, pos, length) for each marker segment with a length
// field before the scan data, in order: `pos` is the offset of its FF byte,
// `length` its length field (which counts itself but not the marker), with
// pos + 4 <= bytes.size(). Stops when visit returns true, at the scan data
// (SOS) or the end (EOI), and at the first malformed marker.
template <class Visit>
void walk_jpeg_segments(std::string_view bytes, Visit&& visit) {
  std::size_t pos = 2;  // after SOI
  while (pos + 4 <= bytes.size()) {
    if (byte_at(bytes, pos) != 0xFF) return;
    const std::uint8_t marker = byte_at(bytes, pos + 1);
    if (marker == 0xFF) {  // fill byte before a marker
      ++pos;
      continue;
    }
    if (is_standalone_marker(marker)) {
      pos += 2;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) return;
    const auto length = static_cast<std::size_t>(read_big_endian(bytes, pos + 2, 2));
    if (length < 2 || visit(marker, pos, length)) return;
    pos += 2 + length;
  }
}

constexpr std::string_view kExifHeader("Exif\0\0", 6);

// The Orientation tag (0x0112) of IFD0 in EXIF's TIFF structure, either byte
// order; every offset in it is untrusted, so every read is bounds-checked.
std::optional<int> tiff_orientation(std::string_view tiff) {
  bool little_endian = false;
  if (tiff.substr(0, 2) == "II") {
    little_endian = true;
  } else if (tiff.substr(0, 2) != "MM") {
    return std::nullopt;
  }
  // Reads an unsigned field, or nullopt when it lies (partly) outside `tiff`.
  const auto field = [&](std::size_t offset, std::size_t length) -> std::optional<std::uint32_t> {
    if (offset > tiff.size() || length > tiff.size() - offset) return std::nullopt;
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < length; ++i) {
      const std::size_t at = little_endian ? offset + length - 1 - i : offset + i;
      value = (value << 8) | byte_at(tiff, at);
    }
    return value;
  };
  constexpr std::uint32_t kTiffMagic = 42;
  constexpr std::uint32_t kOrientationTag = 0x0112;
  constexpr std::uint32_t kShortType = 3;
  constexpr std::size_t kEntrySize = 12;  // tag (2), type (2), count (4), value or offset (4)
  const auto magic = field(2, 2);
  const auto ifd = field(4, 4);
  if (magic != kTiffMagic || !ifd) return std::nullopt;
  const auto entries = field(*ifd, 2);
  for (std::uint32_t i = 0; entries && i < *entries; ++i) {
    const std::size_t entry = std::size_t{*ifd} + 2 + kEntrySize * i;
    if (!field(entry + kEntrySize - 4, 4)) return std::nullopt;  // the entry runs past the end
    if (field(entry, 2) != kOrientationTag) continue;
    if (field(entry + 2, 2) != kShortType || field(entry + 4, 4) != 1u) return std::nullopt;
    const std::uint32_t value = *field(entry + 8, 2);  // a SHORT fills the first half of the value field
    if (value < 1 || value > 8) return std::nullopt;
    return static_cast<int>(value);
  }
  return std::nullopt;
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
  std::optional<ImageSize> size;
  walk_jpeg_segments(bytes, [&](std::uint8_t marker, std::size_t pos, std::size_t) {
    if (!is_frame_header(marker)) return false;
    // Segment: length (2), precision (1), height (2), width (2).
    if (pos + 9 <= bytes.size()) {
      size = ImageSize{read_big_endian(bytes, pos + 7, 2), read_big_endian(bytes, pos + 5, 2)};
    }
    return true;
  });
  return size;
}

std::optional<int> jpeg_exif_orientation(std::string_view bytes) {
  if (sniff_image_format(bytes) != ImageFormat::kJpeg) return std::nullopt;
  std::optional<int> orientation;
  walk_jpeg_segments(bytes, [&](std::uint8_t marker, std::size_t pos, std::size_t length) {
    if (marker != 0xE1) return false;                  // APP1
    if (length > bytes.size() - pos - 2) return true;  // cut short: the file is truncated
    const std::string_view payload = bytes.substr(pos + 4, length - 2);
    if (payload.substr(0, kExifHeader.size()) != kExifHeader) return false;  // XMP also uses APP1
    orientation = tiff_orientation(payload.substr(kExifHeader.size()));
    return true;  // the first Exif segment is the one readers use
  });
  return orientation;
}

}  // namespace advseg
