#include "advseg/models/registry.h"

#include <gtest/gtest.h>

#include "advseg/error.h"
#include "advseg/models/adversaries/fcd.h"
#include "advseg/models/adversaries/fov.h"
#include "advseg/models/adversaries/stanford.h"
#include "advseg/models/segmentors/multiscale.h"
#include "support/error_message.h"

namespace advseg {
namespace {

using testing::error_message;

TEST(Registry, ListsEverySegmentorSorted) {
  EXPECT_EQ(
      segmentor_names(),
      (std::vector<std::string>{"deeplabv2", "deeplabv3", "dilated8", "dilated8-context", "fcn16s", "fcn32s",
                                "fcn8s", "fcn_resnet", "lraspp", "multiscale", "pspnet", "unet"}));
}

TEST(Registry, ListsEveryAdversarySorted) {
  EXPECT_EQ(adversary_names(), (std::vector<std::string>{"fcd", "largefov", "largefov-light", "smallfov",
                                                         "smallfov-light", "stanford"}));
}

TEST(Registry, UnknownSegmentorNamesTheAvailableOnes) {
  EXPECT_EQ(
      error_message([] { make_segmentor("segnet", SegmentorOptions{}); }),
      "unknown segmentor 'segnet' (available: deeplabv2, deeplabv3, dilated8, dilated8-context, fcn16s, "
      "fcn32s, fcn8s, fcn_resnet, lraspp, multiscale, pspnet, unet)");
}

TEST(Registry, UnknownAdversaryNamesTheAvailableOnes) {
  EXPECT_EQ(
      error_message([] { make_adversary("hugefov", AdversaryOptions{}); }),
      "unknown adversary 'hugefov' (available: fcd, largefov, largefov-light, smallfov, smallfov-light, "
      "stanford)");
}

TEST(Registry, NamesBuildTheirNetworks) {
  EXPECT_NE(std::dynamic_pointer_cast<MultiscaleSegmentorImpl>(make_segmentor("multiscale", {})), nullptr);
  EXPECT_NE(std::dynamic_pointer_cast<StanfordAdversaryImpl>(make_adversary("stanford", {})), nullptr);
  EXPECT_NE(std::dynamic_pointer_cast<FcdAdversaryImpl>(make_adversary("fcd", {})), nullptr);
  for (const char* name : {"largefov", "largefov-light", "smallfov", "smallfov-light"})
    EXPECT_NE(std::dynamic_pointer_cast<FovAdversaryImpl>(make_adversary(name, {})), nullptr) << name;
}

TEST(Registry, InvalidOptionsAreReported) {
  SegmentorOptions no_widths;
  no_widths.widths.clear();
  EXPECT_NE(error_message([&] { make_segmentor("multiscale", no_widths); }).find("widths"),
            std::string::npos);
  SegmentorOptions zero_scale;
  zero_scale.scales = {1.0, 0.0};
  EXPECT_NE(error_message([&] { make_segmentor("multiscale", zero_scale); }).find("scales"),
            std::string::npos);
  AdversaryOptions no_channels;
  no_channels.label_channels = 0;
  for (const auto& name : adversary_names())
    EXPECT_NE(error_message([&] { make_adversary(name, no_channels); }).find("label_channels"),
              std::string::npos)
        << name;
}

}  // namespace
}  // namespace advseg
