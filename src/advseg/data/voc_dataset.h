// PASCAL VOC 2012 segmentation in its original VOCdevkit/VOC2012 layout:
// <root>/JPEGImages/<id>.jpg, <root>/SegmentationClass/<id>.png (palette
// PNGs read as indices, 255 = void/boundary) and the split lists
// <root>/ImageSets/Segmentation/<split>.txt (train, val, trainval).
// 21 classes (background and 20 objects) with the VOC palette.
#pragma once

#include "advseg/data/dataset.h"
#include "advseg/data/dataset_files.h"
#include "advseg/data/index_png_dataset.h"

namespace advseg {

class VocDataset final : public IndexPngDataset {
 public:
  static constexpr int kNumClasses = 21;
  static DatasetInfo describe(int ignore_index);  // classes, names, palette

  // The stored label values: the classes 0-20 and 255 (void), which becomes
  // the ignore index; other values are errors naming the file.
  static LabelValueMap label_map(int ignore_index);

  // Checks that every image and label of the split exists.
  explicit VocDataset(const DatasetFolderOptions& options);
};

}  // namespace advseg
