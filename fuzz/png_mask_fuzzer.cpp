// Fuzzes decode_index_png (label masks of the folder dataset).
#include <vector>

#include "advseg/io/png_mask.h"
#include "fuzz_support.h"
#include "png_crc.h"

namespace {

constexpr long long kMaxPixels = 1 << 22;  // keeps each run fast; larger sizes must be refused

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace advseg::fuzz;
  const std::vector<std::uint8_t> png = with_valid_chunk_crcs(data, size);
  parse_or_reject([&] {
    const cv::Mat indices = advseg::decode_index_png(png.data(), png.size(), "fuzz.png", kMaxPixels);
    require(!indices.empty() && indices.type() == CV_8UC1, "a non-empty CV_8UC1 index map");
    require(static_cast<long long>(indices.total()) <= kMaxPixels, "no more pixels than the limit");
  });
  return 0;
}
