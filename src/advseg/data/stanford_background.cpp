#include "advseg/data/stanford_background.h"

#include <utility>

#include "advseg/io/regions_file.h"

namespace advseg {

DatasetInfo StanfordBackgroundDataset::describe(int ignore_index) {
  return make_dataset_info(ignore_index,
                           {"sky", "tree", "road", "grass", "water", "building", "mountain", "foreground"},
                           {{{70, 130, 180}},
                            {{34, 139, 34}},
                            {{128, 64, 128}},
                            {{152, 251, 152}},
                            {{0, 60, 200}},
                            {{90, 90, 90}},
                            {{140, 95, 50}},
                            {{220, 20, 60}}});
}

StanfordBackgroundDataset::StanfordBackgroundDataset(StanfordBackgroundOptions options)
    : options_(std::move(options)),
      samples_(split_samples(options_.root, options_.split, {{".jpg"}, "labels", ".regions.txt"})),
      info_(describe(options_.ignore_index)) {}

Example StanfordBackgroundDataset::get(std::size_t index) const {
  return read_example(samples_.at(index), options_.max_image_pixels,
                      [this](const std::filesystem::path& path) {
                        return read_regions_file(path, kNumClasses, options_.ignore_index);
                      });
}

Example StanfordBackgroundDataset::image_only(std::size_t index) const {
  return read_image_only(samples_.at(index), options_.max_image_pixels);
}

}  // namespace advseg
