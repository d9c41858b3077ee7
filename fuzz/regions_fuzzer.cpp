// Fuzzes parse_regions (Stanford Background labels/<id>.regions.txt).
#include "advseg/io/regions_file.h"
#include "fuzz_support.h"

namespace {

constexpr int kNumClasses = 8;  // Stanford Background
constexpr int kIgnoreIndex = 255;

// Every accepted pixel is a known class or the ignore index.
bool labels_in_range(const cv::Mat& labels) {
  for (int y = 0; y < labels.rows; ++y) {
    for (int x = 0; x < labels.cols; ++x) {
      const int label = labels.at<std::uint8_t>(y, x);
      if (label >= kNumClasses && label != kIgnoreIndex) return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace advseg::fuzz;
  parse_or_reject([&] {
    const cv::Mat labels =
        advseg::parse_regions(as_text(data, size), kNumClasses, "fuzz.regions.txt", kIgnoreIndex);
    require(!labels.empty() && labels.type() == CV_8UC1, "a non-empty CV_8UC1 label map");
    require(static_cast<std::size_t>(labels.total()) * 2 <= size + 1, "at least two characters per label");
    require(labels_in_range(labels), "labels below num_classes or the ignore index");
  });
  return 0;
}
