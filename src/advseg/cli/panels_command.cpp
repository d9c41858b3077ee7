// advseg panels: the same images segmented by several checkpoints, side by
// side with the ground truth, as one picture, e.g.
//   advseg panels --checkpoints standard=runs/std/best adversarial=runs/adv/best --count 6 --out panels.png
// and, with --shifts, the images under each data.shift too, e.g. of a config:
//   advseg panels --config configs/stanford_background.yaml --shifts fog,fog_gradient,low_light --out s.png
#include <CLI/CLI.hpp>
#include <iostream>
#include <map>

#include "advseg/cli/commands.h"
#include "advseg/cli/common.h"
#include "advseg/cli/number_checks.h"
#include "advseg/config/dataset_folders.h"
#include "advseg/data/dataset.h"
#include "advseg/data/image_shift.h"
#include "advseg/error.h"
#include "advseg/eval/panels.h"
#include "advseg/inference/checkpoint_files.h"
#include "advseg/inference/prediction.h"
#include "advseg/io/image_file.h"
#include "advseg/io/output_file.h"

namespace advseg {
namespace {

struct PanelsOptions {
  std::vector<std::string> checkpoints;  // NAME=DIR
  std::vector<std::string> shifts;       // data.shift names, a column each
  std::string config_file;               // the dataset's config when no checkpoint is given
  std::string split = "val";
  int count = 6;
  std::vector<std::string> ids;
  std::string out;
  ConfigOptions config;
};

// The examples to draw: those named by --ids, in that order, else the first --count.
std::vector<Example> chosen_examples(const Dataset& dataset, const PanelsOptions& options) {
  std::vector<Example> examples;
  if (options.ids.empty()) {
    for (std::size_t i = 0; i < dataset.size() && static_cast<int>(i) < options.count; ++i)
      examples.push_back(dataset.get(i));
  } else {
    std::map<std::string, std::size_t> index_of;
    for (std::size_t i = 0; i < dataset.size(); ++i) index_of[dataset.get(i).id] = i;
    for (const auto& id : options.ids) {
      auto found = index_of.find(id);
      if (found == index_of.end())
        throw Error("--ids: no image \"" + id + "\" in the " + options.split + " split");
      examples.push_back(dataset.get(found->second));
    }
  }
  if (examples.empty()) throw Error("panels: the " + options.split + " split has no images");
  return examples;
}

// Each checkpoint's label maps for the examples, one column of the panel.
std::vector<cv::Mat> predict_column(const std::string& checkpoint, const PanelsOptions& options,
                                    const DatasetInfo& info, const std::vector<Example>& examples) {
  Config config = checkpoint_config(checkpoint, options.config);
  if (config.data.num_classes != info.num_classes)
    fail_at(checkpoint, "predicts " + std::to_string(config.data.num_classes) + " classes, the dataset has " +
                            std::to_string(info.num_classes));
  auto segmentor = load_segmentor(checkpoint, config);
  const auto prediction = prediction_options(config);
  InferenceNetwork network(*segmentor);
  std::vector<cv::Mat> maps;
  for (const auto& example : examples) maps.push_back(predict_label_map(network, example.image, prediction));
  return maps;
}

// The dataset's config: the first checkpoint's, else --config's (--set applied).
Config panels_config(const PanelsOptions& options) {
  if (options.checkpoints.empty()) return file_config(options.config_file, options.config);
  if (!options.config_file.empty())
    throw Error(
        "--config: the checkpoints' own configs name the dataset; give --config without --checkpoints");
  return checkpoint_config(split_named_argument(options.checkpoints.front()).second, options.config);
}

// Each example's image under every shift of --shifts, at data.shift_severity
// and data.shift_seed of `data`.
void add_shifted_views(std::vector<PanelRow>& rows, const std::vector<Example>& examples,
                       const PanelsOptions& options, const DataConfig& data,
                       std::vector<std::string>& names) {
  for (const auto& name : options.shifts) {
    ShiftOptions shift = shift_options(data);
    shift.kind = parse_shift_kind(name, "--shifts");
    for (std::size_t i = 0; i < rows.size(); ++i)
      rows[i].views.push_back(shift_image(examples[i].image, shift, examples[i].id));
    names.push_back(name);
  }
}

void run_panels(const PanelsOptions& options) {
  if (options.checkpoints.empty() && options.shifts.empty())
    throw Error("panels: give --checkpoints (predictions), --shifts (shifted images) or both");
  for (const auto& name : options.shifts) parse_shift_kind(name, "--shifts");  // before any image is read
  // The dataset as the first checkpoint saw it, or as --config describes it.
  Config config = panels_config(options);
  auto reads = dataset_folders(config);
  for (const auto& argument : options.checkpoints)
    for (auto& read : checkpoint_reads(split_named_argument(argument).second))
      reads.push_back(std::move(read));
  check_output_file(options.out, reads);
  auto dataset = make_dataset(evaluated_data(config), options.split);
  auto examples = chosen_examples(*dataset, options);

  std::vector<PanelRow> rows;
  for (const auto& example : examples) rows.push_back({example.image, {example.label}, {}});
  std::vector<std::string> column_names = {"image"};
  add_shifted_views(rows, examples, options, evaluated_data(config), column_names);
  column_names.push_back("ground truth");
  for (const auto& argument : options.checkpoints) {
    auto [name, dir] = split_named_argument(argument);
    auto maps = predict_column(dir, options, dataset->info(), examples);
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i].label_maps.push_back(maps[i]);
    column_names.push_back(name);
  }
  write_rgb_image(options.out, draw_panels(rows, column_names, dataset->info().palette));
  std::cout << "wrote " << rows.size() << " rows x " << column_names.size() << " columns to " << options.out
            << "\n";
}

}  // namespace

void add_panels_command(CLI::App& app) {
  auto options = std::make_shared<PanelsOptions>();
  auto* command = app.add_subcommand(
      "panels", "Picture grid: image | each shift | ground truth | each checkpoint's prediction");
  command->add_option("--checkpoints", options->checkpoints,
                      "NAME=DIR per checkpoint (e.g. standard=runs/a/best)");
  command
      ->add_option("--shifts", options->shifts,
                   "Also the images under each of these data.shift kinds, e.g. fog,fog_gradient,low_light "
                   "(at data.shift_severity)")
      ->delimiter(',');
  command->add_option("--config", options->config_file,
                      "Without --checkpoints: the config naming the dataset (default: the built-in demo's)");
  command->add_option("--split", options->split, "train or val")->check(CLI::IsMember({"train", "val"}));
  command->add_option("--count", options->count, "The first COUNT images of the split")
      ->transform(whole_number(1));
  command->add_option("--ids", options->ids, "These image ids instead (comma-separated)")->delimiter(',');
  command->add_option("--out", options->out, "Output file: the picture (.png or .jpg)")
      ->required()
      ->check(CLI::Validator(
          [](std::string& path) {
            const auto ext = std::filesystem::path(path).extension().string();
            return ext == ".png" || ext == ".jpg" || ext == ".jpeg" ? std::string()
                                                                    : "must end in .png, .jpg or .jpeg";
          },
          "FILE.png|FILE.jpg"));
  add_config_options(*command, options->config);
  command->callback([options] { run_panels(*options); });
}

}  // namespace advseg
