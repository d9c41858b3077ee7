#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>

#include "advseg/error.h"
#include "advseg/models/registry.h"
#include "models/parameter_count.h"

namespace advseg {
namespace {

using testing::parameter_count;

constexpr int kLabelChannels = 5;

std::shared_ptr<AdversaryImpl> adversary(const std::string& name) {
  AdversaryOptions options;
  options.label_channels = kLabelChannels;
  torch::manual_seed(0);
  return make_adversary(name, options);
}

using Sizes = std::vector<std::int64_t>;

// GoogleTest names parameterised cases after the network, which must be an identifier.
struct TestName {
  template <typename Param>
  std::string operator()(const ::testing::TestParamInfo<Param>& info) const {
    std::string name = info.param.name;
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
  }
};

struct StanfordCase {
  std::int64_t image_height, image_width, label_height, label_width;
  Sizes score_map;
};

class StanfordShape : public ::testing::TestWithParam<StanfordCase> {};

TEST_P(StanfordShape, ScoresEachImageOnce) {
  const StanfordCase c = GetParam();
  auto net = adversary("stanford");
  torch::NoGradGuard no_grad;
  const auto image = torch::randn({2, 3, c.image_height, c.image_width});
  const auto labels = torch::rand({2, kLabelChannels, c.label_height, c.label_width});
  EXPECT_EQ(net->score_map(image, labels).sizes(), c.score_map);
  EXPECT_EQ(net->forward(image, labels).sizes(), (Sizes{2}));
}

// Label maps at floor(1/4) of the image; the trunk pools twice in ceil mode.
INSTANTIATE_TEST_SUITE_P(Sizes, StanfordShape,
                         ::testing::Values(StanfordCase{64, 64, 16, 16, {2, 1, 4, 4}},
                                           StanfordCase{61, 83, 15, 20, {2, 1, 4, 5}},
                                           StanfordCase{83, 61, 20, 15, {2, 1, 5, 4}},
                                           StanfordCase{4, 5, 1, 1, {2, 1, 1, 1}},
                                           // Image features (15x20) resampled onto a ceil-sized map.
                                           StanfordCase{61, 83, 16, 21, {2, 1, 4, 6}}));

TEST(Stanford, ScoreDependsOnTheImage) {
  auto net = adversary("stanford");
  torch::NoGradGuard no_grad;
  const auto labels = torch::rand({1, kLabelChannels, 15, 20});
  const auto first = net->forward(torch::randn({1, 3, 61, 83}), labels);
  const auto second = net->forward(torch::randn({1, 3, 61, 83}), labels);
  EXPECT_GT((first - second).abs().item<double>(), 1e-6);
}

TEST(Stanford, ImageTooSmallToPoolTwiceIsReported) {
  auto net = adversary("stanford");
  try {
    net->forward(torch::randn({1, 3, 3, 8}), torch::rand({1, kLabelChannels, 1, 2}));
    FAIL() << "expected advseg::Error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("H,W >= 4"), std::string::npos) << error.what();
  }
}

struct CountCase {
  const char* name;
  std::int64_t parameters;
};

std::ostream& operator<<(std::ostream& out, const CountCase& c) { return out << c.name; }

class AdversaryParameters : public ::testing::TestWithParam<CountCase> {};

// Each term is kernel*kernel*in*out + out (weights and biases), with 5 label channels.
TEST_P(AdversaryParameters, MatchHandArithmetic) {
  EXPECT_EQ(parameter_count(*adversary(GetParam().name)), GetParam().parameters);
}

INSTANTIATE_TEST_SUITE_P(
    Networks, AdversaryParameters,
    ::testing::Values(
        // label 25*5*64+64 = 8064; image 25*3*16+16 = 1216, 25*16*64+64 = 25664;
        // trunk 9*128*128+128 = 147584, 9*128*256+256 = 295168, 9*256*512+512 = 1180160, 9*512+1 = 4609
        CountCase{"stanford", 8064 + 1216 + 25664 + 147584 + 295168 + 1180160 + 4609},
        // 9*5*96+96, 9*96*128+128, 9*128*128+128, 9*128*256+256, 9*256*256+256, 9*256*512+512, 9*512+1
        CountCase{"largefov", 4416 + 110720 + 147584 + 295168 + 590080 + 1180160 + 4609},
        // 9*5*96+96, 1*96*128+128, 9*128*256+256, 1*256*256+256, 9*256*512+512, 1*512+1
        CountCase{"smallfov", 4416 + 12416 + 295168 + 65792 + 1180160 + 513},
        // 9*5*96+96, 9*96*128+128, 9*128*128+128, 9*128*128+128, 9*128*128+128, 9*128*256+256, 9*256+1
        CountCase{"largefov-light", 4416 + 110720 + 147584 + 147584 + 147584 + 295168 + 2305},
        // 9*5*96+96, 1*96*128+128, 9*128*128+128, 1*128*128+128, 9*128*256+256, 1*256+1
        CountCase{"smallfov-light", 4416 + 12416 + 147584 + 16512 + 295168 + 257},
        // 16*5*64+64, 16*64*128+128, 16*128*256+256, 16*256*512+512, 16*512+1
        CountCase{"fcd", 5184 + 131200 + 524544 + 2097664 + 8193}),
    TestName{});

struct FovCase {
  const char* name;
  std::int64_t field_of_view;
};

std::ostream& operator<<(std::ostream& out, const FovCase& c) { return out << c.name; }

class FieldOfView : public ::testing::TestWithParam<FovCase> {};

// Rows and columns of the input that reach the centre score: the extent of
// its nonzero input gradient. Positive weights keep every ReLU open and let
// no gradient cancel. Max pooling passes gradient to one element per window
// only, so the input is a bowl around the centre: every window's maximum is
// then its element farthest from the centre, and the gradient reaches the
// whole theoretical field.
std::pair<std::int64_t, std::int64_t> measured_field_of_view(AdversaryImpl& net) {
  {
    torch::NoGradGuard no_grad;
    for (auto& parameter : net.named_parameters())
      parameter.value().fill_(parameter.key().find("bias") != std::string::npos ? 0.1 : 0.01);
  }
  const std::int64_t side = 64;
  const auto offsets = torch::arange(side, torch::kFloat) - (side - 1) / 2.0;
  const auto bowl = offsets.pow(2).unsqueeze(1) + offsets.pow(2).unsqueeze(0);
  const auto labels = bowl.expand({1, kLabelChannels, side, side}).clone().requires_grad_(true);

  const auto scores = net.score_map(torch::Tensor(), labels);  // label-only: no image needed
  scores[0][0][scores.size(2) / 2][scores.size(3) / 2].backward();

  const auto reached = labels.grad()[0].abs().sum(0) > 0;  // [side, side]
  const auto extent = [](const torch::Tensor& hit) {
    const auto indices = hit.nonzero();
    return indices.max().item<std::int64_t>() - indices.min().item<std::int64_t>() + 1;
  };
  return {extent(reached.sum(1) > 0), extent(reached.sum(0) > 0)};
}

TEST_P(FieldOfView, MeasuredFromInputGradient) {
  auto net = adversary(GetParam().name);
  const auto [rows, cols] = measured_field_of_view(*net);
  EXPECT_EQ(rows, GetParam().field_of_view);
  EXPECT_EQ(cols, GetParam().field_of_view);
}

// Light variants narrow the channels only, so they keep the fields of view.
const auto kLabelOnlyNetworks =
    ::testing::Values(FovCase{"largefov", 34}, FovCase{"smallfov", 18}, FovCase{"largefov-light", 34},
                      FovCase{"smallfov-light", 18});

INSTANTIATE_TEST_SUITE_P(Networks, FieldOfView, kLabelOnlyNetworks, TestName{});

class LabelOnlyShape : public ::testing::TestWithParam<FovCase> {};

TEST_P(LabelOnlyShape, ScoresEachImageOnceAndIgnoresTheImage) {
  auto net = adversary(GetParam().name);
  torch::NoGradGuard no_grad;
  const auto labels = torch::rand({3, kLabelChannels, 15, 20});
  const auto scores = net->forward(torch::randn({3, 3, 61, 83}), labels);
  EXPECT_EQ(scores.sizes(), (Sizes{3}));
  EXPECT_TRUE(torch::equal(scores, net->forward(torch::zeros({3, 3, 61, 83}), labels)));
  EXPECT_EQ(net->score_map(torch::Tensor(), torch::rand({1, kLabelChannels, 1, 1})).sizes(),
            (Sizes{1, 1, 1, 1}));
}

INSTANTIATE_TEST_SUITE_P(Networks, LabelOnlyShape, kLabelOnlyNetworks, TestName{});

TEST(Fcd, JudgesAtTheImagesResolutionAndHalvesItFiveTimes) {
  auto net = adversary("fcd");
  EXPECT_TRUE(net->sees_full_resolution());
  EXPECT_FALSE(adversary("stanford")->sees_full_resolution());
  torch::NoGradGuard no_grad;
  EXPECT_EQ(net->score_map(torch::Tensor(), torch::rand({2, kLabelChannels, 120, 160})).sizes(),
            (Sizes{2, 1, 3, 5}));
  EXPECT_EQ(net->score_map(torch::Tensor(), torch::rand({1, kLabelChannels, 33, 63})).sizes(),
            (Sizes{1, 1, 1, 1}));
}

TEST(Fcd, ScoresEveryCellFromItsOwnNeighbourhood) {
  // Changing the label map's top-left corner changes the top-left score only.
  auto net = adversary("fcd");
  torch::NoGradGuard no_grad;
  const auto labels = torch::rand({1, kLabelChannels, 128, 128});
  auto changed = labels.clone();
  changed.narrow(2, 0, 8).narrow(3, 0, 8).fill_(0);
  const auto difference = (net->score_map({}, labels) - net->score_map({}, changed)).abs()[0][0];
  EXPECT_GT(difference[0][0].item<double>(), 0.0);
  EXPECT_EQ(difference[3][3].item<double>(), 0.0);
}

TEST(Fcd, MapsTooSmallForFiveHalvingsAreReportedWithTheFix) {
  auto net = adversary("fcd");
  try {
    net->score_map(torch::Tensor(), torch::rand({1, kLabelChannels, 31, 64}));
    FAIL() << "expected advseg::Error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("data.crop_height"), std::string::npos) << error.what();
  }
}

// A weaker adversary: width 0.25 keeps the score map's shape with about a
// sixteenth of the parameters (fcd: 16-32-64-128 channels instead of 64-512).
TEST(AdversaryWidth, ScalesEveryHiddenLayerOfEveryAdversary) {
  AdversaryOptions narrow;
  narrow.label_channels = kLabelChannels;
  narrow.width = 0.25;
  const auto image = torch::rand({2, 3, 64, 64});
  const auto labels = torch::rand({2, kLabelChannels, 64, 64});
  for (const auto& name : adversary_names()) {
    const auto full = adversary(name);
    const auto net = make_adversary(name, narrow);
    EXPECT_EQ(net->score_map(image, labels).sizes(), full->score_map(image, labels).sizes()) << name;
    EXPECT_LT(parameter_count(*net) * 10, parameter_count(*full)) << name;
    EXPECT_GT(parameter_count(*net) * 25, parameter_count(*full)) << name;
  }
  const auto fcd = make_adversary("fcd", narrow);
  std::vector<std::int64_t> widths;
  for (const auto& parameter : fcd->named_parameters())
    if (parameter.value().dim() == 4) widths.push_back(parameter.value().size(0));
  EXPECT_EQ(widths, (std::vector<std::int64_t>{16, 32, 64, 128, 1}));
}

TEST(SpectralNorm, EveryConvolutionOfEveryAdversaryCanBeNormalised) {
  AdversaryOptions options;
  options.label_channels = kLabelChannels;
  options.spectral_norm = true;
  for (const auto& name : adversary_names()) {
    auto net = make_adversary(name, options);
    int normalised = 0;
    for (const auto& parameter : net->named_parameters()) {
      EXPECT_EQ(parameter.key().find(".weight") != std::string::npos &&
                    parameter.key().find("weight_orig") == std::string::npos,
                false)
          << name << ": " << parameter.key() << " is a plain convolution weight";
      normalised += parameter.key().find("weight_orig") != std::string::npos;
    }
    EXPECT_GE(normalised, 4) << name;
    // Same parameter count as without: u and v are buffers.
    EXPECT_EQ(parameter_count(*net), parameter_count(*adversary(name))) << name;
  }
}

}  // namespace
}  // namespace advseg
