// docs/config.md is generated from the config's field list: every key has a
// type, a default that parses back to the default, and a meaning, and the
// committed file is what `advseg config --reference` prints today.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "advseg/config/config.h"
#include "advseg/config/config_reference.h"
#include "support/paths.h"

namespace advseg {
namespace {

TEST(ConfigReference, DescribesEveryKeyWithATypeADefaultThatParsesBackAndAMeaning) {
  const auto reference = config_reference();
  const auto keys = config_keys();
  ASSERT_EQ(reference.size(), keys.size());
  const std::string defaults = to_yaml(Config{});
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto& info = reference[i];
    EXPECT_EQ(info.key, keys[i]);
    EXPECT_FALSE(info.type.empty()) << info.key;
    EXPECT_GT(info.meaning.size(), 10u) << info.key;
    // Setting a key to its documented default changes nothing.
    Config config;
    apply_overrides(config, {info.key + "=" + info.default_value});
    EXPECT_EQ(to_yaml(config), defaults) << info.key << " = " << info.default_value;
  }
}

TEST(ConfigReference, TheCommittedDocsConfigMdIsCurrent) {
  const std::string path = testing::source_dir() + "/docs/config.md";
  std::ifstream file(path);
  ASSERT_TRUE(file) << path << " is missing: run `advseg config --reference > docs/config.md`";
  std::ostringstream text;
  text << file.rdbuf();
  EXPECT_EQ(text.str(), config_reference_markdown())
      << path << " is out of date: run `advseg config --reference > docs/config.md`";
}

}  // namespace
}  // namespace advseg
