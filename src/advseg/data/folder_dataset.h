// A dataset in a plain folder layout: <root>/images/<stem>.{jpg,jpeg,png,bmp}
// with <root>/masks/<stem>.png holding class indices (8-bit grayscale or
// palette PNG, read as raw indices), and optional split files
// <root>/splits/<name>.txt listing stems.
#pragma once

#include <filesystem>
#include <string>

#include "advseg/data/dataset.h"
#include "advseg/data/index_png_dataset.h"

namespace advseg {

struct FolderDatasetOptions {
  std::filesystem::path root;
  std::string split;  // "" = every image in <root>/images
  int num_classes = 2;
  int ignore_index = 255;
  long long max_image_pixels = 100000000;
};

class FolderDataset final : public IndexPngDataset {
 public:
  // Checks that every image and mask of the split exists. Class names are
  // "class_<i>", the palette default_palette(num_classes). A mask value that
  // is neither a class nor the ignore index is an error naming the file.
  explicit FolderDataset(const FolderDatasetOptions& options);
  static DatasetInfo describe(int num_classes, int ignore_index);
};

}  // namespace advseg
