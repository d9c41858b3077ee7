#include "advseg/data/voc_dataset.h"

#include <string>
#include <utility>
#include <vector>

#include "advseg/io/file_bytes.h"
#include "advseg/io/palette.h"
#include "advseg/io/split_file.h"

namespace advseg {

namespace fs = std::filesystem;

DatasetInfo VocDataset::describe(int ignore_index) {
  return make_dataset_info(
      ignore_index, {"background", "aeroplane", "bicycle",     "bird",  "boat",        "bottle", "bus",
                     "car",        "cat",       "chair",       "cow",   "diningtable", "dog",    "horse",
                     "motorbike",  "person",    "pottedplant", "sheep", "sofa",        "train",  "tvmonitor"},
      default_palette(kNumClasses));
}

LabelValueMap VocDataset::label_map(int ignore_index) {
  return LabelValueMap("0-20 (classes) or 255 (void)").shift(0, kNumClasses - 1, 0).set(255, ignore_index);
}

namespace {

std::vector<SampleFiles> voc_samples(const DatasetFolderOptions& options) {
  require_folder(options.root, "VOC dataset folder (VOCdevkit/VOC2012)");
  const fs::path list = options.root / "ImageSets" / "Segmentation" / (options.split + ".txt");
  require_regular_file(list, "list of the VOC split '" + options.split + "'");
  std::vector<SampleFiles> samples;
  for (const std::string& id : read_split_file(list)) {
    samples.push_back({id, options.root / "JPEGImages" / (id + ".jpg"),
                       options.root / "SegmentationClass" / (id + ".png")});
  }
  return existing_samples(std::move(samples), list);
}

}  // namespace

VocDataset::VocDataset(const DatasetFolderOptions& options)
    : IndexPngDataset(voc_samples(options), describe(options.ignore_index), label_map(options.ignore_index),
                      options.max_image_pixels) {}

}  // namespace advseg
