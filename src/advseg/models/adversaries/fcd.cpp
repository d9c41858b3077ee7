#include "advseg/models/adversaries/fcd.h"

#include <torch/nn/modules/activation.h>

#include <string>

#include "advseg/error.h"
#include "advseg/models/layers.h"

namespace advseg {
namespace {

constexpr int kWidths[] = {64, 128, 256, 512, 1};
constexpr double kNegativeSlope = 0.2;
// Five halvings: a smaller map would leave no cell to score.
constexpr int kFcdMinSide = 32;

}  // namespace

FcdAdversaryImpl::FcdAdversaryImpl(const AdversaryOptions& options) {
  if (options.label_channels < 1)
    throw Error("adversary 'fcd': label_channels must be at least 1, got " +
                std::to_string(options.label_channels));
  torch::nn::Sequential layers;
  int channels = options.label_channels;
  for (int width : kWidths) {
    if (channels != options.label_channels)
      layers->push_back(
          torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(kNegativeSlope).inplace(true)));
    if (width > 1) width = scaled_channels(width, options.width);  // the score map keeps its one
    push_conv(layers, channels, width, /*kernel=*/4, /*stride=*/2, /*padding=*/1, options.spectral_norm);
    channels = width;
  }
  layers_ = register_module("layers", layers);
}

torch::Tensor FcdAdversaryImpl::score_map_from_features(const torch::Tensor& /*features*/,
                                                        const torch::Tensor& label_map) {
  if (label_map.dim() != 4 || label_map.size(2) < kFcdMinSide || label_map.size(3) < kFcdMinSide)
    throw Error(
        "adversary 'fcd': label maps must be [N,C,H,W] with H,W >= 32 (five stride-2 convolutions), got " +
        c10::str(label_map.sizes()) + "; use larger crops (data.crop_height, data.crop_width)");
  return layers_->forward(label_map);
}

std::shared_ptr<AdversaryImpl> make_fcd_adversary(const AdversaryOptions& options) {
  return std::make_shared<FcdAdversaryImpl>(options);
}

}  // namespace advseg
