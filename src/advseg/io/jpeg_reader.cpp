#include "advseg/io/jpeg_reader.h"

// clang-format off
#include <cstdio>  // jpeglib.h needs FILE and size_t first
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include <csetjmp>
#include <cstdint>

#include "advseg/error.h"
#include "advseg/io/image_header.h"

namespace advseg {

namespace {

// A progressive JPEG may hold thousands of tiny scans, each a full pass over
// the image: seconds of work from a few kilobytes. Real files have ~10.
constexpr int kMaxScans = 1000;

// libjpeg reports errors (and, here, warnings) by longjmp to the setjmp point
// of the caller, which skips destructors. So, as with libpng (see
// libpng_handle.h), the frames that call setjmp hold only plain data, and
// everything libjpeg touches lives in this plain struct in the caller's frame.
struct JpegState {
  jpeg_decompress_struct decoder;
  jpeg_error_mgr errors;
  jpeg_progress_mgr progress;
  std::jmp_buf jump;
  int message_code;  // libjpeg's code of the message that stopped decoding (JWRN_JPEG_EOF, ...)
  char message[JMSG_LENGTH_MAX];
};

JpegState* state_of(j_common_ptr decoder) { return static_cast<JpegState*>(decoder->client_data); }

// Must not return: keeps libjpeg's message, then jumps to the caller's setjmp.
void on_jpeg_error(j_common_ptr decoder) {
  JpegState* state = state_of(decoder);
  state->message_code = decoder->err->msg_code;
  (*decoder->err->format_message)(decoder, state->message);
  std::longjmp(state->jump, 1);
}

// Level -1 is a warning: data libjpeg found corrupt or missing and would
// replace with grey. Refused like an error. Higher levels are trace messages.
void on_jpeg_message(j_common_ptr decoder, int msg_level) {
  if (msg_level < 0) on_jpeg_error(decoder);
}

// Without this, libjpeg would print its messages to stderr.
void on_jpeg_output(j_common_ptr) {}

// An error of our own, raised from inside a libjpeg call like libjpeg's own:
// `format` takes one int.
void fail_inside_libjpeg(j_common_ptr decoder, const char* format, int value) {
  JpegState* state = state_of(decoder);
  state->message_code = -1;
  std::snprintf(state->message, sizeof state->message, format, value);
  std::longjmp(state->jump, 1);
}

void on_jpeg_progress(j_common_ptr decoder) {
  if (reinterpret_cast<j_decompress_ptr>(decoder)->input_scan_number > kMaxScans) {
    fail_inside_libjpeg(decoder, "more than %d scans (a denial-of-service risk, refused)", kMaxScans);
  }
}

// Plain-data setup that cannot fail; before any setjmp frame.
void init_callbacks(JpegState* state) {
  state->decoder.err = jpeg_std_error(&state->errors);
  state->errors.error_exit = on_jpeg_error;
  state->errors.emit_message = on_jpeg_message;
  state->errors.output_message = on_jpeg_output;
  state->progress.progress_monitor = on_jpeg_progress;
  state->decoder.client_data = state;  // kept by jpeg_create_decompress
}

// setjmp frame: plain data only. False on a libjpeg error or warning.
bool read_jpeg_header(JpegState* state, const unsigned char* data, unsigned long size) {
  if (setjmp(state->jump)) return false;
  jpeg_create_decompress(&state->decoder);  // keeps `err` and `client_data`, clears the rest
  state->decoder.progress = &state->progress;
  jpeg_mem_src(&state->decoder, data, size);
  jpeg_read_header(&state->decoder, TRUE);
  return true;
}

void read_rows(j_decompress_ptr decoder, unsigned char* pixels, std::size_t stride, int channels) {
  jpeg_start_decompress(decoder);
  if (decoder->output_width != decoder->image_width || decoder->output_height != decoder->image_height ||
      decoder->output_components != channels) {
    fail_inside_libjpeg(reinterpret_cast<j_common_ptr>(decoder), "unexpected output size (%d channels)",
                        decoder->output_components);
  }
  while (decoder->output_scanline < decoder->output_height) {
    JSAMPROW row = pixels + decoder->output_scanline * stride;
    jpeg_read_scanlines(decoder, &row, 1);
  }
  // Reads on to the end-of-image marker, so data cut or corrupted after the
  // last row is refused too; bytes after that marker are never read.
  jpeg_finish_decompress(decoder);
}

// setjmp frame: plain data only. Decodes every row into `pixels` (rows of
// `stride` bytes, `channels` per pixel). False on a libjpeg error or warning.
bool read_jpeg_rows(JpegState* state, unsigned char* pixels, std::size_t stride, int channels) {
  if (setjmp(state->jump)) return false;
  read_rows(&state->decoder, pixels, stride, channels);
  return true;
}

// Owns the decoder's memory; jpeg_destroy_decompress is safe on a cleared
// struct too (when jpeg_create_decompress itself failed).
class JpegDecoderGuard {
 public:
  explicit JpegDecoderGuard(JpegState* state) : state_(state) {}
  ~JpegDecoderGuard() { jpeg_destroy_decompress(&state_->decoder); }
  JpegDecoderGuard(const JpegDecoderGuard&) = delete;
  JpegDecoderGuard& operator=(const JpegDecoderGuard&) = delete;

 private:
  JpegState* state_;
};

[[noreturn]] void fail_decoding(const std::string& source, const JpegState& state) {
  const char* problem = state.message_code == JWRN_JPEG_EOF ? "truncated JPEG" : "corrupt JPEG";
  const char* origin = state.message_code == -1 ? "" : "libjpeg: ";  // -1: our own check
  fail_at(source, std::string(problem) + " (" + origin + state.message + ")");
}

// As OpenCV converts (Adobe's inverted CMYK, as Photoshop writes it).
cv::Mat cmyk_to_rgb(const cv::Mat& cmyk) {
  cv::Mat rgb(cmyk.rows, cmyk.cols, CV_8UC3);
  for (int y = 0; y < cmyk.rows; ++y) {
    const std::uint8_t* in = cmyk.ptr<std::uint8_t>(y);
    std::uint8_t* out = rgb.ptr<std::uint8_t>(y);
    for (int x = 0; x < cmyk.cols; ++x, in += 4, out += 3) {
      const int k = in[3];
      for (int c = 0; c < 3; ++c) out[c] = static_cast<std::uint8_t>(k - (((255 - in[c]) * k) >> 8));
    }
  }
  return rgb;
}

static_assert(sizeof(unsigned long) >= sizeof(std::size_t), "jpeg_mem_src takes the size as unsigned long");

}  // namespace

cv::Mat decode_jpeg(std::string_view bytes, const std::string& source, long long max_pixels) {
  JpegState state{};
  init_callbacks(&state);
  const JpegDecoderGuard guard(&state);
  if (!read_jpeg_header(&state, reinterpret_cast<const unsigned char*>(bytes.data()),
                        static_cast<unsigned long>(bytes.size()))) {
    fail_decoding(source, state);
  }
  jpeg_decompress_struct& decoder = state.decoder;
  // Checked before allocating, so a huge declared size cannot exhaust memory.
  check_pixel_limit(source, ImageSize{decoder.image_width, decoder.image_height}, max_pixels);
  // Both sides are at most 65535 (16-bit fields), so the sizes below fit an int.

  int channels = 3;
  switch (decoder.jpeg_color_space) {
    case JCS_GRAYSCALE:
    case JCS_RGB:
    case JCS_YCbCr:
      decoder.out_color_space = JCS_RGB;
      break;
    case JCS_CMYK:
    case JCS_YCCK:  // libjpeg converts YCCK to CMYK, not to RGB
      decoder.out_color_space = JCS_CMYK;
      channels = 4;
      break;
    default:
      fail_at(source, "unsupported JPEG colour space (" + std::to_string(decoder.num_components) +
                          " components, neither grayscale, RGB, YCbCr nor CMYK)");
  }
  cv::Mat pixels(static_cast<int>(decoder.image_height), static_cast<int>(decoder.image_width),
                 CV_8UC(channels));
  if (!read_jpeg_rows(&state, pixels.data, pixels.step[0], channels)) fail_decoding(source, state);
  return channels == 4 ? cmyk_to_rgb(pixels) : pixels;
}

}  // namespace advseg
