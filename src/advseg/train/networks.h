// The two networks of the method and their optimisers, built from the config.
#pragma once

#include <c10/core/Device.h>
#include <torch/optim/optimizer.h>

#include <memory>

#include "advseg/models/adversary.h"
#include "advseg/models/from_config.h"
#include "advseg/models/segmentor.h"

namespace advseg {

struct Config;

struct Networks {
  std::shared_ptr<SegmentorImpl> segmentor;
  std::shared_ptr<AdversaryImpl> adversary;  // null when adversarial training is off
};

struct Optimizers {
  std::unique_ptr<torch::optim::Optimizer> segmentor;
  std::unique_ptr<torch::optim::Optimizer> adversary;  // null when adversarial training is off
};

// Builds the segmentor and, when config.adversarial.enabled, the adversary, on `device`.
Networks make_networks(const Config& config, const c10::Device& device);
Optimizers make_optimizers(const Config& config, const Networks& networks);

}  // namespace advseg
