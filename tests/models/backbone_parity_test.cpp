// The backbones against torchvision itself: tests/models/export_torchvision.py
// saves randomly initialised torchvision networks, an input and their feature
// maps; the same weights loaded (strictly) into advseg's backbones must give
// the same maps. Skipped, saying why, where no Python has torchvision
// (scripts/setup.sh installs torchvision into .venv).
//
// Each test exports only its network (ctest runs every test in a process of
// its own): about 3 s of Python each.
#include <gtest/gtest.h>
#include <torch/serialize.h>

#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "advseg/error.h"
#include "advseg/io/file_bytes.h"
#include "advseg/models/backbones/backbone.h"
#include "advseg/models/state_dict.h"
#include "models/torchvision_reference.h"

namespace advseg {
namespace {

using testing::export_reference;
using testing::quoted;
using testing::run_python;
using testing::TempDir;

struct ParityCase {
  std::string export_name;
  BackboneOptions options;
  LoadOptions load;
};

ParityCase parity_case(const std::string& export_name, const std::string& name) {
  ParityCase c;
  c.export_name = export_name;
  c.options.name = name;
  return c;
}

// Names the case in test listings (ctest shows GetParam() otherwise as bytes).
void PrintTo(const ParityCase& c, std::ostream* out) { *out << c.export_name; }

class BackboneParity : public ::testing::TestWithParam<ParityCase> {};

TEST_P(BackboneParity, FeatureMapsEqualTorchvisions) {
  const ParityCase& c = GetParam();
  TempDir dir;
  std::string why;
  SKIP_OR_FAIL_WITHOUT(export_reference(c.export_name, dir, why), why);

  const auto backbone = make_backbone(c.options);
  // Strict: every torchvision tensor has a home, every advseg tensor a source.
  const LoadReport report = load_state_dict(*backbone, dir.file(c.export_name + ".pth"), c.load);
  EXPECT_EQ(report.loaded.size(), backbone->named_parameters().size() + backbone->named_buffers().size());
  backbone->eval();

  const StateDict reference = read_state_dict(dir.file(c.export_name + "_features.pth"));
  torch::NoGradGuard no_grad;
  const FeatureMaps features = backbone->forward(reference["input"]);
  EXPECT_EQ(features.keys(), backbone->feature_names());
  EXPECT_EQ(features.size() + 1, reference.size()) << "every reference map is compared";
  for (const auto& feature : features) {
    const std::string& name = feature.key();
    ASSERT_TRUE(reference.contains(name)) << name;
    const auto& expected = reference[name];
    ASSERT_EQ(feature.value().sizes(), expected.sizes()) << name;
    const double difference = (feature.value() - expected).abs().max().item<double>();
    EXPECT_LT(difference, 1e-4) << name << ", largest value " << expected.abs().max().item<double>();
    EXPECT_EQ(expected.size(1), backbone->out_channels(name)) << name;
    EXPECT_EQ(64 / expected.size(2), backbone->stride(name)) << name;
  }
}

ParityCase resnet50_dilated() {
  ParityCase c = parity_case("resnet50_dilated", "resnet50");
  c.options.replace_stride_with_dilation = {false, true, true};
  return c;
}

// Saved as torchvision's LR-ASPP saves its backbone: features without "features.".
ParityCase mobilenet_dilated() {
  ParityCase c = parity_case("mobilenet_v3_large_dilated", "mobilenet_v3_large");
  c.options.dilated = true;
  c.load.module_prefix = "features.";
  return c;
}

INSTANTIATE_TEST_SUITE_P(Torchvision, BackboneParity,
                         ::testing::Values(parity_case("resnet18", "resnet18"),
                                           parity_case("resnet50", "resnet50"), resnet50_dilated(),
                                           parity_case("vgg16", "vgg16"), parity_case("vgg16_bn", "vgg16_bn"),
                                           mobilenet_dilated()),
                         [](const ::testing::TestParamInfo<ParityCase>& param) {
                           return param.param.export_name;
                         });

// torchvision's own classification file, fc included: loads with strict=false.
TEST(TorchvisionFiles, ClassificationStateDictLoadsNonStrictWithFcUnexpected) {
  TempDir dir;
  std::string why;
  SKIP_OR_FAIL_WITHOUT(export_reference("resnet18", dir, why), why);
  BackboneOptions options;
  options.name = "resnet18";
  const auto backbone = make_backbone(options);
  const auto file = dir.file("resnet18_classifier.pth");
  EXPECT_THROW(load_state_dict(*backbone, file), Error);

  LoadOptions non_strict;
  non_strict.strict = false;
  const LoadReport report = load_state_dict(*backbone, file, non_strict);
  EXPECT_EQ(report.unexpected, (std::vector<std::string>{"fc.weight", "fc.bias"}));
  EXPECT_TRUE(report.missing.empty());
  EXPECT_TRUE(report.mismatched.empty());
}

// Why advseg reads state dicts itself (io/pickle_reader.cpp): LibTorch's
// torch::pickle_load (2.15) fails on the OrderedDict that state_dict()
// returns (an internal assertion: None where a dict should be). When this
// test fails, LibTorch reads them and the hand-written reader can go.
TEST(TorchvisionFiles, LibTorchsPickleLoadStillCannotReadAStateDict) {
  TempDir dir;
  std::string why;
  SKIP_OR_FAIL_WITHOUT(export_reference("resnet18", dir, why), why);
  const auto bytes = read_file_bytes(dir.file("resnet18_classifier.pth"));
  bool libtorch_reads_it = false;
  try {
    libtorch_reads_it = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end())).isGenericDict();
  } catch (const c10::Error&) {
  }
  EXPECT_FALSE(libtorch_reads_it) << "torch::pickle_load reads state dicts now: use it";
  EXPECT_EQ(read_state_dict(dir.file("resnet18_classifier.pth")).size(), 122U);
}

// What read_state_dict refuses, tools/convert_torchvision.py turns into
// state dicts it reads: a pickled model, a training checkpoint, the legacy format.
TEST(TorchvisionFiles, ConvertToolMakesStateDictsOfModelsCheckpointsAndLegacyFiles) {
  TempDir dir;
  std::string why;
  const std::string write = quoted(
      "import sys, torch\n"
      "try:\n"
      "    import torchvision\n"
      "except ImportError:\n"
      "    sys.exit(77)\n"
      "torch.manual_seed(0)\n"
      "model = torchvision.models.resnet18(weights=None)\n"
      "torch.save(model, sys.argv[1] + \"/model.pt\")\n"
      "torch.save({\"model\": model.state_dict(), \"epoch\": 3}, sys.argv[1] + \"/checkpoint.pth\")\n"
      "torch.save(model.state_dict(), sys.argv[1] + \"/legacy.pth\", "
      "_use_new_zipfile_serialization=False)\n");
  SKIP_OR_FAIL_WITHOUT(run_python("-c " + write + " " + quoted(dir.path().string()), dir, why), why);

  const auto message_of = [](const std::filesystem::path& file) -> std::string {
    try {
      read_state_dict(file);
    } catch (const Error& error) {
      return error.what();
    }
    return "(read)";
  };
  EXPECT_NE(message_of(dir.file("model.pt")).find("a pickled torchvision.models.resnet.ResNet"),
            std::string::npos)
      << message_of(dir.file("model.pt"));
  EXPECT_NE(message_of(dir.file("checkpoint.pth")).find("entry 'model' is not a tensor"), std::string::npos)
      << message_of(dir.file("checkpoint.pth"));
  EXPECT_NE(message_of(dir.file("legacy.pth")).find("legacy"), std::string::npos)
      << message_of(dir.file("legacy.pth"));

  const std::string tool = quoted(testing::source_dir() + "/tools/convert_torchvision.py");
  BackboneOptions options;
  options.name = "resnet18";
  const auto backbone = make_backbone(options);
  LoadOptions non_strict;
  non_strict.strict = false;
  // A pickled model runs code when loaded: the tool asks for --trust-pickle.
  const int refused = std::system(
      (testing::python_command() + " " + tool + " " + quoted(dir.file("model.pt").string()) + " " +
       quoted(dir.file("refused.pth").string()) + " 2>" + quoted(dir.file("refused.log").string()))
          .c_str());
  EXPECT_NE(refused, 0);
  EXPECT_NE(testing::read_text(dir.file("refused.log")).find("--trust-pickle"), std::string::npos)
      << testing::read_text(dir.file("refused.log"));
  EXPECT_FALSE(std::filesystem::exists(dir.file("refused.pth")));
  for (const std::string input : {"model.pt", "checkpoint.pth", "legacy.pth"}) {
    const auto output = dir.file(input + ".converted.pth");
    const std::string trust = input == "model.pt" ? " --trust-pickle" : "";
    ASSERT_TRUE(run_python(
        tool + trust + " " + quoted(dir.file(input).string()) + " " + quoted(output.string()), dir, why))
        << input;
    const LoadReport report = load_state_dict(*backbone, output, non_strict);
    EXPECT_EQ(report.unexpected, (std::vector<std::string>{"fc.weight", "fc.bias"})) << input;
    EXPECT_TRUE(report.missing.empty()) << input;
  }
}

}  // namespace
}  // namespace advseg
