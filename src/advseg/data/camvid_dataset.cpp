#include "advseg/data/camvid_dataset.h"

#include <filesystem>
#include <vector>

#include "advseg/io/file_bytes.h"

namespace advseg {

namespace fs = std::filesystem;

DatasetInfo CamvidDataset::describe(int ignore_index) {
  return make_dataset_info(ignore_index,
                           {"sky", "building", "pole", "road", "pavement", "tree", "signsymbol", "fence",
                            "car", "pedestrian", "bicyclist"},
                           {{{128, 128, 128}},
                            {{128, 0, 0}},
                            {{192, 192, 128}},
                            {{128, 64, 128}},
                            {{60, 40, 222}},
                            {{128, 128, 0}},
                            {{192, 128, 128}},
                            {{64, 64, 128}},
                            {{64, 0, 128}},
                            {{64, 64, 0}},
                            {{0, 128, 192}}});
}

LabelValueMap CamvidDataset::label_map(int ignore_index) {
  return LabelValueMap("0-10 (classes) or 11 (void)")
      .shift(0, kNumClasses - 1, 0)
      .set(kNumClasses, ignore_index);
}

namespace {

std::vector<SampleFiles> camvid_samples(const DatasetFolderOptions& options) {
  require_split_name(options.split, "camvid", {"train", "val", "test"});
  require_folder(options.root, "CamVid dataset folder");
  const fs::path image_dir = options.root / options.split;
  return existing_samples(folder_samples(image_dir, ".png", options.root / (options.split + "annot"), ".png"),
                          image_dir);
}

}  // namespace

CamvidDataset::CamvidDataset(const DatasetFolderOptions& options)
    : IndexPngDataset(camvid_samples(options), describe(options.ignore_index),
                      label_map(options.ignore_index), options.max_image_pixels) {}

}  // namespace advseg
