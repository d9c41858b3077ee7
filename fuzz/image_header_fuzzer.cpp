// Fuzzes the image header sniffing that guards decoders (image_header.h).
#include "advseg/io/image_header.h"
#include "fuzz_support.h"

namespace {

constexpr long long kMaxPixels = 100000000;  // the default data.max_image_pixels

// Sizes come from 32-bit (PNG) or 16-bit (JPEG) fields, so never negative.
void check_size(const std::optional<advseg::ImageSize>& size, long long largest_side) {
  using advseg::fuzz::require;
  if (!size) return;
  require(size->width >= 0 && size->width <= largest_side, "width within its header field");
  require(size->height >= 0 && size->height <= largest_side, "height within its header field");
  advseg::fuzz::parse_or_reject([&] { advseg::check_pixel_limit("fuzz.image", *size, kMaxPixels); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = advseg::fuzz::as_text(data, size);
  // The format is sniffed first in real use; here every reader sees every input.
  advseg::sniff_image_format(bytes);
  check_size(advseg::png_header_size(bytes), 0xFFFFFFFFLL);
  check_size(advseg::jpeg_header_size(bytes), 0xFFFFLL);
  const std::optional<int> orientation = advseg::jpeg_exif_orientation(bytes);
  advseg::fuzz::require(!orientation || (*orientation >= 1 && *orientation <= 8), "an EXIF orientation 1-8");
  return 0;
}
