// libpng refuses a chunk whose CRC does not match, so nearly every mutation
// would stop at the first CRC check. Rewriting the CRCs lets mutated headers,
// palettes and image data reach the decoder and our checks. Needs zlib.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace advseg::fuzz {

inline std::uint32_t read_big_endian32(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
         std::uint32_t{bytes[3]};
}

inline void write_big_endian32(std::uint8_t* bytes, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
}

// A copy of the PNG `data` with every complete chunk's CRC made valid.
inline std::vector<std::uint8_t> with_valid_chunk_crcs(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> png(data, data + size);
  std::size_t chunk = 8;  // after the signature
  while (chunk + 12 <= png.size()) {
    const std::size_t length = read_big_endian32(&png[chunk]);
    if (length > png.size() - chunk - 12) break;
    const std::uint8_t* type_and_data = &png[chunk + 4];
    const auto crc = crc32(crc32(0, nullptr, 0), type_and_data, static_cast<uInt>(4 + length));
    write_big_endian32(&png[chunk + 8 + length], static_cast<std::uint32_t>(crc));
    chunk += 12 + length;
  }
  return png;
}

}  // namespace advseg::fuzz
