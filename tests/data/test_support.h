// Helpers shared by the data tests: a temporary folder, small files, and
// in-memory datasets whose examples are known exactly.
#pragma once

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <opencv2/core.hpp>
#include <random>
#include <string>
#include <vector>

#include "advseg/data/dataset.h"
#include "advseg/error.h"
#include "advseg/io/image_file.h"
#include "support/temp_dir.h"

namespace advseg::test {

using TempDir = advseg::testing::TempDir;

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

inline void write_image(const std::filesystem::path& path, const cv::Mat& rgb) {
  std::filesystem::create_directories(path.parent_path());
  write_rgb_image(path, rgb);
}

// An RGB image whose channels encode the position: (x, y, seed).
inline cv::Mat position_image(int height, int width, int seed = 0) {
  cv::Mat image(height, width, CV_8UC3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) image.at<cv::Vec3b>(y, x) = cv::Vec3b(x, y, seed);
  }
  return image;
}

// A label whose value is y * width + x (so every pixel is distinct).
inline cv::Mat position_label(int height, int width) {
  cv::Mat label(height, width, CV_8UC1);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) label.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(y * width + x);
  }
  return label;
}

inline bool same_bytes(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

// The message of the advseg::Error thrown by `action`; "" when none is.
template <typename Action>
std::string error_message(Action action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

// Examples made by a function of the index; counts the get() calls, and
// image_only() calls apart (labels are never asked for there).
class FunctionDataset final : public Dataset {
 public:
  FunctionDataset(std::size_t size, std::function<Example(std::size_t)> make)
      : size_(size), make_(std::move(make)) {
    info_.num_classes = 2;
  }
  std::size_t size() const override { return size_; }
  Example get(std::size_t index) const override {
    ++calls_;
    return make_(index);
  }
  Example image_only(std::size_t index) const override {
    ++image_only_calls_;
    Example example = make_(index);
    example.label = cv::Mat();
    return example;
  }
  const DatasetInfo& info() const override { return info_; }
  int calls() const { return calls_; }
  int image_only_calls() const { return image_only_calls_; }

 private:
  std::size_t size_;
  std::function<Example(std::size_t)> make_;
  DatasetInfo info_;
  mutable std::atomic<int> calls_{0};
  mutable std::atomic<int> image_only_calls_{0};
};

}  // namespace advseg::test
