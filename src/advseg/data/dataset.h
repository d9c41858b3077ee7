// The dataset interface: indexed access to decoded examples. Implementations
// read files lazily in get(), which must be safe to call from several loader
// threads at once, and report any bad file as advseg::Error naming it.
#pragma once

#include <cstddef>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <utility>
#include <vector>

#include "advseg/io/png_mask.h"

namespace advseg {

struct DataConfig;

struct Example {
  cv::Mat image;  // CV_8UC3, RGB
  cv::Mat label;  // CV_8UC1 class indices; ignore_index marks void pixels
  std::string id;
};

struct DatasetInfo {
  int num_classes = 0;
  int ignore_index = 255;
  std::vector<std::string> class_names;
  std::vector<Rgb> palette;
};

// A dataset's description from its classes: names and colours, one each
// (num_classes is their count).
inline DatasetInfo make_dataset_info(int ignore_index, std::vector<std::string> class_names,
                                     std::vector<Rgb> palette) {
  DatasetInfo info;
  info.num_classes = static_cast<int>(class_names.size());
  info.ignore_index = ignore_index;
  info.class_names = std::move(class_names);
  info.palette = std::move(palette);
  return info;
}

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual std::size_t size() const = 0;
  virtual Example get(std::size_t index) const = 0;
  // The example's image and id alone: its label is left empty and its label
  // file is not read (unlabelled images for semi-supervised training).
  virtual Example image_only(std::size_t index) const = 0;
  virtual const DatasetInfo& info() const = 0;
};

// Builds the dataset named by config.dataset for one split ("train" or "val"
// selects config.train_split or config.val_split). Class names and palette
// from the config, when given, replace the dataset's own.
std::shared_ptr<Dataset> make_dataset(const DataConfig& config, const std::string& split);

// The class count, names and palette that make_dataset would report, without
// reading any file (for prediction on images outside a dataset).
DatasetInfo describe_dataset(const DataConfig& config);

}  // namespace advseg
