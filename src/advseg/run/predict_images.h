// `advseg predict` as a library call: label maps for images outside any
// dataset, through the one prediction path (inference/prediction.h), so the
// masks written are exactly those `advseg eval` scores.
//
// For each input image <stem>.<ext> it writes OUT/<stem>.png (palette PNG of
// class indices, the name evaluation tools expect) and
// OUT/overlays/<stem>.png (class colours blended over the image). Everything
// is checked before the first file is written: inputs must be regular files,
// no two inputs may share a stem, OUT may not be (or lie inside) the input
// folder, and no output may replace an input.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace advseg {

struct Config;

struct PredictionJob {
  std::filesystem::path image;
  std::filesystem::path mask;     // OUT/<stem>.png
  std::filesystem::path overlay;  // OUT/overlays/<stem>.png
};

// The jobs for --input (an image, or a folder's .jpg/.jpeg/.png/.bmp files,
// sorted) and --out; throws advseg::Error naming the path at fault.
std::vector<PredictionJob> plan_predictions(const std::filesystem::path& input,
                                            const std::filesystem::path& out_dir);

// Runs the checkpoint's segmentor over the jobs and writes their files.
void run_predictions(const std::filesystem::path& checkpoint_dir, const Config& config,
                     const std::vector<PredictionJob>& jobs);

}  // namespace advseg
