// Fuzzes decode_rgb_image on PNG and JPEG bytes (the photos of every dataset),
// which advseg decodes itself with libpng and libjpeg.
#include <string_view>
#include <vector>

#include "advseg/io/image_file.h"
#include "advseg/io/image_header.h"
#include "fuzz_support.h"
#include "png_crc.h"

namespace {

constexpr long long kMaxPixels = 1 << 22;  // keeps each run fast; larger sizes must be refused

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace advseg::fuzz;
  const advseg::ImageFormat format = advseg::sniff_image_format(as_text(data, size));
  // Other formats go to OpenCV's decoders, which are not advseg's code.
  if (format == advseg::ImageFormat::kOther) return 0;
  std::vector<std::uint8_t> bytes(data, data + size);
  if (format == advseg::ImageFormat::kPng) bytes = with_valid_chunk_crcs(data, size);
  parse_or_reject([&] {
    const cv::Mat rgb =
        advseg::decode_rgb_image(as_text(bytes.data(), bytes.size()), "fuzz.image", kMaxPixels);
    require(!rgb.empty() && rgb.type() == CV_8UC3, "a non-empty CV_8UC3 image");
    require(static_cast<long long>(rgb.total()) <= kMaxPixels, "no more pixels than the limit");
  });
  return 0;
}
