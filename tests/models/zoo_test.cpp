// The model zoo: fcn32s/16s/8s, dilated8(-context), deeplabv2, pspnet, unet.
// The VGG and ResNet-101 networks are large: each is built once, on a small
// input, and its shape, finiteness and gradients checked together.
#include <gtest/gtest.h>
#include <torch/nn/functional/upsampling.h>
#include <torch/nn/modules/conv.h>

#include <functional>
#include <set>
#include <string>

#include "advseg/config/config.h"
#include "advseg/error.h"
#include "advseg/models/from_config.h"
#include "advseg/models/registry.h"
#include "advseg/models/segmentors/fcn.h"
#include "advseg/models/segmentors/pspnet.h"
#include "models/parameter_count.h"
#include "support/error_message.h"
#include "support/without_onednn.h"

namespace advseg {
namespace {

using testing::parameter_count;

constexpr int kZooClasses = 5;
constexpr std::int64_t kVgg16Features = 14'714'688;      // torchvision vgg16().features
constexpr std::int64_t kResNet101Features = 42'500'160;  // torchvision resnet101() without fc

std::int64_t count(const std::vector<torch::Tensor>& parameters) {
  std::int64_t total = 0;
  for (const auto& p : parameters) total += p.numel();
  return total;
}

using testing::error_message;

SegmentorOptions options_with(const std::string& backbone = "") {
  SegmentorOptions options;
  options.num_classes = kZooClasses;
  options.backbone = backbone;
  return options;
}

std::shared_ptr<SegmentorImpl> build(const std::string& name, const SegmentorOptions& options) {
  torch::manual_seed(0);
  return make_segmentor(name, options);
}

// In eval mode (batch norms on running statistics, no dropout): the
// training output of a 1x3xHxW input has the expected size and finite
// values, and the sum of its logits (and aux logits) reaches every
// parameter. Returns the output.
SegmentorOutput check_network(SegmentorImpl& net, std::int64_t height, std::int64_t width,
                              std::int64_t out_height, std::int64_t out_width, bool aux = false) {
  net.eval();
  torch::manual_seed(1);
  const auto images = torch::randn({1, 3, height, width});
  const SegmentorOutput out = net.forward_train(images);
  const std::vector<std::int64_t> expected{1, kZooClasses, out_height, out_width};
  EXPECT_EQ(out.logits.sizes(), expected);
  EXPECT_TRUE(torch::isfinite(out.logits).all().item<bool>());
  EXPECT_EQ(out.aux_logits.defined(), aux);
  auto loss = out.logits.sum();
  if (aux) {
    EXPECT_EQ(out.aux_logits.sizes(), expected);
    EXPECT_TRUE(torch::isfinite(out.aux_logits).all().item<bool>());
    loss = loss + out.aux_logits.sum();
  }
  loss.backward();
  for (const auto& entry : net.named_parameters()) {
    const auto& grad = entry.value().grad();
    EXPECT_TRUE(grad.defined() && grad.abs().sum().item<double>() > 0) << "no gradient: " << entry.key();
  }
  return {out.logits.detach(), out.aux_logits.defined() ? out.aux_logits.detach() : torch::Tensor()};
}

TEST(Zoo, BilinearUpsamplingWeightsInterpolateBilinearly) {
  // A smooth map: a ramp in both directions plus a constant.
  const auto rows = torch::arange(6, torch::kFloat).view({1, 1, 6, 1});
  const auto cols = torch::arange(5, torch::kFloat).view({1, 1, 1, 5});
  const auto smooth = torch::cat({0.5 * rows + 2 * cols + 1, torch::full({1, 1, 6, 5}, 3.0)}, 1);
  torch::nn::ConvTranspose2d up(torch::nn::ConvTranspose2dOptions(2, 2, 4).stride(2).padding(1).bias(false));
  {
    torch::NoGradGuard no_grad;
    up->weight.copy_(bilinear_upsampling_weight(2, 4));
  }
  torch::NoGradGuard no_grad;
  const auto upsampled = up(smooth);
  namespace F = torch::nn::functional;
  const auto bilinear = F::interpolate(smooth, F::InterpolateFuncOptions()
                                                   .scale_factor(std::vector<double>{2.0, 2.0})
                                                   .mode(torch::kBilinear)
                                                   .align_corners(false));
  ASSERT_EQ(upsampled.sizes(), bilinear.sizes());
  // Equal away from the border, where bilinear interpolation clamps and the
  // transposed convolution sees zeros.
  const auto inner = [](const torch::Tensor& t) { return t.slice(2, 1, -1).slice(3, 1, -1); };
  EXPECT_TRUE(torch::allclose(inner(upsampled), inner(bilinear), 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(inner(upsampled).select(1, 1), torch::full({1, 10, 8}, 3.0)));
  // The 1-D taps of a 2x kernel, each channel to itself only.
  const auto weight = bilinear_upsampling_weight(2, 4);
  const auto taps = torch::tensor({0.25f, 0.75f, 0.75f, 0.25f});
  EXPECT_TRUE(torch::allclose(weight[1][1], torch::outer(taps, taps)));
  EXPECT_EQ(weight[0][1].abs().sum().item<float>(), 0.0f);
}

TEST(Zoo, Fcn32sIsAtStride32WithThePapersLayers) {
  const auto net = build("fcn32s", options_with());
  EXPECT_EQ(net->output_stride(), 32);
  // VGG-16's convolutions, fc6 (7x7x512 -> 4096), fc7, score_fr.
  const std::int64_t head =
      (7 * 7 * 512 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * kZooClasses + kZooClasses);
  EXPECT_EQ(count(net->backbone_parameters()), kVgg16Features);
  EXPECT_EQ(parameter_count(*net), kVgg16Features + head);
  check_network(*net, 64, 64, 2, 2);
}

// The other VGG networks with narrow fc6/fc7 (model.fc_width): 20 times
// fewer parameters, the same structure.
constexpr int kNarrowFc = 64;

SegmentorOptions narrow_fc_options() {
  auto options = options_with();
  options.fc_width = kNarrowFc;
  return options;
}

TEST(Zoo, Fcn16sIsAtStride16) {
  const auto net = build("fcn16s", narrow_fc_options());
  EXPECT_EQ(net->output_stride(), 16);
  check_network(*net, 64, 64, 4, 4);
}

TEST(Zoo, Fcn8sIsAtStride8AndHandlesOddSizes) {
  const auto net = build("fcn8s", narrow_fc_options());
  EXPECT_EQ(net->output_stride(), 8);
  constexpr int w = kNarrowFc;
  const std::int64_t fcn32s_head = (7 * 7 * 512 * w + w) + (w * w + w) + (w * kZooClasses + kZooClasses);
  // + two 4x4 upsamplings (no bias), score_pool4, score_pool3.
  const std::int64_t skips = 2 * (kZooClasses * kZooClasses * 16) + (512 * kZooClasses + kZooClasses) +
                             (256 * kZooClasses + kZooClasses);
  EXPECT_EQ(parameter_count(*net), kVgg16Features + fcn32s_head + skips);
  // The upsamplings start as bilinear interpolation.
  for (const auto& entry : net->named_parameters()) {
    if (entry.key().rfind("upscore", 0) == 0) {
      EXPECT_TRUE(torch::equal(entry.value(), bilinear_upsampling_weight(kZooClasses, 4))) << entry.key();
    }
  }
  check_network(*net, 64, 64, 8, 8);
  // 90 pools to 45, 22, 11, 5, 2: the upsampled maps are one pixel short.
  torch::NoGradGuard no_grad;
  EXPECT_EQ(net->forward(torch::randn({1, 3, 90, 70})).sizes(),
            (std::vector<std::int64_t>{1, kZooClasses, 11, 8}));
}

TEST(Zoo, Dilated8KeepsTorchvisionNamesAndTheContextModuleStartsAsIdentity) {
  const testing::WithoutOneDnn without_onednn;  // ~8x faster on these tiny grids
  const auto net = build("dilated8", narrow_fc_options());
  EXPECT_EQ(net->output_stride(), 8);
  std::set<std::string> vgg_names, expected;
  for (const auto& entry : net->named_parameters())
    if (entry.key().rfind("backbone.", 0) == 0) vgg_names.insert(entry.key());
  for (int index : {0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28})
    for (const char* kind : {"weight", "bias"})
      expected.insert("backbone.features." + std::to_string(index) + "." + kind);
  EXPECT_EQ(vgg_names, expected);
  EXPECT_EQ(count(net->backbone_parameters()), kVgg16Features);
  const auto plain = check_network(*net, 32, 32, 4, 4).logits;

  // Same seed, same front end: the identity-initialised context module
  // passes the non-negative part of the scores (its ReLUs) through.
  const auto context = build("dilated8-context", narrow_fc_options());
  EXPECT_EQ(parameter_count(*context) - parameter_count(*net),
            7 * (kZooClasses * kZooClasses * 9 + kZooClasses) + (kZooClasses * kZooClasses + kZooClasses));
  const auto with_context = check_network(*context, 32, 32, 4, 4).logits;
  EXPECT_TRUE(torch::allclose(with_context, torch::relu(plain), 1e-5, 1e-5));
}

TEST(Zoo, DeepLabV2IsAResNet101AtStride8WithFourRates) {
  // The one resnet101 of the suite.
  const auto net = build("deeplabv2", options_with());
  EXPECT_EQ(net->output_stride(), 8);
  EXPECT_EQ(count(net->backbone_parameters()), kResNet101Features);
  EXPECT_EQ(parameter_count(*net) - kResNet101Features, 4 * (2048 * 9 * kZooClasses + kZooClasses));
  check_network(*net, 64, 64, 8, 8);
}

TEST(Zoo, PspNetHasAnAuxHeadByDefault) {
  const auto net = build("pspnet", options_with());
  EXPECT_EQ(net->output_stride(), 8);
  check_network(*net, 64, 64, 8, 8, /*aux=*/true);
  // forward() is forward_train()'s main output.
  torch::NoGradGuard no_grad;
  const auto images = torch::randn({1, 3, 64, 64});
  EXPECT_TRUE(torch::allclose(net->forward(images), net->forward_train(images).logits));

  auto no_aux = options_with();
  no_aux.aux = false;
  const auto without = build("pspnet", no_aux);
  without->eval();  // a 1x1 pyramid bin cannot be batch-normalised over one image
  EXPECT_FALSE(without->forward_train(torch::randn({1, 3, 32, 32})).aux_logits.defined());
}

TEST(Zoo, UNetIsAtFullResolutionWithoutBackbone) {
  auto options = options_with();
  options.unet_widths = {4, 8, 16, 32};
  const auto net = build("unet", options);
  EXPECT_EQ(net->output_stride(), 1);
  EXPECT_TRUE(net->backbone_parameters().empty());
  check_network(*net, 64, 64, 64, 64);
  // Sides not divisible by 8.
  torch::NoGradGuard no_grad;
  EXPECT_EQ(net->forward(torch::randn({1, 3, 65, 50})).sizes(),
            (std::vector<std::int64_t>{1, kZooClasses, 65, 50}));
}

TEST(Zoo, UNetWidthsComeFromTheConfig) {
  Config config;
  config.model.segmentor = "unet";
  config.model.unet_widths = {4, 8};
  config.data.num_classes = 3;
  const auto parameters = make_configured_segmentor(config, torch::kCPU)->named_parameters();
  EXPECT_EQ(parameters["down.1.0.weight"].sizes(), (std::vector<std::int64_t>{8, 4, 3, 3}));
  EXPECT_EQ(parameters["classifier.weight"].sizes(), (std::vector<std::int64_t>{3, 4, 1, 1}));
  EXPECT_EQ(parameters.find("down.2.0.weight"), nullptr);
}

TEST(Zoo, UNetParameterCountByHand) {
  auto options = options_with();
  options.unet_widths = {4, 8};
  // down.0: 3->4->4, down.1: 4->8->8 (convs without bias, BN weight+bias),
  // up.0: 8->4 2x2 with bias, decode.0: 8->4->4, classifier 4->5.
  const std::int64_t down0 = 3 * 4 * 9 + 8 + 4 * 4 * 9 + 8;
  const std::int64_t down1 = 4 * 8 * 9 + 16 + 8 * 8 * 9 + 16;
  const std::int64_t up0 = 8 * 4 * 4 + 4;
  const std::int64_t decode0 = 8 * 4 * 9 + 8 + 4 * 4 * 9 + 8;
  EXPECT_EQ(parameter_count(*build("unet", options)),
            down0 + down1 + up0 + decode0 + (4 * kZooClasses + kZooClasses));
}

TEST(Zoo, UnsupportedOptionsNameTheAllowedValues) {
  const auto message = [](const std::string& name, const SegmentorOptions& options) {
    return error_message([&] { make_segmentor(name, options); });
  };
  for (const char* name : {"fcn32s", "fcn16s", "fcn8s", "dilated8", "dilated8-context"})
    EXPECT_NE(message(name, options_with("resnet50")).find("(allowed: vgg16)"), std::string::npos) << name;
  EXPECT_NE(message("deeplabv2", options_with("vgg16")).find("(allowed: resnet101, resnet50)"),
            std::string::npos);
  EXPECT_NE(message("pspnet", options_with("resnet18")).find("(allowed: resnet50, resnet101)"),
            std::string::npos);
  EXPECT_NE(message("unet", options_with("resnet50")).find("allowed: none"), std::string::npos);
  for (const char* name : {"fcn8s", "dilated8", "deeplabv2", "pspnet", "unet"}) {
    auto options = options_with();
    options.output_stride = 4;
    EXPECT_NE(message(name, options).find("unsupported output_stride 4 (allowed: "), std::string::npos)
        << name;
  }
  auto no_classes = options_with();
  no_classes.num_classes = 0;
  EXPECT_NE(message("pspnet", no_classes).find("num_classes"), std::string::npos);
  auto one_level = options_with();
  one_level.unet_widths = {8};
  EXPECT_NE(message("unet", one_level).find("unet_widths"), std::string::npos);
}

}  // namespace
}  // namespace advseg
