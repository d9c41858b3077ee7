#include "advseg/data/sbd_dataset.h"

#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "advseg/error.h"
#include "advseg/io/file_bytes.h"
#include "advseg/io/split_file.h"

namespace advseg {

namespace fs = std::filesystem;

fs::path SbdDataset::list_path(const fs::path& root, const std::string& split) {
  const fs::path image_sets = root / "ImageSets" / "Segmentation" / (split + ".txt");
  std::error_code error;
  if (fs::exists(image_sets, error)) return image_sets;
  const fs::path at_root = root / (split + ".txt");
  require_regular_file(at_root,
                       "list of the SBD split '" + split + "' (nor is there " + image_sets.string() + ")");
  return at_root;
}

namespace {

// "/JPEGImages/x.jpg" in a list means <root>/JPEGImages/x.jpg.
fs::path under_root(const fs::path& root, const std::string& listed) {
  return root / fs::path(listed).relative_path();
}

std::vector<SampleFiles> sbd_samples(const DatasetFolderOptions& options) {
  require_folder(options.root, "SBD dataset folder");
  const fs::path list = SbdDataset::list_path(options.root, options.split);
  std::vector<SampleFiles> samples;
  for (const ListLine& line : read_list_file(list)) {
    if (line.fields.size() == 1) {
      const std::string& id = line.fields.front();
      samples.push_back({id, options.root / "JPEGImages" / (id + ".jpg"),
                         options.root / "SegmentationClassAug" / (id + ".png")});
    } else if (line.fields.size() == 2) {
      const fs::path image = under_root(options.root, line.fields[0]);
      samples.push_back({image.stem().string(), image, under_root(options.root, line.fields[1])});
    } else {
      fail_at(list, "line " + std::to_string(line.number) + " holds " + std::to_string(line.fields.size()) +
                        " fields: '" + line.text + "' (expected an id, or an image and a label path)");
    }
  }
  return existing_samples(std::move(samples), list);
}

}  // namespace

SbdDataset::SbdDataset(const DatasetFolderOptions& options)
    : IndexPngDataset(sbd_samples(options), describe(options.ignore_index),
                      VocDataset::label_map(options.ignore_index), options.max_image_pixels) {}

}  // namespace advseg
