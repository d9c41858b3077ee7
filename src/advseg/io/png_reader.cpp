#include "advseg/io/png_reader.h"

#include <climits>
#include <cstring>

#include "advseg/error.h"
#include "advseg/io/image_header.h"
#include "advseg/io/libpng_handle.h"

namespace advseg {

namespace {

struct MemoryReader {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t offset;
};

void read_from_memory(png_structp png, png_bytep out, png_size_t length) {
  auto* reader = static_cast<MemoryReader*>(png_get_io_ptr(png));
  if (length > reader->size - reader->offset) png_error(png, "unexpected end of data");
  std::memcpy(out, reader->data + reader->offset, length);
  reader->offset += length;
}

// setjmp frame: plain data only (see libpng_handle.h). False on a libpng error.
bool read_png_header(png_structp png, png_infop info, PngHeader* header) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_info(png, info);
  png_get_IHDR(png, info, &header->width, &header->height, &header->bit_depth, &header->colour_type, nullptr,
               nullptr, nullptr);
  return true;
}

// The libpng transforms that turn `header`'s pixels into `target`'s bytes.
void set_transforms(png_structp png, const PngHeader& header, PngTarget target) {
  if (target == PngTarget::kIndices) {
    png_set_packing(png);  // 1/2/4-bit indices become one byte each, unscaled
    return;
  }
  const int type = header.colour_type;
  if (type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if ((type & PNG_COLOR_MASK_COLOR) == 0) {
    if (header.bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    png_set_gray_to_rgb(png);
  }
  if (header.bit_depth == 16) png_set_strip_16(png);
  // Also drops the alpha a palette's tRNS entries would add.
  png_set_strip_alpha(png);
}

// setjmp frame: plain data only. Reads every row into `rows`, then the rest
// of the file, so that a file cut after the last row is still refused.
bool read_png_rows(png_structp png, png_infop info, const PngHeader* header, PngTarget target,
                   png_bytepp rows, png_size_t row_bytes) {
  if (setjmp(png_jmpbuf(png))) return false;
  set_transforms(png, *header, target);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  if (png_get_rowbytes(png, info) != row_bytes) png_error(png, "unexpected row size after the transforms");
  png_read_image(png, rows);
  png_read_end(png, nullptr);
  return true;
}

[[noreturn]] void fail_corrupt(const std::string& source, const PngErrorMessage& message) {
  fail_at(source, std::string("truncated or corrupt PNG (") + message.text + ")");
}

}  // namespace

std::vector<png_bytep> png_row_pointers(const cv::Mat& image) {
  std::vector<png_bytep> rows(static_cast<std::size_t>(image.rows));
  for (int y = 0; y < image.rows; ++y)
    rows[static_cast<std::size_t>(y)] = const_cast<png_bytep>(image.ptr(y));
  return rows;
}

cv::Mat decode_png(const std::uint8_t* data, std::size_t size, const std::string& source, PngTarget target,
                   long long max_pixels, PngHeaderCheck check) {
  if (size < 8 || png_sig_cmp(data, 0, 8) != 0) fail_at(source, "not a PNG file (bad signature)");
  PngErrorMessage message;
  PngHandle handle(PngHandle::Mode::kRead, &message, source.c_str());
  MemoryReader reader{data, size, 0};
  png_set_read_fn(handle.png(), &reader, read_from_memory);

  PngHeader header;
  if (!read_png_header(handle.png(), handle.info(), &header)) fail_corrupt(source, message);
  if (check != nullptr) check(source, header);
  // Checked before allocating, so a huge declared size cannot exhaust memory.
  check_pixel_limit(source, ImageSize{header.width, header.height}, max_pixels);
  if (header.width > INT_MAX / 3 || header.height > INT_MAX) fail_at(source, "PNG too large");
  const int channels = target == PngTarget::kIndices ? 1 : 3;
  cv::Mat pixels(static_cast<int>(header.height), static_cast<int>(header.width), CV_8UC(channels));
  std::vector<png_bytep> rows = png_row_pointers(pixels);
  const png_size_t row_bytes = static_cast<png_size_t>(header.width) * static_cast<png_size_t>(channels);
  if (!read_png_rows(handle.png(), handle.info(), &header, target, rows.data(), row_bytes)) {
    fail_corrupt(source, message);
  }
  return pixels;
}

}  // namespace advseg
