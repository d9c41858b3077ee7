// advseg export: a checkpoint's segmentor as a TorchScript file for Python
// (torch.jit.load) or LibTorch (torch::jit::load), used without advseg:
// forward(images) takes RGB in [0, 1], float [N,3,H,W], and returns logits
// [N,C,H,W] at the input resolution; class_names and palette are attributes.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "advseg/cli/commands.h"
#include "advseg/cli/common.h"
#include "advseg/error.h"
#include "advseg/run/export_model.h"

namespace advseg {
namespace {

struct ExportOptions {
  ExportRequest request;
  std::string size;  // "HxW"
  bool onnx = false;
  ConfigOptions config;
};

constexpr int kMaxExportSide = 1 << 14;  // as advseg bench's --height and --width

// "240x320" -> {240, 320}.
std::pair<int, int> parse_size(const std::string& text) {
  const auto x = text.find('x');
  try {
    std::size_t used_height = 0, used_width = 0;
    const int height = std::stoi(text.substr(0, x), &used_height);
    const int width = std::stoi(text.substr(x + 1), &used_width);
    const auto side = [](int pixels) { return pixels > 0 && pixels <= kMaxExportSide; };
    if (x != std::string::npos && used_height == x && used_width == text.size() - x - 1 && side(height) &&
        side(width))
      return {height, width};
  } catch (const std::exception&) {
  }
  throw Error("--size: expected HEIGHTxWIDTH in pixels, each from 1 to " + std::to_string(kMaxExportSide) +
              ", e.g. 240x320, got '" + text + "'");
}

void run_export(ExportOptions& options) {
  if (options.onnx)
    throw Error(
        "--onnx: LibTorch's C++ API has no ONNX exporter (its operator conversions are written in Python); "
        "export to TorchScript, then run tools/export_onnx.py MODEL.pt MODEL.onnx");
  if (!options.size.empty())
    std::tie(options.request.height, options.request.width) = parse_size(options.size);
  Config config = checkpoint_config(options.request.checkpoint, options.config);
  const auto [height, width] = export_checkpoint(options.request, config);
  std::cout << "wrote " << options.request.out.string()
            << " (TorchScript): forward(images) takes RGB in [0, 1], "
            << "float [N,3,H,W], and returns logits [N,C,H,W] at the input size; the network runs at "
            << height << "x" << width << " (other sizes are resized to it and back)\n";
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto options = std::make_shared<ExportOptions>();
  auto* command = app.add_subcommand("export", "Export a checkpoint's segmentor as TorchScript");
  command->add_option("--checkpoint", options->request.checkpoint, "Checkpoint folder (e.g. OUT/best)")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->add_option("--out", options->request.out, "The TorchScript file to write, e.g. model.pt")
      ->required();
  command->add_option(
      "--size", options->size,
      "HEIGHTxWIDTH the network runs at (default: the config's crop size); export at the size "
      "you predict at for logits equal to advseg's");
  command->add_flag("--onnx", options->onnx, "ONNX instead (explains how: tools/export_onnx.py)");
  add_config_options(*command, options->config);
  command->callback([options] { run_export(*options); });
}

}  // namespace advseg
