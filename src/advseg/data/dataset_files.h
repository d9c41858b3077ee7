// File discovery shared by the datasets stored as folders: which samples a
// split holds, where their files are, and the checks every reader repeats.
// Problems are reported up front, naming the file, instead of mid-training.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "advseg/data/dataset.h"

namespace advseg {

struct SampleFiles {
  std::string id;
  std::filesystem::path image;
  std::filesystem::path label;
};

struct FolderLayout {
  std::vector<std::string> image_extensions;  // lower-case with the dot (".jpg"); case-insensitive
  std::string label_folder;                   // labels are <root>/<label_folder>/<id><label_suffix>
  std::string label_suffix;
};

// The samples of a split: the ids of <root>/splits/<split>.txt in file
// order, or every image in <root>/images sorted by id when `split` is
// empty. A missing folder, split file, image or label, and two images
// sharing an id, throw advseg::Error naming the path.
std::vector<SampleFiles> split_samples(const std::filesystem::path& root, const std::string& split,
                                       const FolderLayout& layout);

// Reads a sample's image and, with `read_label`, its label; throws
// advseg::Error naming both files and both sizes when the sizes differ.
Example read_example(const SampleFiles& sample, long long max_image_pixels,
                     const std::function<cv::Mat(const std::filesystem::path&)>& read_label);

}  // namespace advseg
