#include "advseg/config/dataset_folders.h"

namespace advseg {

std::vector<ReadPath> dataset_folders(const Config& config) {
  std::vector<ReadPath> folders;
  const auto add = [&](const std::string& root, const std::string& what) {
    if (!root.empty()) folders.push_back({root, what});
  };
  add(config.data.root, "the dataset (data.root)");
  add(config.data.unlabeled_root, "the unlabelled images (data.unlabeled_root)");
  if (adapts_domain(config)) add(config.target.root, "the target dataset (data.target.root)");
  return folders;
}

}  // namespace advseg
