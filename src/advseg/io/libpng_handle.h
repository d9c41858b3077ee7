// RAII over libpng's read and write structs, and the error plumbing that
// turns libpng's longjmp-based errors into a message C++ code can throw.
//
// libpng reports errors by longjmp to the setjmp point of the caller. A
// longjmp skips destructors, so the frames that call setjmp (see png_mask.cpp)
// hold only plain data; the C++ objects (this handle, buffers) live in the
// caller's frame, which the jump never crosses.
#pragma once

#include <png.h>

namespace advseg {

// Where the error callback leaves libpng's message before jumping back.
struct PngErrorMessage {
  char text[256] = "";
};

class PngHandle {
 public:
  enum class Mode { kRead, kWrite };

  // Throws advseg::Error (naming `source`) when libpng cannot allocate.
  PngHandle(Mode mode, PngErrorMessage* message, const char* source);
  ~PngHandle();
  PngHandle(const PngHandle&) = delete;
  PngHandle& operator=(const PngHandle&) = delete;

  png_structp png() const { return png_; }
  png_infop info() const { return info_; }

 private:
  void destroy();

  Mode mode_;
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

}  // namespace advseg
