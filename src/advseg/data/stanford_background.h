// The Stanford Background dataset (Gould et al., ICCV 2009) in its original
// iccv09Data layout: <root>/images/<id>.jpg and <root>/labels/<id>.regions.txt,
// with optional split files <root>/splits/<name>.txt. Eight classes; negative
// ids in the regions files (unknown) become the ignore index.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "advseg/data/dataset.h"
#include "advseg/data/dataset_files.h"

namespace advseg {

struct StanfordBackgroundOptions {
  std::filesystem::path root;
  std::string split;  // "" = every image in <root>/images
  int ignore_index = 255;
  long long max_image_pixels = 100000000;
};

class StanfordBackgroundDataset final : public Dataset {
 public:
  static constexpr int kNumClasses = 8;
  static DatasetInfo describe(int ignore_index);  // classes, names, palette

  // Checks that every image and label file of the split exists.
  explicit StanfordBackgroundDataset(StanfordBackgroundOptions options);

  std::size_t size() const override { return samples_.size(); }
  Example get(std::size_t index) const override;
  Example image_only(std::size_t index) const override;
  const DatasetInfo& info() const override { return info_; }

 private:
  StanfordBackgroundOptions options_;
  std::vector<SampleFiles> samples_;
  DatasetInfo info_;
};

}  // namespace advseg
