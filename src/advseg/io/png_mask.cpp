#include "advseg/io/png_mask.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

#include "advseg/error.h"
#include "advseg/io/file_bytes.h"
#include "advseg/io/libpng_handle.h"
#include "advseg/io/png_reader.h"

namespace advseg {

namespace {

constexpr const char* kMaskFormat = "masks must be 8-bit grayscale or palette PNGs holding class indices";

// ---- Reading -------------------------------------------------------------

const char* colour_type_name(int colour_type) {
  switch (colour_type) {
    case PNG_COLOR_TYPE_RGB:
      return "an RGB";
    case PNG_COLOR_TYPE_RGB_ALPHA:
      return "an RGBA";
    case PNG_COLOR_TYPE_GRAY_ALPHA:
      return "a grayscale+alpha";
    default:
      return "an unknown colour type";
  }
}

void check_mask_header(const std::string& source, const PngHeader& header) {
  const int type = header.colour_type;
  if (type != PNG_COLOR_TYPE_GRAY && type != PNG_COLOR_TYPE_PALETTE) {
    fail_at(source, std::string("mask is ") + colour_type_name(type) + " PNG; " + kMaskFormat);
  }
  if (header.bit_depth == 16) fail_at(source, std::string("mask is a 16-bit PNG; ") + kMaskFormat);
}

// ---- Writing -------------------------------------------------------------

struct IndexImage {
  png_uint_32 width;
  png_uint_32 height;
  png_bytepp rows;
  png_const_colorp palette;
  int palette_size;  // 0: grayscale
};

// setjmp frame: plain data only. Writes `image` to the open `file`.
bool write_png(png_structp png, png_infop info, FILE* file, const IndexImage* image) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_init_io(png, file);
  const int colour_type = image->palette_size > 0 ? PNG_COLOR_TYPE_PALETTE : PNG_COLOR_TYPE_GRAY;
  png_set_IHDR(png, info, image->width, image->height, 8, colour_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (image->palette_size > 0) png_set_PLTE(png, info, image->palette, image->palette_size);
  png_write_info(png, info);
  png_write_image(png, image->rows);
  png_write_end(png, nullptr);
  return true;
}

// One PLTE entry per index up to the largest index present: libpng refuses
// indices without an entry, and the extra (black) entries keep every index
// intact in the file.
std::vector<png_color> png_palette(const cv::Mat& indices, const std::vector<Rgb>& palette) {
  if (palette.empty()) return {};
  double max_index = 0;
  cv::minMaxLoc(indices, nullptr, &max_index);
  const std::size_t entries =
      std::max(std::min<std::size_t>(palette.size(), 256), static_cast<std::size_t>(max_index) + 1);
  std::vector<png_color> colours(entries, png_color{0, 0, 0});
  for (std::size_t i = 0; i < std::min(palette.size(), entries); ++i) {
    colours[i] = png_color{palette[i][0], palette[i][1], palette[i][2]};
  }
  return colours;
}

struct FileCloser {
  void operator()(FILE* file) const { std::fclose(file); }
};

}  // namespace

cv::Mat decode_index_png(const std::uint8_t* data, std::size_t size, const std::string& source,
                         long long max_pixels) {
  return decode_png(data, size, source, PngTarget::kIndices, max_pixels, check_mask_header);
}

cv::Mat read_index_png(const std::filesystem::path& path, long long max_pixels) {
  const std::string bytes = read_file_bytes(path);
  return decode_index_png(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), path.string(),
                          max_pixels);
}

void write_index_png(const std::filesystem::path& path, const cv::Mat& indices,
                     const std::vector<Rgb>& palette) {
  const std::string source = path.string();
  if (indices.empty() || indices.type() != CV_8UC1)
    fail_at(path, "write_index_png needs a non-empty CV_8UC1 index map");
  const std::vector<png_color> colours = png_palette(indices, palette);
  std::vector<png_bytep> rows = png_row_pointers(indices);
  const IndexImage image{static_cast<png_uint_32>(indices.cols), static_cast<png_uint_32>(indices.rows),
                         rows.data(), colours.data(), static_cast<int>(colours.size())};

  std::unique_ptr<FILE, FileCloser> file(std::fopen(source.c_str(), "wb"));
  if (!file) fail_at(path, "cannot open for writing (" + std::generic_category().message(errno) + ")");
  PngErrorMessage message;
  PngHandle handle(PngHandle::Mode::kWrite, &message, source.c_str());
  const bool written = write_png(handle.png(), handle.info(), file.get(), &image);
  // Buffered data reaches the disk at close, so a full disk shows up here.
  const bool closed = std::fclose(file.release()) == 0;
  if (!written || !closed) {
    const std::string reason = !written ? message.text : std::generic_category().message(errno);
    std::error_code ignored;
    std::filesystem::remove(path, ignored);  // a half-written mask must not be mistaken for a good one
    fail_at(path, "cannot write PNG (" + reason + ")");
  }
}

}  // namespace advseg
