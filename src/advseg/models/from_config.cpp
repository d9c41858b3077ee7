#include "advseg/models/from_config.h"

#include <torch/nn/module.h>
#include <torch/utils.h>

#include <algorithm>
#include <string>
#include <vector>

#include "advseg/config/config.h"
#include "advseg/error.h"
#include "advseg/models/norm_layers.h"
#include "advseg/models/registry.h"

namespace advseg {
namespace {

void require_registered(const std::string& key, const std::string& name,
                        const std::vector<std::string>& names) {
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  std::string valid;
  for (const auto& candidate : names) valid += (valid.empty() ? "" : ", ") + candidate;
  throw Error(key + ": unknown network '" + name + "' (available: " + valid + ")");
}

template <class Network>
std::shared_ptr<Network> placed(std::shared_ptr<Network> network, const Config& config,
                                const c10::Device& device) {
  network->to(device);
  set_memory_format(*network, memory_format(config));
  return network;
}

}  // namespace

EncodingOptions encoding_options(const Config& config) {
  EncodingOptions options;
  options.kind = parse_encoding(config.adversarial.encoding);
  options.with_image = config.adversarial.encoding_with_image;
  options.tau = config.adversarial.tau;
  return options;
}

c10::MemoryFormat memory_format(const Config& config) {
  return config.train.channels_last ? c10::MemoryFormat::ChannelsLast : c10::MemoryFormat::Contiguous;
}

void set_memory_format(torch::nn::Module& network, c10::MemoryFormat format) {
  torch::NoGradGuard no_grad;
  for (auto& p : network.parameters())
    if (p.dim() == 4) p.set_data(p.data().contiguous(format));
}

void check_network_names(const Config& config) {
  require_registered("model.segmentor", config.model.segmentor, segmentor_names());
  if (config.adversarial.enabled)
    require_registered("model.adversary", config.model.adversary, adversary_names());
}

std::shared_ptr<SegmentorImpl> make_configured_segmentor(const Config& config, const c10::Device& device) {
  require_registered("model.segmentor", config.model.segmentor, segmentor_names());
  SegmentorOptions options;
  options.num_classes = config.data.num_classes;
  options.backbone = config.model.backbone;
  options.output_stride = config.model.output_stride;
  if (config.model.aux_loss != "auto") options.aux = config.model.aux_loss == "true";
  options.widths = config.model.segmentor_widths;
  options.scales = config.model.segmentor_scales;
  options.unet_widths = config.model.unet_widths;
  options.fc_width = config.model.fc_width;
  auto segmentor = make_segmentor(config.model.segmentor, options);
  if (config.model.freeze_bn) freeze_batchnorm_parameters(*segmentor);
  return placed(std::move(segmentor), config, device);
}

std::shared_ptr<AdversaryImpl> make_configured_adversary(const Config& config, const c10::Device& device) {
  require_registered("model.adversary", config.model.adversary, adversary_names());
  AdversaryOptions options;
  options.label_channels = encoded_channels(encoding_options(config), config.data.num_classes);
  options.spectral_norm = config.adversarial.spectral_norm;
  options.width = config.model.adversary_width;
  return placed(make_adversary(config.model.adversary, options), config, device);
}

}  // namespace advseg
