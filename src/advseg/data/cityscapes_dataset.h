// Cityscapes fine annotations in their original layout:
// <root>/leftImg8bit/<split>/<city>/<name>_leftImg8bit.png with the label
// ids in <root>/gtFine/<split>/<city>/<name>_gtFine_labelIds.png. The 34
// label ids (and 255, the -1 of the license plate) map to the 19 training
// classes of cityscapesScripts' labels.py; the others become the ignore
// index. Samples are the cities in name order, each city's images in name
// order; the id is <name>.
#pragma once

#include "advseg/data/dataset.h"
#include "advseg/data/dataset_files.h"
#include "advseg/data/index_png_dataset.h"

namespace advseg {

class CityscapesDataset final : public IndexPngDataset {
 public:
  static constexpr int kNumClasses = 19;
  static DatasetInfo describe(int ignore_index);  // classes, names, palette

  // Label id -> training class; ids outside 0-33 (and 255) are errors.
  static LabelValueMap label_map(int ignore_index);

  // Checks that every image of the split has its label.
  explicit CityscapesDataset(const DatasetFolderOptions& options);
};

}  // namespace advseg
