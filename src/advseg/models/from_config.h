// The networks of a run, built from its config: the segmentor, the adversary
// (its input channels follow the label-map encoding), on a device and in the
// configured memory format. Training, evaluation and prediction all build
// their networks here, so a checkpoint's weights always meet the same shapes.
#pragma once

#include <c10/core/Device.h>
#include <c10/core/MemoryFormat.h>
#include <torch/nn/module.h>

#include <memory>

#include "advseg/models/adversary.h"
#include "advseg/models/encoding.h"
#include "advseg/models/segmentor.h"

namespace advseg {

struct Config;

EncodingOptions encoding_options(const Config& config);

// Channels-last (NHWC) when config.train.channels_last, else contiguous NCHW.
c10::MemoryFormat memory_format(const Config& config);

// Stores a network's 4-D weights in `format`; inputs in the same format
// keep every convolution on the fast path.
void set_memory_format(torch::nn::Module& network, c10::MemoryFormat format);

// model.segmentor / model.adversary by name; an unknown name is an
// advseg::Error naming the key and the valid names.
std::shared_ptr<SegmentorImpl> make_configured_segmentor(const Config& config, const c10::Device& device);
std::shared_ptr<AdversaryImpl> make_configured_adversary(const Config& config, const c10::Device& device);

// Throws advseg::Error naming the key when model.segmentor or model.adversary
// (when adversarial training is on) is not a registered network.
void check_network_names(const Config& config);

}  // namespace advseg
