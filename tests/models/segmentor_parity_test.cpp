// The torchvision segmentors against torchvision itself:
// tests/models/export_torchvision.py saves a randomly initialised
// torchvision segmentation model (its full state dict), an input and its
// outputs; the state dict must load strictly into advseg's segmentor, whose
// logits, upsampled to the input as torchvision's forward does, must equal
// torchvision's. Skipped, saying why, where no Python has torchvision.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "advseg/bench/conv_flops.h"
#include "advseg/error.h"
#include "advseg/models/layers.h"
#include "advseg/models/registry.h"
#include "advseg/models/state_dict.h"
#include "models/torchvision_reference.h"

namespace advseg {
namespace {

using testing::export_reference;
using testing::TempDir;

constexpr int kTorchvisionClasses = 21;  // torchvision's default without weights
constexpr double kTolerance = 1e-4;

struct SegmentorCase {
  std::string export_name;
  std::string segmentor;
  SegmentorOptions options;
};

SegmentorCase segmentor_case(const std::string& export_name, const std::string& segmentor,
                             const std::string& backbone = "", bool aux = false) {
  SegmentorCase c{export_name, segmentor, {}};
  c.options.num_classes = kTorchvisionClasses;
  c.options.backbone = backbone;
  if (aux) c.options.aux = true;
  return c;
}

void PrintTo(const SegmentorCase& c, std::ostream* out) { *out << c.export_name; }

void expect_near_upsampled(const torch::Tensor& logits, const torch::Tensor& expected,
                           const std::string& what) {
  const auto upsampled = resize_bilinear(logits, expected.size(2), expected.size(3));
  ASSERT_EQ(upsampled.sizes(), expected.sizes()) << what;
  const double difference = (upsampled - expected).abs().max().item<double>();
  EXPECT_LT(difference, kTolerance) << what << ", largest value " << expected.abs().max().item<double>();
}

class SegmentorParity : public ::testing::TestWithParam<SegmentorCase> {};

TEST_P(SegmentorParity, LogitsEqualTorchvisionsOut) {
  const SegmentorCase& c = GetParam();
  TempDir dir;
  std::string why;
  SKIP_OR_FAIL_WITHOUT(export_reference(c.export_name, dir, why), why);

  const auto segmentor = make_segmentor(c.segmentor, c.options);
  // Strict: torchvision's full state dict, every key in place.
  const LoadReport report = load_state_dict(*segmentor, read_state_dict(dir.file(c.export_name + ".pth")));
  EXPECT_EQ(report.loaded.size(), segmentor->named_parameters().size() + segmentor->named_buffers().size());
  segmentor->eval();

  const StateDict reference = read_state_dict(dir.file(c.export_name + "_features.pth"));
  const auto& input = reference["input"];
  torch::NoGradGuard no_grad;
  const SegmentorOutput output = segmentor->forward_train(input);
  const auto logits = segmentor->forward(input);
  EXPECT_EQ(logits.size(2), input.size(2) / segmentor->output_stride());
  expect_near_upsampled(logits, reference["out"], "out");
  EXPECT_TRUE(output.logits.equal(logits));
  EXPECT_EQ(output.aux_logits.defined(), reference.contains("aux"));
  if (reference.contains("aux")) expect_near_upsampled(output.aux_logits, reference["aux"], "aux");

  // The convolution counter of `advseg models` and `bench` sees every
  // convolution torchvision's forward runs (counted there by forward hooks).
  ConvFlopCounter counter;
  segmentor->forward_train(input);
  EXPECT_DOUBLE_EQ(counter.flops(), 2 * reference["conv_macs"].item<double>());
}

INSTANTIATE_TEST_SUITE_P(
    Torchvision, SegmentorParity,
    ::testing::Values(segmentor_case("fcn_resnet50", "fcn_resnet"),
                      segmentor_case("fcn_resnet50_aux", "fcn_resnet", "resnet50", /*aux=*/true),
                      segmentor_case("deeplabv3_resnet50", "deeplabv3"),
                      segmentor_case("deeplabv3_mobilenet_v3_large", "deeplabv3", "mobilenet_v3_large"),
                      segmentor_case("lraspp_mobilenet_v3_large", "lraspp")),
    [](const ::testing::TestParamInfo<SegmentorCase>& param) { return param.param.export_name; });

std::string error_message(const std::string& segmentor, const SegmentorOptions& options) {
  try {
    make_segmentor(segmentor, options);
  } catch (const Error& error) {
    return error.what();
  }
  return "(built)";
}

TEST(TorchvisionSegmentors, UnsupportedBackbonesAndStridesNameTheAllowedOnes) {
  SegmentorOptions options;
  options.backbone = "vgg16";
  EXPECT_NE(error_message("fcn_resnet", options).find("allowed: resnet50, resnet101)"), std::string::npos)
      << error_message("fcn_resnet", options);
  EXPECT_NE(error_message("deeplabv3", options).find("allowed: resnet50, resnet101, mobilenet_v3_large)"),
            std::string::npos);
  EXPECT_NE(error_message("lraspp", options).find("allowed: mobilenet_v3_large)"), std::string::npos);
  options.backbone = "";
  options.output_stride = 32;
  EXPECT_NE(error_message("fcn_resnet", options).find("allowed: 8, 16,"), std::string::npos)
      << error_message("fcn_resnet", options);
  EXPECT_NE(error_message("lraspp", options).find("allowed: 8,"), std::string::npos);
  options.backbone = "mobilenet_v3_large";
  EXPECT_NE(error_message("deeplabv3", options).find("allowed: 16,"), std::string::npos);
  SegmentorOptions aux;
  aux.aux = true;
  EXPECT_NE(error_message("lraspp", aux).find("auxiliary"), std::string::npos);
}

TEST(TorchvisionSegmentors, OutputStridesAndBackboneParameters) {
  SegmentorOptions options;
  EXPECT_EQ(make_segmentor("fcn_resnet", options)->output_stride(), 8);
  EXPECT_EQ(make_segmentor("lraspp", options)->output_stride(), 8);
  options.backbone = "mobilenet_v3_large";
  const auto deeplab = make_segmentor("deeplabv3", options);
  EXPECT_EQ(deeplab->output_stride(), 16);
  // The backbone's parameters are torchvision's "backbone.*", the rest the head.
  std::size_t backbone_count = 0;
  for (const auto& parameter : deeplab->named_parameters())
    if (parameter.key().rfind("backbone.", 0) == 0) ++backbone_count;
  EXPECT_EQ(deeplab->backbone_parameters().size(), backbone_count);
  EXPECT_GT(deeplab->parameters().size(), backbone_count);
  options.backbone = "resnet50";
  options.output_stride = 16;
  EXPECT_EQ(make_segmentor("deeplabv3", options)->output_stride(), 16);
}

}  // namespace
}  // namespace advseg
