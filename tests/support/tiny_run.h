// Networks, optimisers and step settings built from a config with a fixed
// seed, as a training run starts them.
#pragma once

#include <torch/torch.h>

#include "advseg/config/config.h"
#include "advseg/train/adversarial_step.h"
#include "advseg/train/networks.h"
#include "support/tiny_config.h"

namespace advseg::testing {

struct TinyRun {
  explicit TinyRun(Config c = tiny_config(), int seed = 1) : config(std::move(c)) {
    torch::manual_seed(seed);
    networks = make_networks(config, torch::kCPU);
    optimizers = make_optimizers(config, networks);
    settings = step_settings(config);
  }
  Config config;
  Networks networks;
  Optimizers optimizers;
  StepSettings settings;
};

}  // namespace advseg::testing
