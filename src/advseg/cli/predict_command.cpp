// advseg predict: label maps for an image or a folder of images, written to
// the folder --out as OUT/<stem>.png (palette PNG of class indices) and
// OUT/overlays/<stem>.png (class colours over the image); see
// run/predict_images.h for the checks made before anything is written.
#include <CLI/CLI.hpp>
#include <iostream>

#include "advseg/cli/commands.h"
#include "advseg/cli/common.h"
#include "advseg/run/predict_images.h"

namespace advseg {
namespace {

struct PredictOptions {
  std::string checkpoint;
  std::string input;
  std::string out;
  ConfigOptions config;
};

void run_predict(const PredictOptions& options) {
  Config config = checkpoint_config(options.checkpoint, options.config);
  const auto jobs = plan_predictions(options.input, options.out);
  run_predictions(options.checkpoint, config, jobs);
  std::cout << "wrote " << jobs.size() << " label maps to " << options.out << " and their overlays to "
            << (std::filesystem::path(options.out) / "overlays").string() << "\n";
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
  add_config_options(*command, options->config);
  command->callback([options] { run_predict(*options); });
}

}  // namespace advseg
