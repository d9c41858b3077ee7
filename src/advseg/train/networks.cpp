#include "advseg/train/networks.h"

#include "advseg/config/config.h"
#include "advseg/models/registry.h"
#include "advseg/train/optimizers.h"

namespace advseg {

EncodingOptions encoding_options(const Config& config) {
  EncodingOptions options;
  options.kind = parse_encoding(config.adversarial.encoding);
  options.with_image = config.adversarial.encoding_with_image;
  options.tau = config.adversarial.tau;
  return options;
}

std::shared_ptr<SegmentorImpl> make_configured_segmentor(const Config& config, const c10::Device& device) {
  SegmentorOptions options;
  options.num_classes = config.data.num_classes;
  options.widths = config.model.segmentor_widths;
  options.scales = config.model.segmentor_scales;
  auto segmentor = make_segmentor(config.model.segmentor, options);
  segmentor->to(device);
  set_memory_format(*segmentor, memory_format(config));
  return segmentor;
}

c10::MemoryFormat memory_format(const Config& config) {
  return config.train.channels_last ? c10::MemoryFormat::ChannelsLast : c10::MemoryFormat::Contiguous;
}

void set_memory_format(torch::nn::Module& network, c10::MemoryFormat format) {
  torch::NoGradGuard no_grad;
  for (auto& p : network.parameters())
    if (p.dim() == 4) p.set_data(p.data().contiguous(format));
}

Networks make_networks(const Config& config, const c10::Device& device) {
  Networks networks;
  networks.segmentor = make_configured_segmentor(config, device);
  if (config.adversarial.enabled) {
    AdversaryOptions adversary_options;
    adversary_options.label_channels = encoded_channels(encoding_options(config), config.data.num_classes);
    networks.adversary = make_adversary(config.model.adversary, adversary_options);
    networks.adversary->to(device);
    set_memory_format(*networks.adversary, memory_format(config));
  }
  return networks;
}

Optimizers make_optimizers(const Config& config, const Networks& networks) {
  Optimizers optimizers;
  optimizers.segmentor = make_optimizer(config.train.segmentor_optimizer, networks.segmentor->parameters());
  if (networks.adversary)
    optimizers.adversary = make_optimizer(config.train.adversary_optimizer, networks.adversary->parameters());
  return optimizers;
}

}  // namespace advseg
