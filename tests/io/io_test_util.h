// Helpers shared by the io tests: a scratch folder removed afterwards, whole
// file reads and writes, and the message of an expected advseg::Error.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "advseg/error.h"
#include "support/temp_dir.h"

namespace advseg::test {

using TempDir = advseg::testing::TempDir;

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << "cannot write test input " << path;
}

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The message of the advseg::Error thrown by `action`; a test failure (and "")
// when it throws nothing.
template <typename Action>
std::string error_message(Action&& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected an advseg::Error, but nothing was thrown";
  return "";
}

// A PNG declaring `width` x `height` 8-bit pixels of `colour_type`, with
// valid chunks but an empty IDAT: what a decompression bomb starts with.
inline std::string png_header_only(std::uint32_t width, std::uint32_t height, std::uint8_t colour_type) {
  const auto big_endian = [](std::uint32_t value) {
    return std::string{static_cast<char>(value >> 24), static_cast<char>(value >> 16),
                       static_cast<char>(value >> 8), static_cast<char>(value)};
  };
  const auto crc32 = [](const std::string& bytes) {  // the PNG chunk CRC (ISO 3309)
    std::uint32_t crc = 0xFFFFFFFFu;
    for (unsigned char byte : bytes) {
      crc ^= byte;
      for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xFFFFFFFFu;
  };
  const auto chunk = [&](const std::string& type_and_data) {
    return big_endian(static_cast<std::uint32_t>(type_and_data.size() - 4)) + type_and_data +
           big_endian(crc32(type_and_data));
  };
  const std::string ihdr = "IHDR" + big_endian(width) + big_endian(height) +
                           std::string{8, static_cast<char>(colour_type), 0, 0, 0};
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk(ihdr) + chunk("IDAT") + chunk("IEND");
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace advseg::test
