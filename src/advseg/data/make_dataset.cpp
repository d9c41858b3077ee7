// make_dataset and describe_dataset: the config's data section to a Dataset.
#include <functional>
#include <map>
#include <utility>

#include "advseg/config/config.h"
#include "advseg/data/ade20k_dataset.h"
#include "advseg/data/augment.h"
#include "advseg/data/camvid_dataset.h"
#include "advseg/data/cityscapes_dataset.h"
#include "advseg/data/dataset.h"
#include "advseg/data/folder_dataset.h"
#include "advseg/data/image_shift.h"
#include "advseg/data/sbd_dataset.h"
#include "advseg/data/shapes_dataset.h"
#include "advseg/data/stanford_background.h"
#include "advseg/data/voc_dataset.h"
#include "advseg/error.h"
#include "advseg/io/palette.h"

namespace advseg {

namespace {

// A dataset seen through the config: its class names and palette, its
// examples resized by data.image_scale, then shifted by data.shift.
class ConfiguredDataset final : public Dataset {
 public:
  ConfiguredDataset(std::shared_ptr<Dataset> inner, DatasetInfo info, double image_scale, ShiftOptions shift)
      : inner_(std::move(inner)), info_(std::move(info)), image_scale_(image_scale), shift_(shift) {}
  std::size_t size() const override { return inner_->size(); }
  Example get(std::size_t index) const override {
    Example example = rescale(inner_->get(index), image_scale_);
    example.image = shift_image(example.image, shift_, example.id);
    return example;
  }
  Example image_only(std::size_t index) const override {
    Example example = inner_->image_only(index);
    example.image = shift_image(rescale_image(example.image, image_scale_), shift_, example.id);
    return example;
  }
  const DatasetInfo& info() const override { return info_; }

 private:
  std::shared_ptr<Dataset> inner_;
  DatasetInfo info_;
  double image_scale_;
  ShiftOptions shift_;
};

void require_num_classes(const DataConfig& config, int expected) {
  if (config.num_classes == expected) return;
  throw Error(config.section + ".num_classes is " + std::to_string(config.num_classes) + " but the " +
              config.dataset + " dataset has " + std::to_string(expected) + " classes");
}

void require_root(const DataConfig& config) {
  if (config.root.empty())
    throw Error(config.section + ".root must name the folder of the " + config.dataset + " dataset");
}

// Labels are 8-bit, and the ignore index must not collide with a class.
void check_label_range(const DataConfig& config) {
  if (config.num_classes < 1 || config.num_classes > 255) {
    throw Error(config.section + ".num_classes must be between 1 and 255, got " +
                std::to_string(config.num_classes));
  }
  if (config.ignore_index < config.num_classes || config.ignore_index > 255) {
    throw Error(config.section + ".ignore_index must be between " + config.section + ".num_classes (" +
                std::to_string(config.num_classes) + ") and 255, got " + std::to_string(config.ignore_index));
  }
}

const std::string& split_name(const DataConfig& config, const std::string& split) {
  return split == "train" ? config.train_split : config.val_split;
}

// What each dataset needs: its info (checking the config, reading no file)
// and its construction for a split ("train" or "val").
struct DatasetKind {
  std::function<DatasetInfo(const DataConfig&)> describe;
  std::function<std::shared_ptr<Dataset>(const DataConfig&, const std::string&)> make;
};

const DatasetKind kShapes{
    [](const DataConfig& config) {
      require_num_classes(config, ShapesDataset::kNumClasses);
      return ShapesDataset::describe(config.ignore_index);
    },
    [](const DataConfig& config, const std::string& split) {
      const int size = split == "train" ? config.shapes_train_size : config.shapes_val_size;
      return std::make_shared<ShapesDataset>(
          ShapesOptions{split, size, config.shapes_image_size, static_cast<std::uint64_t>(config.shapes_seed),
                        config.ignore_index, parse_shapes_domain(config.shapes_domain)});
    }};

// A published dataset read from its folder as distributed: its own class
// count, names and palette.
template <typename Reader, typename Options>
DatasetKind distributed_kind() {
  return {[](const DataConfig& config) {
            require_num_classes(config, Reader::kNumClasses);
            return Reader::describe(config.ignore_index);
          },
          [](const DataConfig& config, const std::string& split) -> std::shared_ptr<Dataset> {
            require_root(config);
            return std::make_shared<Reader>(Options{config.root, split_name(config, split),
                                                    config.ignore_index, config.max_image_pixels});
          }};
}

const DatasetKind kFolder{
    [](const DataConfig& config) { return FolderDataset::describe(config.num_classes, config.ignore_index); },
    [](const DataConfig& config, const std::string& split) {
      require_root(config);
      return std::make_shared<FolderDataset>(FolderDatasetOptions{config.root, split_name(config, split),
                                                                  config.num_classes, config.ignore_index,
                                                                  config.max_image_pixels});
    }};

const DatasetKind& dataset_kind(const DataConfig& config) {
  static const std::map<std::string, DatasetKind> kinds = {
      {"shapes", kShapes},
      {"stanford_background", distributed_kind<StanfordBackgroundDataset, StanfordBackgroundOptions>()},
      {"folder", kFolder},
      {"voc", distributed_kind<VocDataset, DatasetFolderOptions>()},
      {"sbd", distributed_kind<SbdDataset, DatasetFolderOptions>()},
      {"cityscapes", distributed_kind<CityscapesDataset, DatasetFolderOptions>()},
      {"ade20k", distributed_kind<Ade20kDataset, DatasetFolderOptions>()},
      {"camvid", distributed_kind<CamvidDataset, DatasetFolderOptions>()}};
  const auto kind = kinds.find(config.dataset);
  if (kind == kinds.end()) {
    std::string names;
    for (const auto& entry : kinds) names += (names.empty() ? "" : ", ") + entry.first;
    throw Error(config.section + ".dataset: unknown dataset '" + config.dataset + "' (one of " + names + ")");
  }
  return kind->second;
}

void require_one_per_class(std::size_t count, int num_classes, const std::string& key) {
  if (count == static_cast<std::size_t>(num_classes)) return;
  throw Error(key + " has " + std::to_string(count) + " entries for " + std::to_string(num_classes) +
              " classes");
}

// The config's class names and palette, when given, replace the dataset's.
DatasetInfo with_config_names(DatasetInfo info, const DataConfig& config) {
  if (!config.class_names.empty()) {
    require_one_per_class(config.class_names.size(), info.num_classes, config.section + ".class_names");
    info.class_names = config.class_names;
  }
  if (!config.palette.empty()) {
    require_one_per_class(config.palette.size(), info.num_classes, config.section + ".palette");
    info.palette.clear();
    for (const std::string& colour : config.palette) info.palette.push_back(parse_hex_colour(colour));
  }
  return info;
}

}  // namespace

DatasetInfo describe_dataset(const DataConfig& config) {
  const DatasetKind& kind = dataset_kind(config);
  check_label_range(config);
  return with_config_names(kind.describe(config), config);
}

std::shared_ptr<Dataset> make_dataset(const DataConfig& config, const std::string& split) {
  if (split != "train" && split != "val") {
    throw Error("make_dataset: split must be train or val, got '" + split + "'");
  }
  DatasetInfo info = describe_dataset(config);
  std::shared_ptr<Dataset> dataset = dataset_kind(config).make(config, split);
  const ShiftOptions shift = shift_options(config);
  if (config.class_names.empty() && config.palette.empty() && config.image_scale == 1.0 &&
      shift.kind == ShiftKind::none)
    return dataset;
  return std::make_shared<ConfiguredDataset>(std::move(dataset), std::move(info), config.image_scale, shift);
}

}  // namespace advseg
