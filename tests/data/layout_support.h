// Helpers for the tests of the datasets read in their distributed layouts
// (VOC, SBD, Cityscapes, ADE20K, CamVid): label files and config checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "advseg/config/config.h"
#include "advseg/data/dataset.h"
#include "advseg/io/png_mask.h"
#include "test_support.h"

namespace advseg::test {

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Writes a label PNG (a palette PNG with `palette`, else grayscale),
// creating its folder.
inline void write_label(const std::filesystem::path& path, const cv::Mat& label,
                        const std::vector<Rgb>& palette = {}) {
  std::filesystem::create_directories(path.parent_path());
  write_index_png(path, label, palette);
}

// A label whose pixels, in row-major order, take `values` in turn.
inline cv::Mat label_with_values(int height, int width, const std::vector<int>& values) {
  cv::Mat label(height, width, CV_8UC1);
  for (int i = 0; i < height * width; ++i) {
    label.at<std::uint8_t>(i / width, i % width) =
        static_cast<std::uint8_t>(values[static_cast<std::size_t>(i) % values.size()]);
  }
  return label;
}

// The config of `dataset` with `num_classes` and a root that does not exist
// (describe_dataset must not read it).
inline DataConfig config_without_files(const std::string& dataset, int num_classes) {
  DataConfig config;
  config.dataset = dataset;
  config.root = "/nonexistent/" + dataset;
  config.num_classes = num_classes;
  return config;
}

// The config of `dataset` read from `root`.
inline DataConfig config_at(const std::string& dataset, int num_classes, const std::filesystem::path& root) {
  DataConfig config = config_without_files(dataset, num_classes);
  config.root = root.string();
  return config;
}

}  // namespace advseg::test
