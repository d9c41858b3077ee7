// The generator s(x) of the method: any network mapping images to per-pixel
// class logits. Implementations live in models/segmentors/, one file each,
// and are listed by name in registry.cpp. Torchvision-style segmentors add a
// backbone (its parameters may learn more slowly when fine-tuned) and an
// optional auxiliary head used only in training.
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <optional>
#include <string>
#include <vector>

namespace advseg {

struct SegmentorOptions {
  int num_classes = 5;
  std::string backbone;     // "" = the family's default
  int output_stride = 0;    // 0 = the family's default
  std::optional<bool> aux;  // auxiliary head; nullopt = the family's default
  // The multiscale family.
  std::vector<int> widths{16, 64, 256};
  std::vector<double> scales{1.0, 0.5, 0.25};
  // unet: the channels of each level, finest first (at least 2 levels).
  std::vector<int> unet_widths{32, 64, 128, 256, 512};
  // fcn32s/16s/8s and dilated8(-context): channels of fc6 and fc7 (VGG-16's 4096).
  int fc_width = 4096;
};

// What a segmentor computes in training: its logits and, where it has an
// auxiliary head, that head's logits (undefined otherwise).
struct SegmentorOutput {
  torch::Tensor logits;
  torch::Tensor aux_logits;
};

class SegmentorImpl : public torch::nn::Module {
 public:
  // images [N,3,H,W] (normalised) -> logits [N,C,h,w] at the network's output
  // resolution, about H/output_stride() x W/output_stride() (prediction
  // upsamples them; the adversary sees label maps at this resolution).
  virtual torch::Tensor forward(const torch::Tensor& images) = 0;

  // The training forward: forward() plus the auxiliary logits, if any.
  virtual SegmentorOutput forward_train(const torch::Tensor& images) { return {forward(images), {}}; }

  // Input pixels per output cell along each side.
  virtual int output_stride() const = 0;

  // The parameters of the feature extractor (what ImageNet pretraining
  // covers); all others form the head, which may learn faster.
  virtual std::vector<torch::Tensor> backbone_parameters() const { return {}; }
};

}  // namespace advseg
