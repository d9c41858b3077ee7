#include "advseg/train/networks.h"

#include <algorithm>
#include <set>

#include "advseg/config/config.h"
#include "advseg/models/norm_layers.h"
#include "advseg/train/optimizers.h"

namespace advseg {

Networks make_networks(const Config& config, const c10::Device& device) {
  Networks networks;
  networks.segmentor = make_configured_segmentor(config, device);
  if (config.adversarial.enabled) networks.adversary = make_configured_adversary(config, device);
  return networks;
}

namespace {

using TensorSet = std::set<const c10::TensorImpl*>;

TensorSet tensor_set(const std::vector<torch::Tensor>& tensors) {
  TensorSet set;
  for (const auto& t : tensors) set.insert(t.unsafeGetTensorImpl());
  return set;
}

std::vector<double> lr_scales(const std::vector<ParameterGroup>& groups) {
  std::vector<double> scales;
  for (const auto& group : groups) scales.push_back(group.lr_scale);
  return scales;
}

}  // namespace

std::vector<ParameterGroup> segmentor_parameter_groups(const SegmentorImpl& segmentor,
                                                       const ModelConfig& model) {
  const auto backbone = tensor_set(segmentor.backbone_parameters());
  const auto no_decay =
      model.no_weight_decay_on_norm_and_bias ? tensor_set(norm_and_bias_parameters(segmentor)) : TensorSet{};
  // backbone/decay, backbone/no decay, head/decay, head/no decay.
  std::vector<ParameterGroup> groups = {{{}, 1.0, true},
                                        {{}, 1.0, false},
                                        {{}, model.head_lr_multiplier, true},
                                        {{}, model.head_lr_multiplier, false}};
  for (const auto& p : segmentor.parameters()) {
    if (!p.requires_grad()) continue;  // frozen BatchNorm (model.freeze_bn)
    const auto* impl = p.unsafeGetTensorImpl();
    const std::size_t index = (backbone.count(impl) ? 0 : 2) + (no_decay.count(impl) ? 1 : 0);
    groups[index].parameters.push_back(p);
  }
  groups.erase(
      std::remove_if(groups.begin(), groups.end(), [](const auto& g) { return g.parameters.empty(); }),
      groups.end());
  return groups;
}

Optimizers make_optimizers(const Config& config, const Networks& networks) {
  Optimizers optimizers;
  const auto segmentor_groups = segmentor_parameter_groups(*networks.segmentor, config.model);
  optimizers.segmentor = make_optimizer(config.train.segmentor_optimizer, segmentor_groups);
  optimizers.segmentor_lr_scales = lr_scales(segmentor_groups);
  if (networks.adversary) {
    const std::vector<ParameterGroup> adversary_groups = {{networks.adversary->parameters(), 1.0, true}};
    optimizers.adversary = make_optimizer(config.train.adversary_optimizer, adversary_groups);
    optimizers.adversary_lr_scales = lr_scales(adversary_groups);
  }
  return optimizers;
}

}  // namespace advseg
