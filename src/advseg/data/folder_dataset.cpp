#include "advseg/data/folder_dataset.h"

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

FolderDataset::FolderDataset(const FolderDatasetOptions& options)
    : IndexPngDataset(
          split_samples(options.root, options.split, {{".jpg", ".jpeg", ".png", ".bmp"}, "masks", ".png"}),
          describe(options.num_classes, options.ignore_index),
          identity_label_map(options.num_classes, options.ignore_index), options.max_image_pixels) {}

}  // namespace advseg
