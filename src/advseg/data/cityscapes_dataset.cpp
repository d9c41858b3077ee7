#include "advseg/data/cityscapes_dataset.h"

#include <array>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "advseg/io/file_bytes.h"

namespace advseg {

namespace fs = std::filesystem;

DatasetInfo CityscapesDataset::describe(int ignore_index) {
  return make_dataset_info(
      ignore_index,
      {"road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign", "vegetation",
       "terrain", "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle"},
      {{{128, 64, 128}},
       {{244, 35, 232}},
       {{70, 70, 70}},
       {{102, 102, 156}},
       {{190, 153, 153}},
       {{153, 153, 153}},
       {{250, 170, 30}},
       {{220, 220, 0}},
       {{107, 142, 35}},
       {{152, 251, 152}},
       {{70, 130, 180}},
       {{220, 20, 60}},
       {{255, 0, 0}},
       {{0, 0, 142}},
       {{0, 0, 70}},
       {{0, 60, 100}},
       {{0, 80, 100}},
       {{0, 0, 230}},
       {{119, 11, 32}}});
}

LabelValueMap CityscapesDataset::label_map(int ignore_index) {
  // The label ids of the 19 training classes, in training-id order.
  constexpr std::array<int, kNumClasses> kLabelIds = {7,  8,  11, 12, 13, 17, 19, 20, 21, 22,
                                                      23, 24, 25, 26, 27, 28, 31, 32, 33};
  LabelValueMap map("a Cityscapes label id: 0-33, or 255 for the license plate's -1");
  map.set(0, 33, ignore_index).set(255, ignore_index);
  for (int train_id = 0; train_id < kNumClasses; ++train_id) map.set(kLabelIds[train_id], train_id);
  return map;
}

namespace {

std::vector<SampleFiles> cityscapes_samples(const DatasetFolderOptions& options) {
  require_split_name(options.split, "cityscapes", {"train", "val", "test"});
  require_folder(options.root, "Cityscapes dataset folder");
  const fs::path image_root = options.root / "leftImg8bit" / options.split;
  const fs::path label_root = options.root / "gtFine" / options.split;
  require_folder(label_root, "label folder of the Cityscapes split '" + options.split + "'");
  std::vector<SampleFiles> samples;
  for (const fs::path& city : sub_folders(image_root)) {
    std::vector<SampleFiles> in_city =
        folder_samples(city, "_leftImg8bit.png", label_root / city.filename(), "_gtFine_labelIds.png");
    samples.insert(samples.end(), in_city.begin(), in_city.end());
  }
  return existing_samples(std::move(samples), image_root);
}

}  // namespace

CityscapesDataset::CityscapesDataset(const DatasetFolderOptions& options)
    : IndexPngDataset(cityscapes_samples(options), describe(options.ignore_index),
                      label_map(options.ignore_index), options.max_image_pixels) {}

}  // namespace advseg
