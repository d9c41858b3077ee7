#include "advseg/models/adversaries/fov.h"

#include <string>

#include "advseg/error.h"

namespace advseg {
namespace {

// The variants differ only in these lists; receptive fields grow by
// (kernel - 1) times the current stride, which doubles at each pool.
std::vector<LayerSpec> largefov_layers() {
  return {conv_layer(3, 96),  conv_layer(3, 128), conv_layer(3, 128), pool_layer(),    conv_layer(3, 256),
          conv_layer(3, 256), pool_layer(),       conv_layer(3, 512), conv_layer(3, 1)};
}

std::vector<LayerSpec> smallfov_layers() {
  return {conv_layer(3, 96),  conv_layer(1, 128), pool_layer(),       conv_layer(3, 256),
          conv_layer(1, 256), pool_layer(),       conv_layer(3, 512), conv_layer(1, 1)};
}

std::vector<LayerSpec> largefov_light_layers() {
  return {conv_layer(3, 96),  conv_layer(3, 128), conv_layer(3, 128), pool_layer(),    conv_layer(3, 128),
          conv_layer(3, 128), pool_layer(),       conv_layer(3, 256), conv_layer(3, 1)};
}

std::vector<LayerSpec> smallfov_light_layers() {
  return {conv_layer(3, 96),  conv_layer(1, 128), pool_layer(),       conv_layer(3, 128),
          conv_layer(1, 128), pool_layer(),       conv_layer(3, 256), conv_layer(1, 1)};
}

}  // namespace

FovAdversaryImpl::FovAdversaryImpl(const AdversaryOptions& options, const std::vector<LayerSpec>& layers) {
  if (options.label_channels < 1)
    throw Error("adversary (label-map only): label_channels must be at least 1, got " +
                std::to_string(options.label_channels));
  // Ceil-mode pooling: label maps of small images shrink to 1x1, not to nothing.
  layers_ = register_module(
      "layers", make_conv_stack(options.label_channels, scaled_hidden_layers(layers, options.width),
                                ConvStackOptions{false, true, options.spectral_norm}));
}

torch::Tensor FovAdversaryImpl::score_map_from_features(const torch::Tensor& /*features*/,
                                                        const torch::Tensor& label_map) {
  return layers_->forward(label_map);
}

std::shared_ptr<AdversaryImpl> make_largefov_adversary(const AdversaryOptions& options) {
  return std::make_shared<FovAdversaryImpl>(options, largefov_layers());
}

std::shared_ptr<AdversaryImpl> make_smallfov_adversary(const AdversaryOptions& options) {
  return std::make_shared<FovAdversaryImpl>(options, smallfov_layers());
}

std::shared_ptr<AdversaryImpl> make_largefov_light_adversary(const AdversaryOptions& options) {
  return std::make_shared<FovAdversaryImpl>(options, largefov_light_layers());
}

std::shared_ptr<AdversaryImpl> make_smallfov_light_adversary(const AdversaryOptions& options) {
  return std::make_shared<FovAdversaryImpl>(options, smallfov_light_layers());
}

}  // namespace advseg
