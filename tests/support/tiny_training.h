// The arguments of `advseg train` for a run small enough to take seconds
// (shapes data, narrow networks), checkpointing and logging every iteration,
// for tests that start, kill and resume real processes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace advseg::testing {

inline std::vector<std::string> tiny_training(const std::filesystem::path& out, int epochs,
                                              int batch_size = 4) {
  std::vector<std::string> arguments = {"train", "--out", out.string(), "--threads", "1"};
  for (const std::string setting :
       {"data.shapes_train_size=16", "data.shapes_val_size=4", "data.shapes_image_size=32",
        "data.crop_height=32", "data.crop_width=32", "model.segmentor_widths=[4,8,8]",
        "train.checkpoint_every=1", "train.log_every=1", "train.precision=fp32"}) {
    arguments.push_back("--set");
    arguments.push_back(setting);
  }
  arguments.insert(arguments.end(), {"--set", "train.batch_size=" + std::to_string(batch_size), "--set",
                                     "train.epochs=" + std::to_string(epochs)});
  return arguments;
}

}  // namespace advseg::testing
