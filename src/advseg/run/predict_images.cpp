#include "advseg/run/predict_images.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <iostream>
#include <map>
#include <opencv2/core.hpp>
#include <string>
#include <system_error>

#include "advseg/config/config.h"
#include "advseg/data/dataset.h"
#include "advseg/error.h"
#include "advseg/eval/visualize.h"
#include "advseg/inference/checkpoint_files.h"
#include "advseg/inference/prediction.h"
#include "advseg/io/file_bytes.h"
#include "advseg/io/image_file.h"
#include "advseg/io/output_file.h"
#include "advseg/io/png_mask.h"
#include "advseg/progress_bar.h"

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

std::vector<fs::path> images_in_folder(const fs::path& folder) {
  std::vector<fs::path> images;
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const fs::path& path = it->path();
    if (!has_image_extension(path)) continue;  // other files (notes, masks of another tool) are not inputs
    images.push_back(path);  // a folder, FIFO or broken link named *.jpg is refused (or skipped) when read
  }
  if (error) fail_at(folder, "cannot list the folder (" + error.message() + ")");
  std::sort(images.begin(), images.end());
  if (images.empty()) fail_at(folder, "holds no .jpg, .jpeg, .png or .bmp image");
  return images;
}

std::vector<fs::path> input_images(const fs::path& input) {
  const auto type = status_of(input).type();
  if (type == fs::file_type::not_found) fail_at(input, "--input: no such file or folder");
  if (type == fs::file_type::directory) return images_in_folder(input);
  require_regular_file(input, "--input");
  return {input};
}

void check_out_dir(const fs::path& input, const fs::path& out_dir) {
  // Predictions inside the input folder would be read back as inputs next time.
  const bool folder = status_of(input).type() == fs::file_type::directory;
  check_output_folder(out_dir, {{input, folder ? "the --input folder" : "the --input image"}});
}

// "03_tree" for class 3 named "tree": file names sort by class, and any
// character of a dataset's class name that a file name cannot hold becomes '_'.
std::string class_file_stem(std::size_t index, const std::string& name) {
  std::string stem = (index < 10 ? "0" : "") + std::to_string(index) + "_";
  for (unsigned char c : name) stem += std::isalnum(c) || c == '-' ? static_cast<char>(c) : '_';
  return stem;
}

// One 8-bit PNG per class: the probability times 255.
void write_probability_pngs(const fs::path& folder, const torch::Tensor& probabilities,
                            const std::vector<std::string>& class_names) {
  create_folders(folder);
  const auto bytes = (probabilities * 255).round().clamp(0, 255).to(torch::kUInt8).contiguous();
  for (std::int64_t k = 0; k < bytes.size(0); ++k) {
    const auto plane = bytes[k];
    const cv::Mat grey(static_cast<int>(plane.size(0)), static_cast<int>(plane.size(1)), CV_8UC1,
                       plane.data_ptr());
    const auto name = static_cast<std::size_t>(k) < class_names.size() ? class_names[k] : std::to_string(k);
    write_grey_image(folder / (class_file_stem(static_cast<std::size_t>(k), name) + ".png"), grey);
  }
}

// NumPy's .npy format (version 1.0): float16, C order, shape [C,H,W].
void write_probability_npy(const fs::path& path, const torch::Tensor& probabilities) {
  const auto half = probabilities.to(torch::kHalf).contiguous();
  std::string header = "{'descr': '<f2', 'fortran_order': False, 'shape': (" + std::to_string(half.size(0)) +
                       ", " + std::to_string(half.size(1)) + ", " + std::to_string(half.size(2)) + "), }";
  const std::size_t unpadded = 10 + header.size() + 1;  // magic, version, length, header, '\n'
  header += std::string((64 - unpadded % 64) % 64, ' ') + "\n";
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  bytes.append(static_cast<const char*>(half.data_ptr()), half.nbytes());
  write_file_bytes(path, bytes);
}

}  // namespace

PredictionPlan plan_predictions(const fs::path& input, const fs::path& out_dir,
                                const PredictSettings& settings) {
  const auto candidates = input_images(input);
  check_out_dir(input, out_dir);
  PredictionPlan plan;
  std::vector<fs::path> images;
  for (const auto& image : candidates) {
    try {
      read_rgb_image(image, settings.max_image_pixels);  // decoded once now, so no bad file stops it midway
      images.push_back(image);
    } catch (const Error& e) {
      if (!settings.skip_bad)
        throw Error(std::string(e.what()) + " (predict writes nothing while an input is bad; --skip-bad " +
                    "skips such files and predicts the others)");
      plan.skipped.push_back(e.what());
    }
  }
  if (images.empty())
    fail_at(input, "no input decodes as an image (all " + std::to_string(candidates.size()) + " skipped)");
  std::map<std::string, fs::path> by_stem;
  for (const auto& image : images) {
    const std::string stem = image.stem().string();
    const auto [other, fresh] = by_stem.emplace(stem, image);
    if (!fresh)
      fail_at(image, "and " + other->second.string() + " would both be written as " +
                         (out_dir / (stem + ".png")).string() + " (outputs are named by stem); rename one");
    PredictionJob job{image, out_dir / (stem + ".png"), out_dir / "overlays" / (stem + ".png"), {}};
    if (settings.probabilities == ProbabilityFiles::png) job.probabilities = out_dir / "probabilities" / stem;
    if (settings.probabilities == ProbabilityFiles::npy)
      job.probabilities = out_dir / "probabilities" / (stem + ".npy");
    plan.jobs.push_back(job);
  }
  for (const auto& job : plan.jobs)
    for (const auto& output : {job.mask, job.overlay})
      for (const auto& image : images)
        if (fs::weakly_canonical(output) == fs::weakly_canonical(image))
          fail_at(output, "would overwrite the input image " + image.string() + "; choose another --out");
  // Before the first prediction, so a folder in the way leaves no partial output.
  std::error_code error;
  for (const auto& job : plan.jobs)
    for (const auto& output : {job.mask, job.overlay})
      if (fs::is_directory(output, error))
        fail_at(output, "is a folder, where predict writes a file; move it away or choose another --out");
  return plan;
}

PredictionSummary run_predictions(const fs::path& checkpoint_dir, const Config& config,
                                  const std::vector<PredictionJob>& jobs, const PredictSettings& settings) {
  auto segmentor = load_segmentor(checkpoint_dir, config);
  const auto options = prediction_options(config);
  const auto dataset = describe_dataset(config.data);
  InferenceNetwork network(*segmentor);
  ImagePredictionOptions image_options;
  image_options.tile = settings.tile;
  image_options.probabilities = settings.probabilities != ProbabilityFiles::none;
  ProgressBar progress(jobs.size(), "images", std::cerr, stderr_is_terminal());
  std::size_t oriented = 0;
  for (const auto& job : jobs) {
    create_parent_folders(job.overlay);
    // As viewers show it: a mask must line up with what its user sees.
    // (Training keeps the stored pixels, which label files are made against.)
    const int orientation = image_exif_orientation(job.image).value_or(1);
    if (orientation != 1) ++oriented;
    const cv::Mat image =
        oriented_as_shown(read_rgb_image(job.image, config.data.max_image_pixels), orientation);
    const auto prediction = predict_image(network, image, options, image_options);
    write_index_png(job.mask, prediction.classes, dataset.palette);
    write_rgb_image(job.overlay, overlay(image, colourize(prediction.classes, dataset.palette)));
    if (settings.probabilities == ProbabilityFiles::png)
      write_probability_pngs(job.probabilities, prediction.probabilities, dataset.class_names);
    if (settings.probabilities == ProbabilityFiles::npy) {
      create_parent_folders(job.probabilities);
      write_probability_npy(job.probabilities, prediction.probabilities);
    }
    progress.advance();
  }
  progress.finish();
  return {jobs.size(), progress.elapsed_seconds(), oriented};
}

}  // namespace advseg
