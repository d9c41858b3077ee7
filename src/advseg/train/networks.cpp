#include "advseg/train/networks.h"

#include "advseg/config/config.h"
#include "advseg/train/optimizers.h"

namespace advseg {

Networks make_networks(const Config& config, const c10::Device& device) {
  Networks networks;
  networks.segmentor = make_configured_segmentor(config, device);
  if (config.adversarial.enabled) networks.adversary = make_configured_adversary(config, device);
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
