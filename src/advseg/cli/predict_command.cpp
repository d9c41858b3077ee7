// advseg predict: label maps for an image or a folder of images (video frames
// too), written to the folder --out as OUT/<stem>.png (palette PNG of class
// indices), OUT/overlays/<stem>.png (class colours over the image) and, with
// --probabilities, each class's probability map; a progress bar on a
// terminal and a summary line at the end. See run/predict_images.h for the
// checks made before anything is written.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <string>

#include "advseg/cli/commands.h"
#include "advseg/cli/common.h"
#include "advseg/cli/number_checks.h"
#include "advseg/inference/checkpoint_files.h"
#include "advseg/io/output_file.h"
#include "advseg/run/predict_images.h"

namespace advseg {
namespace {

struct PredictOptions {
  std::string checkpoint;
  std::string input;
  std::string out;
  std::string probabilities;  // "", "png" or "npy"
  PredictSettings settings;
  ConfigOptions config;
};

void run_predict(PredictOptions& options) {
  Config config = checkpoint_config(options.checkpoint, options.config);
  options.settings.max_image_pixels = config.data.max_image_pixels;
  if (options.probabilities == "png") options.settings.probabilities = ProbabilityFiles::png;
  if (options.probabilities == "npy") options.settings.probabilities = ProbabilityFiles::npy;
  check_output_folder(options.out, checkpoint_reads(options.checkpoint));  // before any prediction
  const auto plan = plan_predictions(options.input, options.out, options.settings);
  for (const auto& skipped : plan.skipped) std::cerr << "advseg: skipped " << skipped << "\n";
  const auto summary = run_predictions(options.checkpoint, config, plan.jobs, options.settings);
  std::cout << std::fixed << std::setprecision(1) << "predicted " << summary.images << " images in "
            << summary.seconds << " s ("
            << static_cast<double>(summary.images) / std::max(summary.seconds, 1e-9) << " images/s)"
            << (plan.skipped.empty() ? "" : ", skipped " + std::to_string(plan.skipped.size()))
            << ": label maps in " << options.out << ", overlays in "
            << (std::filesystem::path(options.out) / "overlays").string()
            << (options.probabilities.empty()
                    ? ""
                    : ", probabilities in " + (std::filesystem::path(options.out) / "probabilities").string())
            << (summary.oriented == 0
                    ? ""
                    : "; " + std::to_string(summary.oriented) +
                          " JPEGs predicted as rotated by their EXIF orientation, as viewers "
                          "show them")
            << "\n";
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto options = std::make_shared<PredictOptions>();
  auto* command = app.add_subcommand("predict", "Predict label maps for an image or a folder of images");
  command->add_option("--checkpoint", options->checkpoint, "Checkpoint folder (e.g. OUT/best)")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->add_option("--input", options->input, "An image file or a folder of images")->required();
  command->add_option("--out", options->out, "Output folder: <stem>.png label maps, overlays/<stem>.png")
      ->required();
  command
      ->add_option("--probabilities", options->probabilities,
                   "Also each class's probability: png (probabilities/<stem>/<k>_<class>.png, 8-bit) or npy "
                   "(probabilities/<stem>.npy, float16 [C,H,W])")
      ->check(CLI::IsMember({"png", "npy"}));
  command
      ->add_option("--tile", options->settings.tile,
                   "Predict in TILE x TILE windows overlapping by a quarter (large images); default: whole")
      ->transform(whole_number(1));
  command->add_flag("--skip-bad", options->settings.skip_bad,
                    "Skip (and name) inputs that do not decode, instead of stopping before any output");
  add_config_options(*command, options->config);
  command->callback([options] { run_predict(*options); });
}

}  // namespace advseg
