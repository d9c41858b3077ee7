// Linked against the static library (tests/models/CMakeLists.txt): this file
// references nothing but the registry, so a network that registered itself
// from a static initialiser in its own file would be missing here.
#include <gtest/gtest.h>

#include "advseg/models/registry.h"

namespace advseg {
namespace {

TEST(StaticRegistry, AStaticallyLinkedProgramSeesEveryNetwork) {
  EXPECT_EQ(
      segmentor_names(),
      (std::vector<std::string>{"deeplabv2", "deeplabv3", "dilated8", "dilated8-context", "fcn16s", "fcn32s",
                                "fcn8s", "fcn_resnet", "lraspp", "multiscale", "pspnet", "unet"}));
  EXPECT_EQ(adversary_names(), (std::vector<std::string>{"fcd", "largefov", "largefov-light", "smallfov",
                                                         "smallfov-light", "stanford"}));
  for (const auto& name : segmentor_names()) EXPECT_NE(make_segmentor(name, {}), nullptr) << name;
  for (const auto& name : adversary_names()) EXPECT_NE(make_adversary(name, {}), nullptr) << name;
}

}  // namespace
}  // namespace advseg
