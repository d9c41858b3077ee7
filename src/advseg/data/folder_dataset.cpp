#include "advseg/data/folder_dataset.h"

#include <utility>

#include "advseg/error.h"
#include "advseg/io/palette.h"

namespace advseg {

DatasetInfo FolderDataset::describe(int num_classes, int ignore_index) {
  DatasetInfo info;
  info.num_classes = num_classes;
  info.ignore_index = ignore_index;
  for (int c = 0; c < num_classes; ++c) info.class_names.push_back("class_" + std::to_string(c));
  info.palette = default_palette(num_classes);
  return info;
}

FolderDataset::FolderDataset(FolderDatasetOptions options)
    : options_(std::move(options)),
      samples_(
          split_samples(options_.root, options_.split, {{".jpg", ".jpeg", ".png", ".bmp"}, "masks", ".png"})),
      info_(describe(options_.num_classes, options_.ignore_index)) {}

// A value that is neither a class nor the ignore index would index past the
// classifier's outputs in the loss; refuse it here, where the file is known.
void FolderDataset::check_mask_values(const cv::Mat& mask, const std::filesystem::path& path) const {
  for (int y = 0; y < mask.rows; ++y) {
    const std::uint8_t* row = mask.ptr<std::uint8_t>(y);
    for (int x = 0; x < mask.cols; ++x) {
      if (row[x] < options_.num_classes || row[x] == options_.ignore_index) continue;
      fail_at(path, "mask value " + std::to_string(row[x]) + " at (x=" + std::to_string(x) +
                        ", y=" + std::to_string(y) + ") is not a class (data.num_classes is " +
                        std::to_string(options_.num_classes) + ") nor the ignore index " +
                        std::to_string(options_.ignore_index));
    }
  }
}

Example FolderDataset::get(std::size_t index) const {
  const SampleFiles& sample = samples_.at(index);
  Example example = read_example(
      sample, options_.max_image_pixels,
      [this](const std::filesystem::path& path) { return read_index_png(path, options_.max_image_pixels); });
  check_mask_values(example.label, sample.label);
  return example;
}

}  // namespace advseg
