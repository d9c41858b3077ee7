#include "advseg/models/backbones/backbone.h"

#include <gtest/gtest.h>

#include <array>
#include <ostream>
#include <set>
#include <string>

#include "advseg/error.h"
#include "models/parameter_count.h"

namespace advseg {
namespace {

using testing::parameter_count;

BackboneOptions named(const std::string& name) {
  BackboneOptions options;
  options.name = name;
  return options;
}

std::set<std::string> state_names(const BackboneImpl& backbone) {
  std::set<std::string> names;
  for (const auto& parameter : backbone.named_parameters()) names.insert(parameter.key());
  for (const auto& buffer : backbone.named_buffers()) names.insert(buffer.key());
  return names;
}

TEST(Backbone, UnknownNameListsTheNames) {
  try {
    make_backbone(named("nope"));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("'nope'"), std::string::npos) << message;
    for (const auto& name : backbone_names()) EXPECT_NE(message.find(name), std::string::npos) << message;
  }
}

TEST(Backbone, EveryListedNameBuilds) {
  for (const auto& name : backbone_names()) EXPECT_NO_THROW(make_backbone(named(name))) << name;
}

// Options a family does not have would be ignored silently; torchvision
// refuses dilation in BasicBlocks too.
TEST(Backbone, OptionsTheFamilyLacksAreErrors) {
  auto dilated_resnet18 = named("resnet18");
  dilated_resnet18.replace_stride_with_dilation = {false, true, true};
  EXPECT_THROW(make_backbone(dilated_resnet18), Error);
  auto dilated_vgg = named("vgg16");
  dilated_vgg.dilated = true;
  EXPECT_THROW(make_backbone(dilated_vgg), Error);
  auto replaced_mobilenet = named("mobilenet_v3_large");
  replaced_mobilenet.replace_stride_with_dilation = {false, false, true};
  EXPECT_THROW(make_backbone(replaced_mobilenet), Error);
}

TEST(Backbone, UnknownFeatureListsTheFeatures) {
  const auto backbone = make_backbone(named("resnet18"));
  try {
    backbone->out_channels("layer9");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("low, aux, out"), std::string::npos) << error.what();
  }
}

// torchvision 0.14's counts: sum(p.numel() for p in model.parameters())
// minus the classifier (fc for resnets, classifier for VGG and MobileNetV3).
TEST(Backbone, ParameterCountsEqualTorchvisionWithoutClassifier) {
  EXPECT_EQ(parameter_count(*make_backbone(named("resnet18"))), 11'689'512 - 513'000);
  EXPECT_EQ(parameter_count(*make_backbone(named("resnet34"))), 21'797'672 - 513'000);
  EXPECT_EQ(parameter_count(*make_backbone(named("resnet50"))), 23'508'032);
  EXPECT_EQ(parameter_count(*make_backbone(named("resnet101"))), 44'549'160 - 2'049'000);
  EXPECT_EQ(parameter_count(*make_backbone(named("vgg16"))), 14'714'688);
  EXPECT_EQ(parameter_count(*make_backbone(named("vgg16_bn"))), 14'723'136);
  EXPECT_EQ(parameter_count(*make_backbone(named("mobilenet_v3_large"))), 2'971'952);
}

// Spot checks of torchvision's state_dict keys; backbone_parity_test checks all of them.
TEST(Backbone, StateNamesAreTorchvisions) {
  const auto resnet = state_names(*make_backbone(named("resnet50")));
  for (const char* name :
       {"conv1.weight", "bn1.running_mean", "bn1.num_batches_tracked", "layer1.0.conv1.weight",
        "layer1.0.downsample.0.weight", "layer1.0.downsample.1.running_var", "layer4.2.bn3.bias"})
    EXPECT_EQ(resnet.count(name), 1U) << name;
  EXPECT_EQ(resnet.count("layer1.1.downsample.0.weight"), 0U);

  const auto vgg_bn = state_names(*make_backbone(named("vgg16_bn")));
  for (const char* name :
       {"features.0.weight", "features.0.bias", "features.1.running_mean", "features.41.weight"})
    EXPECT_EQ(vgg_bn.count(name), 1U) << name;
  EXPECT_EQ(state_names(*make_backbone(named("vgg16"))).count("features.28.bias"), 1U);

  const auto mobilenet = state_names(*make_backbone(named("mobilenet_v3_large")));
  for (const char* name : {"features.0.0.weight", "features.0.1.running_var", "features.1.block.0.0.weight",
                           "features.2.block.0.0.weight", "features.4.block.2.fc1.weight",
                           "features.4.block.2.fc2.bias", "features.16.1.num_batches_tracked"})
    EXPECT_EQ(mobilenet.count(name), 1U) << name;
}

struct BackboneCase {
  std::string name;
  std::array<bool, 3> replace_stride_with_dilation;
  bool dilated;
  int output_stride;
  int out_channels;
};

// Names the case in test listings (ctest shows GetParam() otherwise as bytes).
void PrintTo(const BackboneCase& c, std::ostream* out) {
  *out << c.name << " at output stride " << c.output_stride;
}

class BackboneShape : public ::testing::TestWithParam<BackboneCase> {};

TEST_P(BackboneShape, FeaturesHaveTheDeclaredChannelsAndStrides) {
  const BackboneCase c = GetParam();
  BackboneOptions options = named(c.name);
  options.replace_stride_with_dilation = c.replace_stride_with_dilation;
  options.dilated = c.dilated;
  const auto backbone = make_backbone(options);
  backbone->eval();
  EXPECT_EQ(backbone->output_stride(), c.output_stride);
  EXPECT_EQ(backbone->out_channels("out"), c.out_channels);

  torch::NoGradGuard no_grad;
  const auto features = backbone->forward(torch::randn({2, 3, 64, 96}));
  EXPECT_EQ(features.keys(), backbone->feature_names());
  for (const auto& feature : features) {
    const int stride = backbone->stride(feature.key());
    EXPECT_EQ(feature.value().sizes(),
              (std::vector<std::int64_t>{2, backbone->out_channels(feature.key()), 64 / stride, 96 / stride}))
        << feature.key();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Backbones, BackboneShape,
    ::testing::Values(BackboneCase{"resnet18", {false, false, false}, false, 32, 512},
                      BackboneCase{"resnet34", {false, false, false}, false, 32, 512},
                      BackboneCase{"resnet50", {false, false, false}, false, 32, 2048},
                      BackboneCase{"resnet50", {false, true, true}, false, 8, 2048},
                      BackboneCase{"resnet101", {false, false, true}, false, 16, 2048},
                      BackboneCase{"vgg16", {false, false, false}, false, 32, 512},
                      BackboneCase{"vgg16_bn", {false, false, false}, false, 32, 512},
                      BackboneCase{"mobilenet_v3_large", {false, false, false}, false, 32, 960},
                      BackboneCase{"mobilenet_v3_large", {false, false, false}, true, 16, 960}),
    [](const ::testing::TestParamInfo<BackboneCase>& param) {
      return param.param.name + "_os" + std::to_string(param.param.output_stride);
    });

}  // namespace
}  // namespace advseg
