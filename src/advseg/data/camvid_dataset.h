// CamVid in the layout of the SegNet tutorial: <root>/<split>/<name>.png with
// the label of the same name in <root>/<split>annot/ (raw indices), for the
// splits train, val and test. 11 classes with the SegNet palette; the label
// value 11 (void) becomes the ignore index, values above it are errors.
#pragma once

#include "advseg/data/dataset.h"
#include "advseg/data/dataset_files.h"
#include "advseg/data/index_png_dataset.h"

namespace advseg {

class CamvidDataset final : public IndexPngDataset {
 public:
  static constexpr int kNumClasses = 11;
  static DatasetInfo describe(int ignore_index);  // classes, names, palette

  // 0-10 are classes, 11 (void) -> the ignore index; other values are errors.
  static LabelValueMap label_map(int ignore_index);

  // Checks that every image of the split has its label.
  explicit CamvidDataset(const DatasetFolderOptions& options);
};

}  // namespace advseg
