// Helpers shared by the io tests: a scratch folder removed afterwards, whole
// file reads and writes, and the message of an expected advseg::Error.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
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

inline std::string big_endian32(std::uint32_t value) {
  return std::string{static_cast<char>(value >> 24), static_cast<char>(value >> 16),
                     static_cast<char>(value >> 8), static_cast<char>(value)};
}

// One PNG chunk: length, `type_and_data` ("IHDR" + its fields), CRC.
inline std::string png_chunk(const std::string& type_and_data) {
  std::uint32_t crc = 0xFFFFFFFFu;  // the PNG chunk CRC (ISO 3309)
  for (unsigned char byte : type_and_data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return big_endian32(static_cast<std::uint32_t>(type_and_data.size() - 4)) + type_and_data +
         big_endian32(crc ^ 0xFFFFFFFFu);
}

// A PNG declaring `width` x `height` 8-bit pixels of `colour_type`, with
// valid chunks but an empty IDAT: what a decompression bomb starts with.
inline std::string png_header_only(std::uint32_t width, std::uint32_t height, std::uint8_t colour_type) {
  const std::string ihdr = "IHDR" + big_endian32(width) + big_endian32(height) +
                           std::string{8, static_cast<char>(colour_type), 0, 0, 0};
  return std::string("\x89PNG\r\n\x1a\n", 8) + png_chunk(ihdr) + png_chunk("IDAT") + png_chunk("IEND");
}

// Sends what is written to stderr (file descriptor 2, so C libraries' output
// too) to a scratch file until text() restores it.
class StderrCapture {
 public:
  StderrCapture() : file_(std::tmpfile()) {
    std::fflush(stderr);
    if (file_ != nullptr) saved_ = ::dup(2);
    if (saved_ >= 0) ::dup2(::fileno(file_), 2);
  }
  ~StderrCapture() {
    text();
    if (file_ != nullptr) std::fclose(file_);
  }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;

  // Restores stderr (on the first call) and returns what was written to it.
  std::string text() {
    if (saved_ < 0) return text_;
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
    saved_ = -1;
    std::rewind(file_);
    char chunk[4096];
    for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, file_)) > 0;) text_.append(chunk, n);
    return text_;
  }
  bool active() const { return saved_ >= 0; }

 private:
  std::FILE* file_;
  int saved_ = -1;
  std::string text_;
};

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace advseg::test
