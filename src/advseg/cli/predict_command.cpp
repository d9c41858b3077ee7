// advseg predict: label maps for images outside any dataset. For each input
// image it writes <stem>.png (palette PNG of class indices) and
// <stem>_overlay.png (class colours blended over the image).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "advseg/cli/commands.h"
#include "advseg/cli/common.h"
#include "advseg/data/batch.h"
#include "advseg/data/pipeline_options.h"
#include "advseg/error.h"
#include "advseg/eval/evaluator.h"
#include "advseg/eval/visualize.h"
#include "advseg/io/image_file.h"
#include "advseg/train/checkpoint.h"

namespace advseg {
namespace {
namespace fs = std::filesystem;

struct PredictOptions {
  std::string checkpoint;
  std::string input;
  std::string out;
  ConfigOptions config;
};

bool is_image_file(const fs::path& path) {
  auto ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp";
}

std::vector<fs::path> input_images(const fs::path& input) {
  if (!fs::exists(input)) fail_at(input, "no such file or directory");
  if (!fs::is_directory(input)) return {input};
  std::vector<fs::path> images;
  for (const auto& entry : fs::directory_iterator(input))
    if (entry.is_regular_file() && is_image_file(entry.path())) images.push_back(entry.path());
  std::sort(images.begin(), images.end());
  if (images.empty()) fail_at(input, "holds no .jpg, .jpeg, .png or .bmp image");
  return images;
}

cv::Mat to_index_mat(const torch::Tensor& classes) {
  auto bytes = classes.to(torch::kCPU).to(torch::kUInt8).contiguous();
  return cv::Mat(static_cast<int>(bytes.size(0)), static_cast<int>(bytes.size(1)), CV_8UC1, bytes.data_ptr())
      .clone();
}

void run_predict(const PredictOptions& options) {
  Config config = finish_config(load_checkpoint_config(options.checkpoint), options.config);
  auto evaluation = evaluation_options(config);
  Networks networks{make_configured_segmentor(config, evaluation.device), nullptr};
  load_checkpoint(options.checkpoint, networks, nullptr);
  auto info = describe_dataset(config.data);
  fs::create_directories(options.out);

  auto images = input_images(options.input);
  for (const auto& path : images) {
    cv::Mat image = read_rgb_image(path, config.data.max_image_pixels);
    auto tensor = image_to_tensor(image, evaluation.normalization)
                      .unsqueeze(0)
                      .to(evaluation.device)
                      .contiguous(evaluation.memory_format);
    cv::Mat classes = to_index_mat(predict_classes(*networks.segmentor, tensor)[0]);
    auto stem = fs::path(options.out) / path.stem();
    write_index_png(stem.string() + ".png", classes, info.palette);
    write_rgb_image(stem.string() + "_overlay.png", overlay(image, colourize(classes, info.palette)));
  }
  std::cout << "wrote " << images.size() << " label maps and overlays to " << options.out << "\n";
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto options = std::make_shared<PredictOptions>();
  auto* command = app.add_subcommand("predict", "Predict label maps for an image or a folder of images");
  command->add_option("--checkpoint", options->checkpoint, "Checkpoint directory (e.g. OUT/best)")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->add_option("--input", options->input, "An image file or a folder of images")->required();
  command->add_option("--out", options->out, "Output folder")->required();
  add_config_options(*command, options->config);
  command->callback([options] { run_predict(*options); });
}

}  // namespace advseg
