// ADE20K as distributed for the MIT Scene Parsing benchmark
// (ADEChallengeData2016): <root>/images/{training,validation}/<id>.jpg and
// <root>/annotations/{training,validation}/<id>.png. 150 classes; the
// annotation value 0 (other/void) becomes the ignore index and a value v
// the class v-1. The split "train" reads training/, "val" validation/ (the
// folder names are accepted too).
#pragma once

#include <string>

#include "advseg/data/dataset.h"
#include "advseg/data/dataset_files.h"
#include "advseg/data/index_png_dataset.h"

namespace advseg {

class Ade20kDataset final : public IndexPngDataset {
 public:
  static constexpr int kNumClasses = 150;
  static DatasetInfo describe(int ignore_index);  // classes, names, palette

  // 0 -> the ignore index, 1-150 -> 0-149; other values are errors.
  static LabelValueMap label_map(int ignore_index);

  // The folder name of a split: "training" or "validation".
  static std::string split_folder(const std::string& split);

  // Checks that every image of the split has its annotation.
  explicit Ade20kDataset(const DatasetFolderOptions& options);
};

}  // namespace advseg
