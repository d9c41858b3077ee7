// The two networks of the method and their optimisers, built from the config.
#pragma once

#include <c10/core/Device.h>
#include <torch/optim/optimizer.h>

#include <memory>
#include <string>
#include <vector>

#include "advseg/models/adversary.h"
#include "advseg/models/from_config.h"
#include "advseg/models/segmentor.h"
#include "advseg/train/grad_scaler.h"
#include "advseg/train/optimizers.h"

namespace advseg {

struct Config;
struct ModelConfig;

struct Networks {
  std::shared_ptr<SegmentorImpl> segmentor;
  std::shared_ptr<AdversaryImpl> adversary;  // null when adversarial training is off
  // adaptation.aux_adversary: judges the auxiliary head's maps (null otherwise).
  std::shared_ptr<AdversaryImpl> aux_adversary;
  // semi.method mean_teacher_cutmix: an exponential moving average of the
  // segmentor's weights, in eval mode, that never learns (null otherwise).
  std::shared_ptr<SegmentorImpl> teacher;
};

struct Optimizers {
  std::unique_ptr<torch::optim::Optimizer> segmentor;
  std::unique_ptr<torch::optim::Optimizer> adversary;      // null when adversarial training is off
  std::unique_ptr<torch::optim::Optimizer> aux_adversary;  // null without Networks::aux_adversary
  std::vector<double> segmentor_lr_scales;                 // per parameter group (train/optimizers.h)
  std::vector<double> adversary_lr_scales;                 // of both adversaries' optimisers
  std::unique_ptr<GradScaler> scaler;                      // train.precision fp16 only: for every optimiser
};

// Builds the segmentor and, when config.adversarial.enabled, the adversary
// (and adaptation.aux_adversary's second one), on `device`.
Networks make_networks(const Config& config, const c10::Device& device);

// Moves `average` toward `network` (the same architecture): every parameter
// and floating-point buffer becomes decay * its value + (1 - decay) * the
// network's, other buffers (counters) the network's. Decay 0 copies.
void update_moving_average(torch::nn::Module& average, const torch::nn::Module& network, double decay);

// Loads model.pretrained (the whole segmentor; strict unless
// model.strict_loading is false) or model.backbone_pretrained (every tensor
// of the segmentor's "backbone." must be in the file, under the names of the
// backbone alone, e.g. torchvision's ImageNet .pth; the file's other tensors,
// such as a classifier's, are ignored). Returns notes for the user (what was
// loaded, what was left out); errors name the file and the tensors.
std::vector<std::string> load_pretrained_weights(SegmentorImpl& segmentor, const ModelConfig& model);

// The segmentor's parameters that learn, in groups: backbone (scale 1) and
// head (model.head_lr_multiplier), each split by weight decay when
// model.no_weight_decay_on_norm_and_bias; empty groups are left out.
std::vector<ParameterGroup> segmentor_parameter_groups(const SegmentorImpl& segmentor,
                                                       const ModelConfig& model);

Optimizers make_optimizers(const Config& config, const Networks& networks);

}  // namespace advseg
