#include "advseg/models/segmentors/dilated.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

#include <array>
#include <string>

#include "advseg/models/segmentors/zoo_checks.h"

namespace advseg {
namespace {

constexpr double kFrontEndDropout = 0.5;

// A convolution keeping the size: padding = dilation * (kernel / 2).
torch::nn::Conv2d dilated_conv(int in_channels, int out_channels, int kernel, int dilation) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, kernel)
                               .padding(dilation * (kernel / 2))
                               .dilation(dilation));
}

// VGG-16's convolutions as torchvision numbers them (conv, ReLU, ..., pool):
// pool4 is an Identity so that conv5's indices stay 24, 26, 28; pool5 is gone.
torch::nn::Sequential make_front_end_features() {
  torch::nn::Sequential features;
  int channels = 3;
  // {convolutions, width, dilation} per block.
  const std::vector<std::array<int, 3>> blocks{
      {2, 64, 1}, {2, 128, 1}, {3, 256, 1}, {3, 512, 1}, {3, 512, 2}};
  for (std::size_t block = 0; block < blocks.size(); ++block) {
    const auto [convs, width, dilation] = blocks[block];
    for (int i = 0; i < convs; ++i) {
      features->push_back(dilated_conv(channels, width, 3, dilation));
      features->push_back(torch::nn::ReLU(torch::nn::ReLUOptions(true)));
      channels = width;
    }
    if (block < 3) features->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).stride(2)));
    if (block == 3) features->push_back(torch::nn::Identity());
  }
  return features;
}

// Table 1's basic context module on `channels` maps, identity-initialised.
torch::nn::Sequential make_context_module(int channels) {
  torch::nn::Sequential context;
  for (int dilation : {1, 1, 2, 4, 8, 16, 1}) {
    context->push_back(dilated_conv(channels, channels, 3, dilation));
    context->push_back(torch::nn::ReLU(torch::nn::ReLUOptions(true)));
  }
  context->push_back(dilated_conv(channels, channels, 1, 1));
  torch::NoGradGuard no_grad;
  for (const auto& child : context->children()) {
    auto* conv = child->as<torch::nn::Conv2d>();
    if (conv == nullptr) continue;
    const auto center = conv->weight.size(2) / 2;
    conv->weight.zero_();
    conv->bias.zero_();
    for (int c = 0; c < channels; ++c) conv->weight[c][c][center][center] = 1.0;
  }
  return context;
}

}  // namespace

DilatedSegmentorImpl::DilatedSegmentorImpl(const SegmentorOptions& options, bool context) {
  const std::string name = context ? "dilated8-context" : "dilated8";
  zoo::check_num_classes(name, options);
  zoo::choose_backbone(name, options, {"vgg16"});
  zoo::check_output_stride(name, options, 8);

  // VGG-16 to conv5_3 at stride 8, under torchvision's names.
  auto backbone = register_module("backbone", std::make_shared<torch::nn::Module>());
  features_ = backbone->register_module("features", make_front_end_features());
  // fc6 dilated by 4 (the strides of pool4 and pool5), fc7, the classifier.
  fc6_ = register_module("fc6", dilated_conv(512, options.fc_width, 7, 4));
  drop6_ = register_module("drop6", torch::nn::Dropout(kFrontEndDropout));
  fc7_ = register_module("fc7", dilated_conv(options.fc_width, options.fc_width, 1, 1));
  drop7_ = register_module("drop7", torch::nn::Dropout(kFrontEndDropout));
  classifier_ = register_module("classifier", dilated_conv(options.fc_width, options.num_classes, 1, 1));
  // The context module on the class scores.
  if (context) context_ = register_module("context", make_context_module(options.num_classes));
}

torch::Tensor DilatedSegmentorImpl::forward(const torch::Tensor& images) {
  // VGG-16 without pool4/pool5: stride 8.
  auto x = features_->forward(images);
  // The classifier as dilated convolutions.
  x = drop6_(fc6_(x).relu_());
  x = drop7_(fc7_(x).relu_());
  auto scores = classifier_(x);
  // Multi-scale context aggregation on the scores.
  return context_ ? context_->forward(scores) : scores;
}

std::shared_ptr<SegmentorImpl> make_dilated8_segmentor(const SegmentorOptions& options) {
  return std::make_shared<DilatedSegmentorImpl>(options, /*context=*/false);
}

std::shared_ptr<SegmentorImpl> make_dilated8_context_segmentor(const SegmentorOptions& options) {
  return std::make_shared<DilatedSegmentorImpl>(options, /*context=*/true);
}

}  // namespace advseg
