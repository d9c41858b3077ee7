// Command-line settings for shapes data and networks small enough to train in
// about a second, a tiny run, and a tiny folder dataset, shared by the
// command-line tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>

#include "advseg/io/png_mask.h"
#include "cli/run_command.h"

namespace advseg::testing {

inline const std::string kTinyCli =
    " --threads 1 --set data.shapes_train_size=16 --set data.shapes_val_size=4 --set "
    "data.shapes_image_size=32"
    " --set data.crop_height=32 --set data.crop_width=32 --set model.segmentor_widths=[4,8,8]"
    " --set train.batch_size=4 --set train.log_every=2"
    // One precision on every machine, as in the unit tests (train.precision: auto follows the CPU).
    " --set train.precision=fp32";

// A tiny run of one epoch on shapes; returns its folder.
inline std::filesystem::path train_tiny(const std::filesystem::path& out, const std::string& extra = "") {
  auto result = run_advseg("train --out " + out.string() + kTinyCli + " --set train.epochs=1" + extra);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return out;
}

// A folder dataset (images/, masks/) of `count` random 32x32 images with
// 5 classes, in its layout as documented (no split files).
inline std::filesystem::path write_folder_dataset(const std::filesystem::path& root, int count) {
  std::filesystem::create_directories(root / "images");
  std::filesystem::create_directories(root / "masks");
  cv::RNG rng(7);
  for (int i = 0; i < count; ++i) {
    cv::Mat image(32, 32, CV_8UC3), mask(32, 32, CV_8UC1);
    rng.fill(image, cv::RNG::UNIFORM, 0, 256);
    rng.fill(mask, cv::RNG::UNIFORM, 0, 5);
    const std::string stem = "img" + std::to_string(i);
    cv::imwrite((root / "images" / (stem + ".png")).string(), image);
    write_index_png(root / "masks" / (stem + ".png"), mask, {});
  }
  return root;
}

inline std::string folder_settings(const std::filesystem::path& root) {
  return " --set data.dataset=folder --set data.root=" + root.string() +
         " --set data.num_classes=5 --set data.train_split= --set data.val_split=";
}

}  // namespace advseg::testing
