// The augmented PASCAL VOC training set ("train_aug", VOC 2012 plus the
// Semantic Boundaries Dataset) in the layout DeepLab uses: images in
// <root>/JPEGImages/<id>.jpg, labels in <root>/SegmentationClassAug/<id>.png
// (grayscale or palette PNGs read as raw indices, 255 = void). The split
// list is <root>/ImageSets/Segmentation/<split>.txt or, when that is
// absent, <root>/<split>.txt; its lines are ids or pairs of paths relative
// to the root ("/JPEGImages/x.jpg /SegmentationClassAug/x.png"). The 21
// VOC classes and palette.
#pragma once

#include <filesystem>
#include <string>

#include "advseg/data/dataset.h"
#include "advseg/data/dataset_files.h"
#include "advseg/data/index_png_dataset.h"
#include "advseg/data/voc_dataset.h"

namespace advseg {

class SbdDataset final : public IndexPngDataset {
 public:
  static constexpr int kNumClasses = VocDataset::kNumClasses;
  static DatasetInfo describe(int ignore_index) { return VocDataset::describe(ignore_index); }

  // The list file of `split`: the first of the two places that holds one.
  static std::filesystem::path list_path(const std::filesystem::path& root, const std::string& split);

  // Checks that every image and label of the split exists.
  explicit SbdDataset(const DatasetFolderOptions& options);
};

}  // namespace advseg
