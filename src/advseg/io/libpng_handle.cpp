#include "advseg/io/libpng_handle.h"

#include <cstdio>

#include "advseg/error.h"

namespace advseg {

namespace {

// Must not return: copies the message, then jumps to the caller's setjmp.
void on_png_error(png_structp png, png_const_charp text) {
  auto* message = static_cast<PngErrorMessage*>(png_get_error_ptr(png));
  std::snprintf(message->text, sizeof message->text, "%s", text);
  png_longjmp(png, 1);
}

// Warnings (unknown chunks, bad gamma, ...) do not change the indices; without
// this callback libpng would print them to stderr.
void on_png_warning(png_structp, png_const_charp) {}

}  // namespace

PngHandle::PngHandle(Mode mode, PngErrorMessage* message, const char* source) : mode_(mode) {
  png_ = mode == Mode::kRead
             ? png_create_read_struct(PNG_LIBPNG_VER_STRING, message, on_png_error, on_png_warning)
             : png_create_write_struct(PNG_LIBPNG_VER_STRING, message, on_png_error, on_png_warning);
  if (png_ != nullptr) info_ = png_create_info_struct(png_);
  if (png_ == nullptr || info_ == nullptr) {
    destroy();
    fail_at(source, "libpng could not allocate its structures");
  }
}

PngHandle::~PngHandle() { destroy(); }

void PngHandle::destroy() {
  if (png_ == nullptr) return;
  if (mode_ == Mode::kRead) {
    png_destroy_read_struct(&png_, &info_, nullptr);
  } else {
    png_destroy_write_struct(&png_, &info_);
  }
}

}  // namespace advseg
