#include "advseg/models/adversaries/stanford.h"

#include <string>

#include "advseg/error.h"
#include "advseg/models/layers.h"

namespace advseg {
namespace {

constexpr int kBranchChannels = 64;
// The image branch pools twice, so smaller images leave nothing to score.
constexpr int kMinImageSide = 4;

void check_image(const torch::Tensor& image) {
  if (image.dim() != 4 || image.size(2) < kMinImageSide || image.size(3) < kMinImageSide)
    throw Error("adversary 'stanford': image must be [N,3,H,W] with H,W >= 4, got " +
                c10::str(image.sizes()));
}

}  // namespace

StanfordAdversaryImpl::StanfordAdversaryImpl(const AdversaryOptions& options) {
  if (options.label_channels < 1)
    throw Error("adversary 'stanford': label_channels must be at least 1, got " +
                std::to_string(options.label_channels));
  const ConvStackOptions features{/*relu_after_last=*/true, /*ceil_pooling=*/false, options.spectral_norm};
  const int branch = scaled_channels(kBranchChannels, options.width);
  label_branch_ = register_module("label_branch",
                                  make_conv_stack(options.label_channels, {conv_layer(5, branch)}, features));
  image_branch_ =
      register_module("image_branch", make_conv_stack(3,
                                                      {conv_layer(5, scaled_channels(16, options.width)),
                                                       pool_layer(), conv_layer(5, branch), pool_layer()},
                                                      features));
  // Ceil-mode pooling: label maps of small images shrink to 1x1, not to nothing.
  trunk_ = register_module(
      "trunk", make_conv_stack(2 * branch,
                               scaled_hidden_layers({conv_layer(3, 128), pool_layer(), conv_layer(3, 256),
                                                     pool_layer(), conv_layer(3, 512), conv_layer(3, 1)},
                                                    options.width),
                               ConvStackOptions{false, true, options.spectral_norm}));
}

torch::Tensor StanfordAdversaryImpl::image_features(const torch::Tensor& image) {
  check_image(image);
  return image_branch_->forward(image);
}

torch::Tensor StanfordAdversaryImpl::score_map_from_features(const torch::Tensor& features,
                                                             const torch::Tensor& label_map) {
  if (!features.defined())
    throw Error("adversary 'stanford': score_map_from_features needs image_features(image)");
  const auto labels = label_branch_->forward(label_map);
  // Floor pooling yields floor(H/4) x floor(W/4), the segmentor's grid; a label
  // map sized otherwise (e.g. rounded up for odd sizes) gets the features resampled onto it.
  const auto pixels = resize_bilinear(features, labels.size(2), labels.size(3));
  return trunk_->forward(torch::cat({labels, pixels}, 1));
}

std::shared_ptr<AdversaryImpl> make_stanford_adversary(const AdversaryOptions& options) {
  return std::make_shared<StanfordAdversaryImpl>(options);
}

}  // namespace advseg
