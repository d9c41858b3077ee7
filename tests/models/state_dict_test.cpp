// GCC 12 reports a false -Wmaybe-uninitialized in LibTorch's
// c10::optional<at::Generator> (inlined here) when AddressSanitizer is on,
// as its manual warns; the sanitizer build treats warnings as errors.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "advseg/models/state_dict.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/serialize.h>

#include <cmath>
#include <fstream>
#include <string>

#include "advseg/error.h"
#include "advseg/models/backbones/backbone.h"
#include "support/error_message.h"
#include "support/state_dict_files.h"
#include "support/temp_dir.h"

namespace advseg {
namespace {

using testing::TempDir;

std::shared_ptr<BackboneImpl> resnet18() {
  BackboneOptions options;
  options.name = "resnet18";
  return make_backbone(options);
}

#define EXPECT_CONTAINS(text, part) EXPECT_NE(std::string(text).find(part), std::string::npos) << (text)

TEST(StateDict, ReadsWhatPickleSaveWrites) {
  TempDir dir;
  c10::impl::GenericDict dict(c10::StringType::get(), c10::TensorType::get());
  const auto weight = torch::randn({3, 4});
  dict.insert("layer.weight", weight.t());  // a strided view
  dict.insert("layer.steps", torch::arange(5));
  dict.insert("layer.half", weight.to(torch::kHalf));
  save_dict(dict, dir.file("weights.pth"));

  const StateDict weights = read_state_dict(dir.file("weights.pth"));
  EXPECT_EQ(weights.keys(), (std::vector<std::string>{"layer.weight", "layer.steps", "layer.half"}));
  EXPECT_TRUE(torch::equal(weights["layer.weight"], weight.t()));
  EXPECT_TRUE(torch::equal(weights["layer.steps"], torch::arange(5)));
  EXPECT_EQ(weights["layer.half"].scalar_type(), torch::kHalf);
}

TEST(StateDict, ReadsAOneEntryDict) {
  TempDir dir;
  c10::impl::GenericDict dict(c10::StringType::get(), c10::TensorType::get());
  dict.insert("only", torch::ones({2}));
  save_dict(dict, dir.file("one.pth"));
  EXPECT_EQ(read_state_dict(dir.file("one.pth")).size(), 1U);
}

// Issue 27, item 11: a NaN in pretrained weights is named, not reported
// later as a diverged training.
TEST(StateDict, NaNOrInfinityInAWeightIsNamed) {
  TempDir dir;
  for (const double bad : {std::nan(""), static_cast<double>(INFINITY)}) {
    c10::impl::GenericDict dict(c10::StringType::get(), c10::TensorType::get());
    dict.insert("conv.bias", torch::zeros({2}));
    dict.insert("conv.weight", torch::tensor({1.0, bad}));
    save_dict(dict, dir.file("bad.pth"));
    try {
      read_state_dict(dir.file("bad.pth"));
      ADD_FAILURE() << "read " << bad;
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("bad.pth: tensor 'conv.weight' holds NaN or infinite values"),
                std::string::npos)
          << error.what();
    }
  }
}

TEST(StateDict, FilesThatAreNotStateDictsAreNamedErrors) {
  TempDir dir;
  const auto missing = dir.file("missing.pth");
  EXPECT_CONTAINS(testing::error_message([&] { read_state_dict(missing); }),
                  missing.string() + ": state dict file: no such file");
  // Refused by name, never opened: a FIFO would block the reader.
  const auto fifo = dir.file("weights.pth");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_CONTAINS(testing::error_message([&] { read_state_dict(fifo); }), "is a FIFO (named pipe)");
  EXPECT_CONTAINS(testing::error_message([&] { read_state_dict(dir.path()); }), "is a directory, not a file");

  std::ofstream(dir.file("text.pth")) << "not a PyTorch file\n";
  EXPECT_CONTAINS(testing::error_message([&] { read_state_dict(dir.file("text.pth")); }),
                  "text.pth: not a PyTorch zip-format file");

  const auto bytes = torch::pickle_save(torch::ones({64}));
  std::ofstream(dir.file("tensor.pth"), std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  EXPECT_CONTAINS(testing::error_message([&] { read_state_dict(dir.file("tensor.pth")); }),
                  "tensor.pth: not a state dict");

  // Cut short: the zip directory at the end is gone.
  std::ofstream(dir.file("cut.pth"), std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  EXPECT_CONTAINS(testing::error_message([&] { read_state_dict(dir.file("cut.pth")); }),
                  "cut.pth: corrupted");

  c10::impl::GenericDict checkpoint(c10::StringType::get(), c10::AnyType::get());
  checkpoint.insert("epoch", int64_t{3});
  save_dict(checkpoint, dir.file("checkpoint.pth"));
  EXPECT_CONTAINS(testing::error_message([&] { read_state_dict(dir.file("checkpoint.pth")); }),
                  "entry 'epoch' is not a tensor");
}

TEST(StateDict, LoadsParametersAndBuffersKeepingTheModulesDtype) {
  torch::manual_seed(0);
  const auto source = resnet18();
  {
    torch::NoGradGuard no_grad;
    for (auto& buffer : source->named_buffers()) buffer.value().random_(1, 100);
  }
  auto target = resnet18();
  target->to(torch::kDouble);

  const LoadReport report = load_state_dict(*target, state_of(*source));
  EXPECT_TRUE(report.missing.empty() && report.unexpected.empty() && report.mismatched.empty());
  const auto expected = state_of(*source);
  for (const auto& entry : state_of(*target)) {
    if (entry.value().is_floating_point()) {
      EXPECT_EQ(entry.value().scalar_type(), torch::kDouble) << entry.key();
    }
    EXPECT_TRUE(torch::equal(entry.value().to(expected[entry.key()].scalar_type()), expected[entry.key()]))
        << entry.key();
  }
  EXPECT_EQ(report.loaded.size(), expected.size());
}

TEST(StateDict, WrongShapeInAFileNamesTheTensorAndBothShapes) {
  TempDir dir;
  const auto network = resnet18();
  StateDict weights = state_of(*network);
  weights["layer1.0.conv1.weight"] = torch::zeros({64, 32, 3, 3});
  save_state_dict(weights, dir.file("wrong.pth"));
  const auto before = network->named_parameters()["conv1.weight"].clone();

  const auto message = testing::error_message([&] { load_state_dict(*network, dir.file("wrong.pth")); });
  EXPECT_CONTAINS(message,
                  dir.file("wrong.pth").string() + ": the weights do not fit the network (1 problem)");
  EXPECT_CONTAINS(message,
                  "layer1.0.conv1.weight: the file has [64, 32, 3, 3], the network expects [64, 64, 3, 3]");
  // A failed strict load changes nothing.
  EXPECT_TRUE(torch::equal(network->named_parameters()["conv1.weight"], before));
}

TEST(StateDict, StrictListsTheFirstTenProblems) {
  const auto network = resnet18();
  StateDict weights("tensor");
  for (const auto& entry : state_of(*network))
    if (entry.key().rfind("layer4.", 0) != 0) weights.insert(entry.key(), entry.value());
  const auto missing = state_of(*network).size() - weights.size();
  weights.insert("fc.weight", torch::zeros({1000, 512}));

  const auto message = testing::error_message([&] { load_state_dict(*network, weights); });
  EXPECT_CONTAINS(message, "(" + std::to_string(missing + 1) + " problems)");
  EXPECT_CONTAINS(message, "layer4.0.conv1.weight: in the network, not in the file");
  EXPECT_CONTAINS(message, "... and " + std::to_string(missing + 1 - 10) + " more");
}

TEST(StateDict, NonStrictListsTheUnexpectedClassifier) {
  const auto network = resnet18();
  StateDict weights = state_of(*network);
  weights.insert("fc.weight", torch::zeros({1000, 512}));
  weights.insert("fc.bias", torch::zeros({1000}));
  LoadOptions options;
  options.strict = false;
  const LoadReport report = load_state_dict(*network, weights, options);
  EXPECT_EQ(report.unexpected, (std::vector<std::string>{"fc.weight", "fc.bias"}));
  EXPECT_TRUE(report.missing.empty());
  EXPECT_TRUE(report.mismatched.empty());
  EXPECT_EQ(report.loaded.size(), weights.size() - 2);
}

TEST(StateDict, NonStrictLoadsWhatFitsAndReportsTheRest) {
  auto network = torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3)));
  StateDict weights("tensor");
  weights.insert("0.weight", torch::ones({4, 3, 3, 3}));
  weights.insert("0.bias", torch::ones({5}));
  LoadOptions options;
  options.strict = false;
  const LoadReport report = load_state_dict(*network, weights, options);
  EXPECT_EQ(report.loaded, (std::vector<std::string>{"0.weight"}));
  ASSERT_EQ(report.mismatched.size(), 1U);
  EXPECT_EQ(report.mismatched[0].name, "0.bias");
  EXPECT_EQ(report.mismatched[0].file_shape, (std::vector<std::int64_t>{5}));
  EXPECT_EQ(report.mismatched[0].module_shape, (std::vector<std::int64_t>{4}));
  EXPECT_TRUE(torch::equal(network->named_parameters()["0.weight"], torch::ones({4, 3, 3, 3})));
}

TEST(StateDict, PrefixSelectsEntriesAndModulePrefixRenamesThem) {
  // A whole model's dict: the backbone's entries under "backbone.", saved
  // without the module's "features." (as torchvision's LR-ASPP weights).
  torch::nn::Module network;
  auto features = network.register_module(
      "features", torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 1))));
  StateDict weights("tensor");
  weights.insert("backbone.0.weight", torch::full({4, 3, 1, 1}, 2.0));
  weights.insert("backbone.0.bias", torch::full({4}, 3.0));
  weights.insert("classifier.weight", torch::zeros({7}));
  LoadOptions options;
  options.prefix = "backbone.";
  options.module_prefix = "features.";
  const LoadReport report = load_state_dict(network, weights, options);  // strict
  EXPECT_EQ(report.loaded, (std::vector<std::string>{"features.0.weight", "features.0.bias"}));
  EXPECT_TRUE(torch::equal(network.named_parameters()["features.0.bias"], torch::full({4}, 3.0)));
}

}  // namespace
}  // namespace advseg
