#include "advseg/run/predict_images.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <system_error>

#include "advseg/config/config.h"
#include "advseg/data/dataset.h"
#include "advseg/error.h"
#include "advseg/eval/visualize.h"
#include "advseg/inference/checkpoint_files.h"
#include "advseg/inference/prediction.h"
#include "advseg/io/file_bytes.h"
#include "advseg/io/image_file.h"
#include "advseg/io/png_mask.h"

namespace advseg {
namespace fs = std::filesystem;
namespace {

bool has_image_extension(const fs::path& path) {
  auto ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp";
}

// The status of `path` (following links), with every failure but "not found" named.
fs::file_status status_of(const fs::path& path) {
  std::error_code error;
  const auto status = fs::status(path, error);
  if (error && status.type() != fs::file_type::not_found)
    fail_at(path, "cannot access (" + error.message() + ")");
  return status;
}

std::vector<fs::path> folder_images(const fs::path& folder) {
  std::vector<fs::path> images;
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const fs::path& path = it->path();
    if (!has_image_extension(path)) continue;  // other files (notes, masks of another tool) are not inputs
    require_regular_file(path, "input image");
    images.push_back(path);
  }
  if (error) fail_at(folder, "cannot list the folder (" + error.message() + ")");
  std::sort(images.begin(), images.end());
  if (images.empty()) fail_at(folder, "holds no .jpg, .jpeg, .png or .bmp image");
  return images;
}

std::vector<fs::path> input_images(const fs::path& input) {
  const auto type = status_of(input).type();
  if (type == fs::file_type::not_found) fail_at(input, "--input: no such file or folder");
  if (type == fs::file_type::directory) return folder_images(input);
  require_regular_file(input, "--input");
  return {input};
}

void check_out_dir(const fs::path& input, const fs::path& out_dir) {
  const auto type = status_of(out_dir).type();
  if (type != fs::file_type::not_found && type != fs::file_type::directory)
    fail_at(out_dir, "--out must be a folder, but this is " + describe_file_type(type));
  if (status_of(input).type() != fs::file_type::directory) return;
  const auto folder = fs::weakly_canonical(input), out = fs::weakly_canonical(out_dir);
  const auto relative = out.lexically_relative(folder);
  if (!relative.empty() && *relative.begin() != "..")
    fail_at(out_dir, "is " + std::string(out == folder ? "" : "inside ") + "the --input folder " +
                         input.string() +
                         ": predictions would land among the images (and be read back as inputs next time); "
                         "choose an --out outside it");
}

}  // namespace

std::vector<PredictionJob> plan_predictions(const fs::path& input, const fs::path& out_dir) {
  const auto images = input_images(input);
  check_out_dir(input, out_dir);
  std::map<std::string, fs::path> by_stem;
  std::vector<PredictionJob> jobs;
  for (const auto& image : images) {
    const std::string stem = image.stem().string();
    const auto [other, fresh] = by_stem.emplace(stem, image);
    if (!fresh)
      fail_at(image, "and " + other->second.string() + " would both be written as " +
                         (out_dir / (stem + ".png")).string() + " (outputs are named by stem); rename one");
    jobs.push_back({image, out_dir / (stem + ".png"), out_dir / "overlays" / (stem + ".png")});
  }
  for (const auto& job : jobs)
    for (const auto& output : {job.mask, job.overlay})
      for (const auto& image : images)
        if (fs::weakly_canonical(output) == fs::weakly_canonical(image))
          fail_at(output, "would overwrite the input image " + image.string() + "; choose another --out");
  return jobs;
}

void run_predictions(const fs::path& checkpoint_dir, const Config& config,
                     const std::vector<PredictionJob>& jobs) {
  auto segmentor = load_segmentor(checkpoint_dir, config);
  const auto options = prediction_options(config);
  const auto palette = describe_dataset(config.data).palette;
  InferenceNetwork network(*segmentor);
  for (const auto& job : jobs) {
    std::error_code error;
    fs::create_directories(job.overlay.parent_path(), error);
    if (error) fail_at(job.overlay.parent_path(), "cannot create the folder (" + error.message() + ")");
    const cv::Mat image = read_rgb_image(job.image, config.data.max_image_pixels);
    const cv::Mat classes = predict_label_map(network, image, options);
    write_index_png(job.mask, classes, palette);
    write_rgb_image(job.overlay, overlay(image, colourize(classes, palette)));
  }
}

}  // namespace advseg
