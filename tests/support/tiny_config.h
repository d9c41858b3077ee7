// A configuration small enough for unit tests: a few tiny shapes images and
// narrow networks, so a whole training run takes well under a second.
#pragma once

#include "advseg/config/config.h"

namespace advseg::testing {

inline Config tiny_config(const std::string& adversary = "stanford") {
  Config config;
  config.data.shapes_train_size = 12;
  config.data.shapes_val_size = 4;
  config.data.shapes_image_size = 32;
  config.data.crop_height = 32;
  config.data.crop_width = 32;
  config.model.segmentor_widths = {4, 8, 8};
  config.model.adversary = adversary;
  config.train.epochs = 2;
  config.train.batch_size = 4;
  config.train.threads = 1;
  config.train.loader_threads = 1;
  config.train.log_every = 1;
  // Exact comparisons with hand-built references need one precision on every
  // machine; bf16 has its own tests (tests/train/compute_test.cpp).
  config.train.precision = "fp32";
  return config;
}

}  // namespace advseg::testing
