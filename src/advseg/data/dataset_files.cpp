#include "advseg/data/dataset_files.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <system_error>

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

// Every image in `dir` keyed by id (the file name without extension); a map
// so that the order does not depend on the file system.
std::map<std::string, fs::path> images_by_id(const fs::path& dir,
                                             const std::vector<std::string>& extensions) {
  std::map<std::string, fs::path> images;
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    const fs::path& path = it->path();
    if (!has_extension(path, extensions)) continue;
    // A FIFO, folder or broken link named like an image is a mistake to report, not to skip.
    require_regular_file(path, "image");
    const auto [existing, inserted] = images.emplace(path.stem().string(), path);
    if (!inserted) {
      fail_at(path,
              "two images share the id '" + existing->first + "' (also " + existing->second.string() + ")");
    }
  }
  if (error) fail_at(dir, "cannot list the folder: " + error.message());
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

std::vector<SampleFiles> split_samples(const fs::path& root, const std::string& split,
                                       const FolderLayout& layout) {
  require_folder(root, "dataset folder");
  const fs::path image_dir = root / "images";
  require_folder(image_dir, "image folder");
  const std::map<std::string, fs::path> images = images_by_id(image_dir, layout.image_extensions);
  const fs::path split_path = root / "splits" / (split + ".txt");
  if (!split.empty()) require_regular_file(split_path, "split file of split '" + split + "'");
  const std::vector<std::string> ids =
      split.empty() ? all_ids(images, image_dir) : read_split_file(split_path);

  // Every file is checked now, naming the missing one, rather than hours into training.
  std::vector<SampleFiles> samples;
  for (const std::string& id : ids) {
    SampleFiles sample{id, listed_image(images, id, image_dir, layout.image_extensions, split_path),
                       root / layout.label_folder / (id + layout.label_suffix)};
    require_regular_file(sample.label, "label of " + sample.image.string());
    samples.push_back(std::move(sample));
  }
  return samples;
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

}  // namespace advseg
