// A segmentor exported as TorchScript must compute, loaded by LibTorch or by
// Python without advseg, the logits advseg's own prediction computes (batch
// norm folded, normalisation and upsampling inside), for any batch and input
// size, and leave the segmentor's weights as they were.
#include "advseg/inference/torchscript_export.h"

#include <gtest/gtest.h>
#include <torch/script.h>

#include <memory>
#include <string>
#include <vector>

#include "advseg/error.h"
#include "inference/export_fixtures.h"
#include "support/network_state.h"
#include "support/paths.h"
#include "support/python.h"
#include "support/temp_dir.h"

namespace advseg {
namespace {

constexpr int kClasses = testing::kExportClasses;

using Family = testing::SegmentorFamily;
using testing::advseg_logits;
using testing::spec_for;
using testing::write_floats;

std::shared_ptr<SegmentorImpl> make(const Family& family) { return testing::exportable(family); }

torch::Tensor run(torch::jit::Module& module, const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  return module.forward({images}).toTensor();
}

class TorchScriptExportOf : public ::testing::TestWithParam<Family> {};

TEST_P(TorchScriptExportOf, ComputesAdvsegsLogitsInLibTorch) {
  const Family& family = GetParam();
  auto segmentor = make(family);
  const auto before = testing::state_of(*segmentor);
  testing::TempDir dir;
  export_torchscript(*segmentor, spec_for(family.side), dir.file("model.pt"));
  for (const auto& [name, tensor] : testing::state_of(*segmentor))
    EXPECT_TRUE(torch::equal(tensor, before.at(name))) << name << " changed";

  auto module = torch::jit::load(dir.file("model.pt").string());
  const auto images = torch::rand({2, 3, family.side, family.side});
  const auto expected = advseg_logits(*segmentor, images);
  ASSERT_GT(testing::relative_difference(advseg_logits(*segmentor, torch::rand_like(images)), expected), 1e-3)
      << "the network ignores its input: comparing its logits would prove nothing";
  const auto logits = run(module, images);
  ASSERT_EQ(logits.sizes(), expected.sizes());
  EXPECT_LE(testing::relative_difference(logits, expected), 1e-4);

  // Another size runs at the export size inside and comes back at its own.
  const auto other = torch::rand({1, 3, family.side + 16, family.side - 8});
  EXPECT_EQ(run(module, other).sizes(),
            (std::vector<std::int64_t>{1, kClasses, family.side + 16, family.side - 8}));
}

INSTANTIATE_TEST_SUITE_P(Segmentors, TorchScriptExportOf,
                         ::testing::Values(Family{"multiscale", "", 32}, Family{"unet", "", 32},
                                           Family{"deeplabv3", "mobilenet_v3_large", 64},
                                           Family{"lraspp", "mobilenet_v3_large", 64},
                                           Family{"pspnet", "resnet50", 48}));

TEST(TorchScriptExport, CarriesTheClassNamesAndPalette) {
  auto segmentor = make({"multiscale", "", 32});
  testing::TempDir dir;
  const auto spec = spec_for(32);
  export_torchscript(*segmentor, spec, dir.file("model.pt"));
  auto module = torch::jit::load(dir.file("model.pt").string());
  std::vector<std::string> names;
  for (const auto& name : module.attr("class_names").toListRef()) names.push_back(name.toStringRef());
  EXPECT_EQ(names, spec.class_names);
  const auto palette = module.attr("palette").toTensor();
  ASSERT_EQ(palette.sizes(), (std::vector<std::int64_t>{kClasses, 3}));
  EXPECT_EQ(palette[2][1].item<int>(), spec.palette[2][1]);
}

// Every tensor the network reads, the biases folding adds included, is a
// parameter or buffer, none a constant of the graph: `.to(...)` moves and
// converts all of them (to CUDA too, where a constant would stay behind); and
// every operator runs on any device.
TEST(TorchScriptExport, EveryTensorIsAParameterOrBuffer) {
  auto segmentor = make({"multiscale", "", 32});
  testing::TempDir dir;
  export_torchscript(*segmentor, spec_for(32), dir.file("model.pt"));
  auto module = torch::jit::load(dir.file("model.pt").string());
  auto graph =
      module.attr("at_network_size").toModule().attr("network").toModule().get_method("forward").graph();
  for (const auto* node : graph->nodes()) {
    const bool tensor_constant =
        node->kind() == c10::prim::Constant && node->output()->type()->isSubtypeOf(*c10::TensorType::get());
    EXPECT_FALSE(tensor_constant) << *node;
    // Nor a CPU-only operator (the fused convolution + ReLU of advseg's own inference).
    EXPECT_NE(std::string(node->kind().toQualString()).rfind("mkldnn::", 0), 0u) << *node;
  }
  const auto images = torch::rand({1, 3, 32, 32});
  const auto in_float = run(module, images);
  module.to(torch::kDouble);
  const auto in_double = run(module, images.to(torch::kDouble));
  EXPECT_EQ(in_double.scalar_type(), torch::kDouble);
  EXPECT_LE(testing::relative_difference(in_double.to(torch::kFloat), in_float), 1e-4);
}

TEST(TorchScriptExport, NamesTheFileItCannotWrite) {
  auto segmentor = make({"multiscale", "", 32});
  testing::TempDir dir;
  const auto path = dir.file("no_such_folder") / "model.pt";
  try {
    export_torchscript(*segmentor, spec_for(32), path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
}

TEST(TorchScriptExport, RoundTripsThroughPython) {
  auto segmentor = make({"deeplabv3", "mobilenet_v3_large", 64});
  testing::TempDir dir;
  const auto spec = spec_for(64);
  export_torchscript(*segmentor, spec, dir.file("model.pt"));
  const auto images = torch::rand({2, 3, 64, 64});
  write_floats(dir.file("images.f32"), images);
  write_floats(dir.file("logits.f32"), advseg_logits(*segmentor, images));
  const std::string script = testing::source_dir() + "/tests/inference/check_torchscript.py";
  std::string why;
  SKIP_OR_FAIL_WITHOUT(
      testing::run_python(testing::quoted(script) + " " + testing::quoted(dir.file("model.pt").string()) +
                              " " + testing::quoted(dir.file("images.f32").string()) + " " +
                              testing::quoted(dir.file("logits.f32").string()) +
                              " 2 64 64 sky,tree,road,grass",
                          dir, why, "torch"),
      why);
}

}  // namespace
}  // namespace advseg
