// The inference path folds batch norm into the convolution before it: every
// segmentor with batch norm must predict what its unfolded network predicts
// (to 1e-5 in double precision), with every batch norm that prediction runs folded, and
// get its own weights back, bit for bit, afterwards.
#include "advseg/models/batch_norm_folding.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "advseg/error.h"
#include "advseg/inference/prediction.h"
#include "advseg/models/from_config.h"
#include "advseg/models/layers.h"
#include "support/network_state.h"

namespace advseg {
namespace {

constexpr int kFoldingClasses = 5;

using Family = testing::SegmentorFamily;

std::shared_ptr<SegmentorImpl> make(const Family& family) {
  return testing::segmentor_of(family, kFoldingClasses, 3);
}

using testing::randomise_batch_norms;
using testing::state_of;

class FoldedInference : public ::testing::TestWithParam<Family> {};

TEST_P(FoldedInference, PredictsWhatTheUnfoldedNetworkPredictsAndRestoresIt) {
  const Family& family = GetParam();
  auto segmentor = make(family);
  randomise_batch_norms(*segmentor, family.side);
  // In double precision: in fp32, rounding alone reaches 1e-4 of the logits
  // through a ResNet-50 whose batch norms keep the signal alive.
  segmentor->to(torch::kDouble);
  segmentor->train();
  const auto before = state_of(*segmentor);
  const auto images = torch::randn({2, 3, family.side, family.side}, torch::kDouble);

  torch::Tensor unfolded;
  {
    torch::NoGradGuard no_grad;
    segmentor->eval();
    unfolded = resize_bilinear(segmentor->forward(images), family.side, family.side).to(torch::kFloat);
    const auto other =
        resize_bilinear(segmentor->forward(torch::randn_like(images)), family.side, family.side);
    ASSERT_GT(testing::relative_difference(other, unfolded), 1e-3)
        << "the network ignores its input: comparing its logits would prove nothing";
    segmentor->train();
  }
  {
    InferenceNetwork network(*segmentor);
    EXPECT_FALSE(segmentor->is_training());
    EXPECT_GT(network.folded_batch_norms(), 0u);
    // Every batch norm prediction runs is folded; only auxiliary heads (training only) keep theirs.
    for (const auto& item : segmentor->named_modules()) {
      auto norm = std::dynamic_pointer_cast<FoldableBatchNorm2dImpl>(item.value());
      if (norm && !norm->folded()) {
        EXPECT_EQ(item.key().rfind("aux_", 0), 0u) << item.key() << " was not folded";
      }
    }
    const auto folded = predict_logits(network, images, PredictionOptions{});
    ASSERT_EQ(folded.sizes(), unfolded.sizes());
    EXPECT_LE(testing::relative_difference(folded, unfolded), 1e-5);  // folded's are rounded to float
  }
  EXPECT_TRUE(segmentor->is_training());
  const auto after = state_of(*segmentor);
  ASSERT_EQ(after.size(), before.size());  // no bias left registered
  for (const auto& [name, tensor] : before) {
    ASSERT_TRUE(after.count(name)) << name;
    EXPECT_TRUE(torch::equal(after.at(name), tensor)) << name << " changed";
  }
}

INSTANTIATE_TEST_SUITE_P(EverySegmentorWithBatchNorm, FoldedInference,
                         ::testing::Values(Family{"multiscale", "", 32}, Family{"unet", "", 32},
                                           Family{"fcn_resnet", "resnet50", 32},
                                           Family{"deeplabv3", "resnet50", 32},
                                           Family{"deeplabv3", "mobilenet_v3_large", 64},
                                           Family{"lraspp", "mobilenet_v3_large", 64},
                                           Family{"deeplabv2", "resnet50", 32},
                                           Family{"pspnet", "resnet50", 48}));

TEST(FoldedInference, KeepsTheWeightsMemoryFormat) {
  auto segmentor = make({"multiscale", "", 32});
  randomise_batch_norms(*segmentor, 32);
  set_memory_format(*segmentor, c10::MemoryFormat::ChannelsLast);
  const auto images = torch::randn({1, 3, 32, 32});
  PredictionOptions options;
  options.memory_format = c10::MemoryFormat::ChannelsLast;
  torch::Tensor unfolded;
  {
    torch::NoGradGuard no_grad;
    segmentor->eval();
    unfolded =
        resize_bilinear(segmentor->forward(images.contiguous(c10::MemoryFormat::ChannelsLast)), 32, 32);
  }
  InferenceNetwork network(*segmentor);
  for (const auto& module : segmentor->modules()) {
    auto conv = std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(module);
    if (conv) {
      EXPECT_TRUE(conv->weight.is_contiguous(c10::MemoryFormat::ChannelsLast));
    }
  }
  const auto folded = predict_logits(network, images, options);
  EXPECT_LE(testing::relative_difference(folded, unfolded), 1e-4);
}

TEST(FoldedInference, TrainingAFoldedNetworkIsAnError) {
  auto segmentor = make({"multiscale", "", 32});
  InferenceNetwork network(*segmentor);
  segmentor->train();
  EXPECT_THROW(segmentor->forward(torch::randn({2, 3, 32, 32})), Error);
  // With model.freeze_bn the batch norms stay in eval mode: gradients give it away.
  segmentor->eval();
  EXPECT_THROW(segmentor->forward(torch::randn({2, 3, 32, 32})), Error);
}

TEST(FoldableBatchNorm2d, RefusesToTrainOnOneValuePerChannel) {
  FoldableBatchNorm2d norm(4);
  norm->train();
  EXPECT_THROW(norm->forward(torch::randn({1, 4, 1, 1})), Error);
  EXPECT_NO_THROW(norm->forward(torch::randn({2, 4, 1, 1})));
  EXPECT_TRUE(torch::isfinite(norm->running_var).all().item<bool>());
}

// A convolution whose output is read by more than its batch norm cannot be
// folded: the other reader would see the normalised values.
struct SharedOutputImpl : torch::nn::Module {
  SharedOutputImpl()
      : conv(register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3).padding(1)))),
        norm(register_module("norm", FoldableBatchNorm2d(4))) {}
  torch::Tensor forward(const torch::Tensor& x) {
    auto y = conv(x);
    return norm(y) + y;
  }
  torch::nn::Conv2d conv;
  FoldableBatchNorm2d norm;
};
TORCH_MODULE(SharedOutput);

TEST(FoldedBatchNorms, LeaveAConvolutionWhoseOutputHasAnotherReader) {
  SharedOutput network;
  network->eval();
  const auto x = torch::randn({1, 3, 8, 8});
  FoldedBatchNorms folded(*network, [&] { network->forward(x); });
  EXPECT_EQ(folded.size(), 0u);
  EXPECT_FALSE(network->norm->folded());
}

TEST(FoldedBatchNorms, LeaveABatchNormRunInTrainingMode) {
  auto conv = torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3));
  auto norm = FoldableBatchNorm2d(4);
  torch::nn::Sequential network(conv, norm);
  network->train();
  FoldedBatchNorms folded(*network, [&] { network->forward(torch::randn({2, 3, 8, 8})); });
  EXPECT_EQ(folded.size(), 0u);
}

}  // namespace
}  // namespace advseg
