// The two networks of the method and their optimisers, built from the config.
#pragma once

#include <c10/core/Device.h>
#include <torch/optim/optimizer.h>

#include <memory>

#include "advseg/models/adversary.h"
#include "advseg/models/encoding.h"
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

EncodingOptions encoding_options(const Config& config);

// Channels-last (NHWC) when config.train.channels_last, else contiguous NCHW.
c10::MemoryFormat memory_format(const Config& config);

// Stores a network's 4-D weights in `format`; inputs in the same format
// keep every convolution on the fast path.
void set_memory_format(torch::nn::Module& network, c10::MemoryFormat format);

std::shared_ptr<SegmentorImpl> make_configured_segmentor(const Config& config, const c10::Device& device);

// Builds the segmentor and, when config.adversarial.enabled, the adversary
// (its input channels follow the encoding), on `device`.
Networks make_networks(const Config& config, const c10::Device& device);
Optimizers make_optimizers(const Config& config, const Networks& networks);

}  // namespace advseg
