// File discovery shared by the datasets stored as folders: which samples a
// split holds, where their files are, and the checks every reader repeats.
// Problems are reported up front, naming the file, instead of mid-training.
#pragma once

#include <array>
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

// What the readers of the datasets in their distributed layouts (VOC,
// Cityscapes, ...) take from the config.
struct DatasetFolderOptions {
  std::filesystem::path root;  // the dataset's folder as distributed
  std::string split;           // the split's name, e.g. "train" or "val"
  int ignore_index = 255;
  long long max_image_pixels = 100000000;
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

// The images of a split in that layout (<root>/images/<id>.{jpg,jpeg,png,bmp},
// listed by <root>/splits/<split>.txt, or all of them when `split` is empty),
// with empty label paths: no label is looked for.
std::vector<SampleFiles> split_images(const std::filesystem::path& root, const std::string& split);

// Checks that the image and the label of every sample exist, naming the
// missing file and `listed_in` (where the sample came from: a split file, a
// folder), and that there is at least one sample; returns the samples.
std::vector<SampleFiles> existing_samples(std::vector<SampleFiles> samples,
                                          const std::filesystem::path& listed_in);

// The regular files of `image_dir` whose names end with `image_suffix`
// (case-sensitive), sorted by name; each id is the name without the suffix,
// its label <label_dir>/<id><label_suffix>. Checked by existing_samples.
std::vector<SampleFiles> folder_samples(const std::filesystem::path& image_dir,
                                        const std::string& image_suffix,
                                        const std::filesystem::path& label_dir,
                                        const std::string& label_suffix);

// The sub-folders of `dir` sorted by name (e.g. the cities of Cityscapes).
std::vector<std::filesystem::path> sub_folders(const std::filesystem::path& dir);

// Throws advseg::Error unless `split` is one of `choices`, naming `dataset`.
void require_split_name(const std::string& split, const std::string& dataset,
                        const std::vector<std::string>& choices);

// How the values stored in a label file become class indices: a class
// index, the ignore index, or kInvalidLabel for values that are an error.
struct LabelValueMap {
  static constexpr int kInvalidLabel = -1;
  std::array<int, 256> target{};
  std::string valid_values;  // for messages, e.g. "0-20 (classes) or 255 (void)"

  // Every value invalid; mark the valid ones with shift() and set().
  explicit LabelValueMap(std::string valid);
  LabelValueMap& shift(int first, int last, int offset);  // v in first..last -> v + offset
  LabelValueMap& set(int first, int last, int to);        // v in first..last -> to
  LabelValueMap& set(int value, int to) { return set(value, value, to); }
};

// The labels that store class indices as they are: 0..num_classes-1 and
// the ignore index.
LabelValueMap identity_label_map(int num_classes, int ignore_index);

// Applies `map` to a CV_8UC1 label; a value marked invalid throws
// advseg::Error naming `path`, the pixel position and the value.
cv::Mat map_label_values(const cv::Mat& stored, const LabelValueMap& map, const std::filesystem::path& path);

// Reads a sample's image and, with `read_label`, its label; throws
// advseg::Error naming both files and both sizes when the sizes differ.
Example read_example(const SampleFiles& sample, long long max_image_pixels,
                     const std::function<cv::Mat(const std::filesystem::path&)>& read_label);

// Reads a sample's image alone (the label stays empty, its file unread).
Example read_image_only(const SampleFiles& sample, long long max_image_pixels);

// The images of `dir` (jpg, jpeg, png, bmp, any case) sorted by id, each
// with an empty label path; a folder without images, and two images sharing
// an id, throw advseg::Error naming the path.
std::vector<SampleFiles> folder_images(const std::filesystem::path& dir);

}  // namespace advseg
