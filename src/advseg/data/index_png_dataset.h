// The reader shared by the datasets whose labels are 8-bit PNGs (grayscale
// or palette, read as raw indices): the samples are found up front by each
// dataset's layout, and every label is mapped through its LabelValueMap.
#pragma once

#include <cstddef>
#include <vector>

#include "advseg/data/dataset.h"
#include "advseg/data/dataset_files.h"

namespace advseg {

class IndexPngDataset : public Dataset {
 public:
  IndexPngDataset(std::vector<SampleFiles> samples, DatasetInfo info, LabelValueMap label_map,
                  long long max_image_pixels);

  std::size_t size() const override { return samples_.size(); }
  Example get(std::size_t index) const override;
  Example image_only(std::size_t index) const override;
  const DatasetInfo& info() const override { return info_; }

 private:
  std::vector<SampleFiles> samples_;
  DatasetInfo info_;
  LabelValueMap label_map_;
  long long max_image_pixels_;
};

}  // namespace advseg
