// A dataset in a plain folder layout: <root>/images/<stem>.{jpg,jpeg,png,bmp}
// with <root>/masks/<stem>.png holding class indices (8-bit grayscale or
// palette PNG, read as raw indices), and optional split files
// <root>/splits/<name>.txt listing stems.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "advseg/data/dataset.h"
#include "advseg/data/dataset_files.h"

namespace advseg {

struct FolderDatasetOptions {
  std::filesystem::path root;
  std::string split;  // "" = every image in <root>/images
  int num_classes = 2;
  int ignore_index = 255;
  long long max_image_pixels = 100000000;
};

class FolderDataset final : public Dataset {
 public:
  // Checks that every image and mask of the split exists. Class names are
  // "class_<i>", the palette default_palette(num_classes).
  explicit FolderDataset(FolderDatasetOptions options);
  static DatasetInfo describe(int num_classes, int ignore_index);

  std::size_t size() const override { return samples_.size(); }
  Example get(std::size_t index) const override;
  const DatasetInfo& info() const override { return info_; }

 private:
  void check_mask_values(const cv::Mat& mask, const std::filesystem::path& path) const;

  FolderDatasetOptions options_;
  std::vector<SampleFiles> samples_;
  DatasetInfo info_;
};

}  // namespace advseg
