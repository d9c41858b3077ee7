#include "advseg/data/dataset_files.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <system_error>
#include <utility>

#include "advseg/error.h"
#include "advseg/io/file_bytes.h"
#include "advseg/io/image_file.h"
#include "advseg/io/split_file.h"

namespace advseg {
namespace fs = std::filesystem;

namespace {

std::string lower_case(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string joined;
  for (const std::string& part : parts) joined += (joined.empty() ? "" : separator) + part;
  return joined;
}

bool has_extension(const fs::path& path, const std::vector<std::string>& extensions) {
  const std::string extension = lower_case(path.extension().string());
  return std::find(extensions.begin(), extensions.end(), extension) != extensions.end();
}

// The entries of `dir` for which `keep` is true, sorted by name so that the
// order does not depend on the file system.
std::vector<fs::path> folder_entries(const fs::path& dir,
                                     const std::function<bool(const fs::directory_entry&)>& keep) {
  std::vector<fs::path> paths;
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    if (keep(*it)) paths.push_back(it->path());
  }
  if (error) fail_at(dir, "cannot list the folder: " + error.message());
  std::sort(paths.begin(), paths.end());
  return paths;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() > suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Every image in `dir` keyed by id (the file name without extension).
std::map<std::string, fs::path> images_by_id(const fs::path& dir,
                                             const std::vector<std::string>& extensions) {
  std::map<std::string, fs::path> images;
  const auto is_image = [&](const fs::directory_entry& entry) {
    return has_extension(entry.path(), extensions);
  };
  for (const fs::path& path : folder_entries(dir, is_image)) {
    // A FIFO, folder or broken link named like an image is a mistake to report, not to skip.
    require_regular_file(path, "image");
    const auto [existing, inserted] = images.emplace(path.stem().string(), path);
    if (!inserted) {
      fail_at(path,
              "two images share the id '" + existing->first + "' (also " + existing->second.string() + ")");
    }
  }
  return images;
}

std::vector<std::string> all_ids(const std::map<std::string, fs::path>& images, const fs::path& dir) {
  if (images.empty()) fail_at(dir, "the folder holds no image");
  std::vector<std::string> ids;
  for (const auto& entry : images) ids.push_back(entry.first);
  return ids;
}

fs::path listed_image(const std::map<std::string, fs::path>& images, const std::string& id,
                      const fs::path& dir, const std::vector<std::string>& extensions,
                      const fs::path& split_path) {
  const auto found = images.find(id);
  if (found != images.end()) return found->second;
  fail_at(dir / (id + extensions.front()), "image of id '" + id + "' listed in " + split_path.string() +
                                               " not found (looked for " + join(extensions, ", ") + ")");
}

}  // namespace

namespace {

// Where the samples of a split are listed: its split file (a name under
// <root>/splits, or a list file of the user's own, named by a path ending in
// .txt, e.g. a held-out part of a split), or the image folder.
fs::path split_listing(const fs::path& root, const std::string& split) {
  if (split.empty()) return root / "images";
  if (fs::path(split).extension() == ".txt") return split;
  return root / "splits" / (split + ".txt");
}

// The images of a split's samples, in split-file order; labels left empty.
std::vector<SampleFiles> split_image_files(const fs::path& root, const std::string& split,
                                           const std::vector<std::string>& extensions) {
  require_folder(root, "dataset folder");
  const fs::path image_dir = root / "images";
  require_folder(image_dir, "image folder");
  const std::map<std::string, fs::path> images = images_by_id(image_dir, extensions);
  const fs::path split_path = split_listing(root, split);
  if (!split.empty()) require_regular_file(split_path, "split file of split '" + split + "'");
  const std::vector<std::string> ids =
      split.empty() ? all_ids(images, image_dir) : read_split_file(split_path);

  std::vector<SampleFiles> samples;
  for (const std::string& id : ids)
    samples.push_back({id, listed_image(images, id, image_dir, extensions, split_path), {}});
  if (samples.empty()) fail_at(split_path, "holds no sample");
  return samples;
}

const std::vector<std::string> kImageExtensions = {".jpg", ".jpeg", ".png", ".bmp"};

}  // namespace

std::vector<SampleFiles> split_samples(const fs::path& root, const std::string& split,
                                       const FolderLayout& layout) {
  std::vector<SampleFiles> samples = split_image_files(root, split, layout.image_extensions);
  for (SampleFiles& sample : samples)
    sample.label = root / layout.label_folder / (sample.id + layout.label_suffix);
  return existing_samples(std::move(samples), split_listing(root, split));
}

std::vector<SampleFiles> split_images(const fs::path& root, const std::string& split) {
  return split_image_files(root, split, kImageExtensions);
}

std::vector<SampleFiles> existing_samples(std::vector<SampleFiles> samples, const fs::path& listed_in) {
  if (samples.empty()) fail_at(listed_in, "holds no sample");
  // Every file is checked now, naming the missing one, rather than hours into training.
  for (const SampleFiles& sample : samples) {
    require_regular_file(sample.image, "image of '" + sample.id + "' (listed in " + listed_in.string() + ")");
    require_regular_file(sample.label, "label of " + sample.image.string());
  }
  return samples;
}

std::vector<SampleFiles> folder_samples(const fs::path& image_dir, const std::string& image_suffix,
                                        const fs::path& label_dir, const std::string& label_suffix) {
  require_folder(image_dir, "image folder");
  require_folder(label_dir, "label folder");
  const auto is_image = [&](const fs::directory_entry& entry) {
    return ends_with(entry.path().filename().string(), image_suffix);
  };
  std::vector<SampleFiles> samples;
  for (const fs::path& image : folder_entries(image_dir, is_image)) {
    const std::string name = image.filename().string();
    const std::string id = name.substr(0, name.size() - image_suffix.size());
    samples.push_back({id, image, label_dir / (id + label_suffix)});
  }
  return samples;
}

std::vector<fs::path> sub_folders(const fs::path& dir) {
  require_folder(dir, "folder");
  return folder_entries(dir, [](const fs::directory_entry& entry) {
    std::error_code error;
    return entry.is_directory(error);
  });
}

void require_split_name(const std::string& split, const std::string& dataset,
                        const std::vector<std::string>& choices) {
  if (std::find(choices.begin(), choices.end(), split) != choices.end()) return;
  throw Error("the " + dataset + " dataset has no split '" + split + "' (expected " + join(choices, ", ") +
              ")");
}

LabelValueMap::LabelValueMap(std::string valid) : valid_values(std::move(valid)) {
  target.fill(kInvalidLabel);
}

LabelValueMap& LabelValueMap::shift(int first, int last, int offset) {
  for (int value = first; value <= last; ++value) target.at(static_cast<std::size_t>(value)) = value + offset;
  return *this;
}

LabelValueMap& LabelValueMap::set(int first, int last, int to) {
  for (int value = first; value <= last; ++value) target.at(static_cast<std::size_t>(value)) = to;
  return *this;
}

LabelValueMap identity_label_map(int num_classes, int ignore_index) {
  LabelValueMap map("0-" + std::to_string(num_classes - 1) + " (classes, data.num_classes is " +
                    std::to_string(num_classes) + ") or the ignore index " + std::to_string(ignore_index));
  return map.shift(0, num_classes - 1, 0).set(ignore_index, ignore_index);
}

// A value that is neither a class nor the ignore index would index past the
// classifier's outputs in the loss; refuse it here, where the file is known.
cv::Mat map_label_values(const cv::Mat& stored, const LabelValueMap& map, const fs::path& path) {
  cv::Mat mapped(stored.size(), CV_8UC1);
  for (int y = 0; y < stored.rows; ++y) {
    const std::uint8_t* in = stored.ptr<std::uint8_t>(y);
    std::uint8_t* out = mapped.ptr<std::uint8_t>(y);
    for (int x = 0; x < stored.cols; ++x) {
      const int target = map.target[in[x]];
      if (target == LabelValueMap::kInvalidLabel) {
        fail_at(path, "label value " + std::to_string(in[x]) + " at (x=" + std::to_string(x) + ", y=" +
                          std::to_string(y) + ") is not valid here (expected " + map.valid_values + ")");
      }
      out[x] = static_cast<std::uint8_t>(target);
    }
  }
  return mapped;
}

Example read_example(const SampleFiles& sample, long long max_image_pixels,
                     const std::function<cv::Mat(const fs::path&)>& read_label) {
  Example example{read_rgb_image(sample.image, max_image_pixels), read_label(sample.label), sample.id};
  if (example.image.size() != example.label.size()) {
    // Images are read as stored; a camera's EXIF rotation is not applied
    // (labels are drawn on the stored pixels), which explains a swapped size.
    const auto orientation = image_exif_orientation(sample.image);
    const std::string exif = orientation && *orientation != 1
                                 ? " (the image has EXIF orientation " + std::to_string(*orientation) +
                                       ", which advseg ignores: it reads pixels as stored, so the label must "
                                       "match the stored size)"
                                 : "";
    fail_at(sample.label, "label is " + std::to_string(example.label.cols) + "x" +
                              std::to_string(example.label.rows) + " (width x height) but its image " +
                              sample.image.string() + " is " + std::to_string(example.image.cols) + "x" +
                              std::to_string(example.image.rows) + exif);
  }
  return example;
}

Example read_image_only(const SampleFiles& sample, long long max_image_pixels) {
  return Example{read_rgb_image(sample.image, max_image_pixels), cv::Mat(), sample.id};
}

std::vector<SampleFiles> folder_images(const fs::path& dir) {
  require_folder(dir, "image folder");
  std::vector<SampleFiles> samples;
  const auto images = images_by_id(dir, kImageExtensions);
  for (const std::string& id : all_ids(images, dir)) samples.push_back({id, images.at(id), {}});
  return samples;
}

}  // namespace advseg
