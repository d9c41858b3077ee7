// `advseg predict` as a library call: label maps for images outside any
// dataset, through the one prediction path (inference/prediction.h), so the
// masks written are exactly those `advseg eval` scores.
//
// For each input image <stem>.<ext> it writes OUT/<stem>.png (palette PNG of
// class indices, the name evaluation tools expect),
// OUT/overlays/<stem>.png (class colours blended over the image) and, when
// asked, the class probabilities: OUT/probabilities/<stem>/<k>_<class>.png
// (8-bit, 255 = certain) or OUT/probabilities/<stem>.npy (float16
// [C,H,W]). Everything is checked before the first file is written: every
// input must decode as an image (a bad one is an error naming it, or skipped
// and named with skip_bad), no two inputs may share a stem, OUT may not be
// (or lie inside) the input folder, and no output may replace an input.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace advseg {

struct Config;

enum class ProbabilityFiles { none, png, npy };

struct PredictSettings {
  ProbabilityFiles probabilities = ProbabilityFiles::none;
  int tile = 0;                            // > 0: predict in overlapping tile x tile windows
  bool skip_bad = false;                   // skip (and name) inputs that do not decode
  long long max_image_pixels = 100000000;  // data.max_image_pixels
};

struct PredictionJob {
  std::filesystem::path image;
  std::filesystem::path mask;           // OUT/<stem>.png
  std::filesystem::path overlay;        // OUT/overlays/<stem>.png
  std::filesystem::path probabilities;  // OUT/probabilities/<stem>[.npy]; empty when not asked
};

struct PredictionPlan {
  std::vector<PredictionJob> jobs;
  std::vector<std::string> skipped;  // "PATH: why", with skip_bad
};

// The jobs for --input (an image, or a folder's .jpg/.jpeg/.png/.bmp files,
// sorted) and --out; throws advseg::Error naming the path at fault.
PredictionPlan plan_predictions(const std::filesystem::path& input, const std::filesystem::path& out_dir,
                                const PredictSettings& settings);

struct PredictionSummary {
  std::size_t images = 0;
  double seconds = 0;
  std::size_t oriented = 0;  // JPEGs whose EXIF orientation the predictions follow
};

// Runs the checkpoint's segmentor over the jobs and writes their files, with
// a progress bar on standard error when that is a terminal.
PredictionSummary run_predictions(const std::filesystem::path& checkpoint_dir, const Config& config,
                                  const std::vector<PredictionJob>& jobs, const PredictSettings& settings);

}  // namespace advseg
