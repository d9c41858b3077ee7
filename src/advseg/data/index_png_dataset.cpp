#include "advseg/data/index_png_dataset.h"

#include <utility>

#include "advseg/io/png_mask.h"

namespace advseg {

IndexPngDataset::IndexPngDataset(std::vector<SampleFiles> samples, DatasetInfo info, LabelValueMap label_map,
                                 long long max_image_pixels)
    : samples_(std::move(samples)),
      info_(std::move(info)),
      label_map_(std::move(label_map)),
      max_image_pixels_(max_image_pixels) {}

Example IndexPngDataset::get(std::size_t index) const {
  return read_example(samples_.at(index), max_image_pixels_, [this](const std::filesystem::path& path) {
    return map_label_values(read_index_png(path, max_image_pixels_), label_map_, path);
  });
}

Example IndexPngDataset::image_only(std::size_t index) const {
  return read_image_only(samples_.at(index), max_image_pixels_);
}

}  // namespace advseg
