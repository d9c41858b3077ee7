#include "advseg/models/segmentors/multiscale.h"

#include <gtest/gtest.h>
#include <torch/nn/functional/upsampling.h>

#include <set>

#include "models/parameter_count.h"

namespace advseg {
namespace {

using testing::parameter_count;

constexpr int kMultiscaleClasses = 8;

std::shared_ptr<MultiscaleSegmentorImpl> small_net(std::vector<double> scales = {1.0, 0.5, 0.25}) {
  SegmentorOptions options;
  options.num_classes = kMultiscaleClasses;
  options.widths = {4, 8, 8};  // three stages as by default, so the output is at 1/4
  options.scales = std::move(scales);
  torch::manual_seed(0);
  return std::make_shared<MultiscaleSegmentorImpl>(options);
}

struct MultiscaleSizes {
  std::int64_t height, width, out_height, out_width;
};

class MultiscaleShape : public ::testing::TestWithParam<MultiscaleSizes> {};

TEST_P(MultiscaleShape, OutputIsAtFloorQuarterResolution) {
  const MultiscaleSizes c = GetParam();
  torch::NoGradGuard no_grad;
  const auto logits = small_net()->forward(torch::randn({2, 3, c.height, c.width}));
  EXPECT_EQ(logits.sizes(), (std::vector<std::int64_t>{2, kMultiscaleClasses, c.out_height, c.out_width}));
}

INSTANTIATE_TEST_SUITE_P(Sizes, MultiscaleShape,
                         ::testing::Values(MultiscaleSizes{64, 64, 16, 16}, MultiscaleSizes{240, 320, 60, 80},
                                           MultiscaleSizes{320, 240, 80, 60}, MultiscaleSizes{61, 83, 15, 20},
                                           // Tiny inputs: coarse scales are clamped to 4 pixels.
                                           MultiscaleSizes{6, 6, 1, 1}, MultiscaleSizes{2, 3, 1, 1}));

// The forward pass classifies each scale before resizing it; this is the
// textbook form it must equal: resize every scale's features to the output
// grid, concatenate, then apply the 1x1 classifier.
torch::Tensor concatenate_then_classify(MultiscaleSegmentorImpl& net, const torch::Tensor& images,
                                        const std::vector<double>& scales) {
  auto modules = net.named_children();
  auto module = [&](const std::string& name) { return modules[name]; };
  const auto resize = [](const torch::Tensor& x, std::int64_t h, std::int64_t w) {
    namespace F = torch::nn::functional;
    return F::interpolate(x, F::InterpolateFuncOptions()
                                 .size(std::vector<std::int64_t>{h, w})
                                 .mode(torch::kBilinear)
                                 .align_corners(false));
  };
  std::vector<torch::Tensor> features;
  for (const double scale : scales) {
    const auto h = static_cast<std::int64_t>(std::floor(images.size(2) * scale));
    const auto w = static_cast<std::int64_t>(std::floor(images.size(3) * scale));
    auto x = (h == images.size(2) && w == images.size(3)) ? images : resize(images, h, w);
    for (int stage = 1; stage <= 3; ++stage) {
      if (stage > 1) x = torch::max_pool2d(x, {2, 2});
      auto conv = std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(module("conv" + std::to_string(stage)));
      auto norm = std::dynamic_pointer_cast<FoldableBatchNorm2dImpl>(module("bn" + std::to_string(stage)));
      x = torch::relu(norm->forward(conv->forward(x)));
    }
    features.push_back(resize(x, images.size(2) / 4, images.size(3) / 4));
  }
  return std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(module("classifier"))
      ->forward(torch::cat(features, 1));
}

TEST(Multiscale, ClassifyingEachScaleBeforeResizingEqualsClassifyingTheConcatenation) {
  const std::vector<double> scales = {1.0, 0.5, 0.25};
  auto net = small_net(scales);
  net->eval();
  torch::NoGradGuard no_grad;
  torch::manual_seed(4);
  const auto images = torch::randn({2, 3, 64, 96});
  const auto expected = concatenate_then_classify(*net, images, scales);
  EXPECT_TRUE(torch::allclose(net->forward(images), expected, 1e-4, 1e-5));
}

TEST(Multiscale, DefaultWidthsShapeAtStanfordSize) {
  SegmentorOptions options;
  options.num_classes = kMultiscaleClasses;
  MultiscaleSegmentorImpl net(options);
  net.eval();
  torch::NoGradGuard no_grad;
  EXPECT_EQ(net.forward(torch::randn({1, 3, 240, 320})).sizes(),
            (std::vector<std::int64_t>{1, kMultiscaleClasses, 60, 80}));
}

TEST(Multiscale, ParameterCountMatchesHandArithmetic) {
  SegmentorOptions options;  // widths 16, 64, 256; scales 1, 1/2, 1/4
  options.num_classes = kMultiscaleClasses;
  // conv1 7*7*3*16   =   2352   bn1 2*16  =  32
  // conv2 7*7*16*64  =  50176   bn2 2*64  = 128
  // conv3 7*7*64*256 = 802816   bn3 2*256 = 512
  // classifier (3*256)*8 + 8 = 6152
  // total 2352 + 32 + 50176 + 128 + 802816 + 512 + 6152 = 862168
  EXPECT_EQ(parameter_count(MultiscaleSegmentorImpl(options)), 862168);
}

TEST(Multiscale, ExtractorIsSharedAcrossScales) {
  SegmentorOptions three_scales;
  three_scales.num_classes = kMultiscaleClasses;
  SegmentorOptions one_scale = three_scales;
  one_scale.scales = {1.0};
  // Only the classifier's input grows with the scales: 2 more scales x 256 channels x 8 classes.
  EXPECT_EQ(parameter_count(MultiscaleSegmentorImpl(three_scales)) -
                parameter_count(MultiscaleSegmentorImpl(one_scale)),
            2 * 256 * kMultiscaleClasses);
}

TEST(Multiscale, ParameterNamesAreStable) {
  std::set<std::string> names;
  for (const auto& parameter : small_net()->named_parameters()) names.insert(parameter.key());
  EXPECT_EQ(names, (std::set<std::string>{"conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight",
                                          "bn2.weight", "bn2.bias", "conv3.weight", "bn3.weight", "bn3.bias",
                                          "classifier.weight", "classifier.bias"}));
}

// Batch norm uses running statistics in eval mode, batch statistics in train mode.
TEST(Multiscale, EvalOutputDoesNotDependOnTheRestOfTheBatch) {
  auto net = small_net();
  torch::NoGradGuard no_grad;
  const auto image = torch::randn({1, 3, 32, 32});
  const auto batch = torch::cat({image, 3 * torch::randn({1, 3, 32, 32}) + 2});

  net->eval();
  EXPECT_TRUE(torch::allclose(net->forward(batch)[0], net->forward(image)[0], 1e-4, 1e-5));

  net->train();
  const double difference = (net->forward(batch)[0] - net->forward(image)[0]).abs().max().item<double>();
  EXPECT_GT(difference, 1e-2);
}

}  // namespace
}  // namespace advseg
