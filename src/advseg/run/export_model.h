// `advseg export` as a library call: a checkpoint's segmentor written as a
// TorchScript file (inference/torchscript_export.h) with its dataset's class
// names and palette, runnable in Python and LibTorch without advseg.
#pragma once

#include <filesystem>
#include <utility>

namespace advseg {

struct Config;

struct ExportRequest {
  std::filesystem::path checkpoint;  // a checkpoint folder (RUN/best, RUN/last)
  std::filesystem::path out;         // the .pt file to write
  int height = 0;                    // the traced network's resolution; 0 = data.crop_height
  int width = 0;                     // 0 = data.crop_width
};

// Loads the checkpoint's segmentor on the CPU, in fp32, and writes it to
// request.out (its folder is created). Returns the resolution it was traced
// at as {height, width}. Errors name the file at fault.
std::pair<int, int> export_checkpoint(const ExportRequest& request, Config config);

}  // namespace advseg
