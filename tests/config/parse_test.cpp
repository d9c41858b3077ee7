#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "advseg/config/config.h"
#include "advseg/error.h"

namespace advseg {
namespace {

// The message of the advseg::Error that `action` throws ("" when none).
template <class Action>
std::string error_of(Action&& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ParseConfig, EmptyTextGivesDefaults) {
  for (const std::string text : {"", "# only a comment\n", "data:\n"}) {
    const Config config = parse_config(text, "empty.yaml");
    EXPECT_EQ(config.data.dataset, "shapes");
    EXPECT_EQ(config.data.num_classes, 5);
    EXPECT_EQ(config.model.segmentor_widths, (std::vector<int>{16, 64, 256}));
    EXPECT_EQ(config.train.epochs, 10);
    EXPECT_DOUBLE_EQ(config.adversarial.lambda, 0.1);
    EXPECT_EQ(config.train.segmentor_optimizer.type, "adam");
  }
}

TEST(ParseConfig, ReadsNestedKeysOfEveryType) {
  const Config config = parse_config(
      "data:\n"
      "  dataset: folder\n"
      "  root: /data/x\n"
      "  num_classes: 3\n"
      "  class_names: [sky, tree, road]\n"
      "  hflip: false\n"
      "  mean: [0.5, 0.5, 0.5]\n"
      "  max_image_pixels: 5000000000\n"
      "model:\n"
      "  segmentor_widths: [8, 16]\n"
      "  segmentor_scales: [1, 0.5]\n"
      "adversarial:\n"
      "  lambda: 0.25\n"
      "train:\n"
      "  epochs: 3\n"
      "  adversary_optimizer:\n"
      "    type: sgd\n"
      "    lr: 1e-4\n",
      "run.yaml");
  EXPECT_EQ(config.data.dataset, "folder");
  EXPECT_EQ(config.data.root, "/data/x");
  EXPECT_EQ(config.data.num_classes, 3);
  EXPECT_EQ(config.data.class_names, (std::vector<std::string>{"sky", "tree", "road"}));
  EXPECT_FALSE(config.data.hflip);
  EXPECT_EQ(config.data.mean, (std::vector<double>{0.5, 0.5, 0.5}));
  EXPECT_EQ(config.data.max_image_pixels, 5000000000LL);
  EXPECT_EQ(config.model.segmentor_widths, (std::vector<int>{8, 16}));
  EXPECT_EQ(config.model.segmentor_scales, (std::vector<double>{1.0, 0.5}));
  EXPECT_DOUBLE_EQ(config.adversarial.lambda, 0.25);
  EXPECT_EQ(config.train.epochs, 3);
  EXPECT_EQ(config.train.adversary_optimizer.type, "sgd");
  EXPECT_DOUBLE_EQ(config.train.adversary_optimizer.lr, 1e-4);
  // Untouched fields keep their defaults, including the other optimizer.
  EXPECT_EQ(config.train.batch_size, 16);
  EXPECT_EQ(config.train.segmentor_optimizer.type, "adam");
}

TEST(ParseConfig, UnknownKeySuggestsTheClosestKey) {
  EXPECT_EQ(error_of([] { parse_config("train:\n  epoch: 3\n", "run.yaml"); }),
            "run.yaml: unknown key 'train.epoch' (did you mean 'train.epochs'?)");
  EXPECT_EQ(error_of([] { parse_config("adversarial:\n  lamda: 1\n", "run.yaml"); }),
            "run.yaml: unknown key 'adversarial.lamda' (did you mean 'adversarial.lambda'?)");
  EXPECT_EQ(error_of([] { parse_config("modle:\n  adversary: stanford\n", "a.yaml"); }),
            "a.yaml: unknown key 'modle.adversary' (did you mean 'model.adversary'?)");
  // A setting under the wrong section points to where it lives.
  EXPECT_EQ(error_of([] { parse_config("data:\n  lambda: 1\n", "a.yaml"); }),
            "a.yaml: unknown key 'data.lambda' (did you mean 'adversarial.lambda'?)");
}

TEST(ParseConfig, WrongTypesNameSourceKeyAndValue) {
  EXPECT_EQ(error_of([] { parse_config("train:\n  epochs: ten\n", "run.yaml"); }),
            "run.yaml: train.epochs: expected an integer, got 'ten'");
  EXPECT_EQ(error_of([] { parse_config("train:\n  epochs: 2.5\n", "run.yaml"); }),
            "run.yaml: train.epochs: expected an integer, got '2.5'");
  EXPECT_EQ(error_of([] { parse_config("adversarial:\n  lambda: much\n", "r.yaml"); }),
            "r.yaml: adversarial.lambda: expected a finite number, got 'much'");
  EXPECT_EQ(error_of([] { parse_config("data:\n  hflip: maybe\n", "r.yaml"); }),
            "r.yaml: data.hflip: expected true or false, got 'maybe'");
  EXPECT_EQ(error_of([] { parse_config("model:\n  segmentor_widths: [8, x]\n", "r.yaml"); }),
            "r.yaml: model.segmentor_widths[1]: expected an integer, got 'x'");
  EXPECT_EQ(error_of([] { parse_config("model:\n  segmentor_widths: 8\n", "r.yaml"); }),
            "r.yaml: model.segmentor_widths: expected a list, each an integer, got '8'");
  EXPECT_EQ(error_of([] { parse_config("train:\n  epochs: {a: 1}\n", "r.yaml"); }),
            "r.yaml: train.epochs: expected an integer, got a map");
  EXPECT_EQ(error_of([] { parse_config("train: 5\n", "r.yaml"); }),
            "r.yaml: train: expected a section of settings, got '5'");
  EXPECT_EQ(error_of([] { parse_config("data:\n  root: [a, b]\n", "r.yaml"); }),
            "r.yaml: data.root: expected a string, got a list");
  EXPECT_EQ(
      error_of([] { parse_config("- data\n", "r.yaml"); }).rfind("r.yaml: expected a map of sections", 0),
      0u);
  EXPECT_EQ(error_of([] { parse_config("data: [1\n", "r.yaml"); }).rfind("r.yaml: invalid YAML", 0), 0u);
}

TEST(ParseConfig, IntegersTooLargeForTheirKeyAreOutOfRangeNotNonIntegers) {
  EXPECT_EQ(error_of([] { parse_config("train:\n  epochs: 2147483648\n", "run.yaml"); }),
            "run.yaml: train.epochs: 2147483648 is out of range (an integer from -2147483648 to 2147483647)");
  EXPECT_EQ(
      error_of([] { parse_config("train:\n  epochs: -2147483649\n", "run.yaml"); }),
      "run.yaml: train.epochs: -2147483649 is out of range (an integer from -2147483648 to 2147483647)");
  EXPECT_EQ(error_of([] { parse_config("model:\n  segmentor_widths: [8, +99999999999]\n", "r.yaml"); }),
            "r.yaml: model.segmentor_widths[1]: +99999999999 is out of range (an integer from -2147483648 to "
            "2147483647)");
  // A long long key (data.max_image_pixels) has the wider range.
  EXPECT_EQ(parse_config("data:\n  max_image_pixels: 2147483648\n", "r.yaml").data.max_image_pixels,
            2147483648LL);
  EXPECT_EQ(error_of([] { parse_config("data:\n  max_image_pixels: 9223372036854775808\n", "r.yaml"); }),
            "r.yaml: data.max_image_pixels: 9223372036854775808 is out of range (an integer from "
            "-9223372036854775808 to 9223372036854775807)");
  // Values that are not decimal integers at all keep the type message.
  EXPECT_EQ(error_of([] { parse_config("train:\n  epochs: 99999999999.5\n", "r.yaml"); }),
            "r.yaml: train.epochs: expected an integer, got '99999999999.5'");
  EXPECT_EQ(error_of([] { parse_config("train:\n  epochs: '-'\n", "r.yaml"); }),
            "r.yaml: train.epochs: expected an integer, got '-'");
}

// Issue 27, item 10: "010" is ten, as a person reads it, not octal 8.
TEST(ApplyOverrides, IntegersAreDecimalWithLeadingZeros) {
  Config config;
  apply_overrides(config, {"train.epochs=010", "data.crop_height=0100"});
  EXPECT_EQ(config.train.epochs, 10);
  EXPECT_EQ(config.data.crop_height, 100);
  EXPECT_EQ(parse_config("train:\n  epochs: 08\n", "r.yaml").train.epochs, 8);
  EXPECT_EQ(error_of([] { parse_config("train:\n  epochs: 0x10\n", "r.yaml"); }),
            "r.yaml: train.epochs: expected an integer, got '0x10'");
}

TEST(ApplyOverrides, IntegerOutOfRangeIsNamedAsSuch) {
  Config config;
  EXPECT_EQ(error_of([&] { apply_overrides(config, {"train.epochs=2147483648"}); }),
            "--set train.epochs=2147483648: train.epochs: 2147483648 is out of range (an integer from "
            "-2147483648 to 2147483647)");
  EXPECT_EQ(
      error_of([&] { apply_overrides(config, {"data.max_image_pixels=99999999999999999999"}); }),
      "--set data.max_image_pixels=99999999999999999999: data.max_image_pixels: 99999999999999999999 is "
      "out of range (an integer from -9223372036854775808 to 9223372036854775807)");
  EXPECT_EQ(config.train.epochs, 10);
}

TEST(ParseConfig, RejectsImpossibleValuesNamingTheSource) {
  EXPECT_EQ(error_of([] { parse_config("train:\n  batch_size: 0\n", "run.yaml"); }),
            "run.yaml: train.batch_size: must be >= 1, got 0");
}

TEST(ParseConfig, RejectsAKeyGivenTwice) {
  const std::string message =
      error_of([] { parse_config("train:\n  epochs: 2\ntrain.epochs: 3\n", "r.yaml"); });
  EXPECT_EQ(message, "r.yaml: key 'train.epochs' is given twice");
}

TEST(LoadConfig, MissingFileNamesThePath) {
  EXPECT_EQ(error_of([] { load_config("/nonexistent/dir/run.yaml"); }),
            "/nonexistent/dir/run.yaml: config file: no such file");
}

TEST(LoadConfig, AFolderIsAnErrorNotTheDemoConfig) {
  EXPECT_EQ(error_of([] { load_config("/"); }), "/: config file: is a directory, not a file");
}

TEST(ApplyOverrides, SetsScalarsListsAndBools) {
  Config config;
  apply_overrides(config, {"train.epochs=3", "model.segmentor_widths=[8,16]", "data.hflip=false",
                           "adversarial.enabled=no", "train.segmentor_optimizer.lr=0.01",
                           "data.dataset=folder", "data.root=/tmp/x", "data.val_split="});
  EXPECT_EQ(config.train.epochs, 3);
  EXPECT_EQ(config.model.segmentor_widths, (std::vector<int>{8, 16}));
  EXPECT_FALSE(config.data.hflip);
  EXPECT_FALSE(config.adversarial.enabled);
  EXPECT_DOUBLE_EQ(config.train.segmentor_optimizer.lr, 0.01);
  EXPECT_EQ(config.data.root, "/tmp/x");
  EXPECT_EQ(config.data.val_split, "");  // an empty value is the empty string
}

TEST(ApplyOverrides, BadOverridesThrowAndLeaveTheConfigAlone) {
  Config config;
  EXPECT_EQ(error_of([&] { apply_overrides(config, {"train.epoch=3"}); }),
            "--set train.epoch=3: unknown key 'train.epoch' (did you mean 'train.epochs'?)");
  EXPECT_EQ(error_of([&] { apply_overrides(config, {"train.epochs"}); }),
            "--set train.epochs: expected key=value");
  EXPECT_EQ(error_of([&] { apply_overrides(config, {"train.epochs=ten"}); }),
            "--set train.epochs=ten: train.epochs: expected an integer, got 'ten'");
  EXPECT_EQ(error_of([&] {
              apply_overrides(config, {"train.epochs=4", "train.batch_size=0"});
            }),
            "after --set overrides: train.batch_size: must be >= 1, got 0");
  EXPECT_EQ(config.train.epochs, 10);
}

TEST(ToYaml, RoundTripsChangedFieldsExactly) {
  Config config;
  config.data.dataset = "stanford_background";
  config.data.root = "/data/stanford background";
  config.data.num_classes = 3;
  config.data.class_names = {"sky", "true", "~"};  // strings YAML would otherwise read as bool/null
  config.data.palette = {"#000000", "#ff0000", "#00FF00"};
  config.data.scale_min = 0.25;
  config.data.scale_max = 0.1 + 0.2;  // 0.30000000000000004: needs all 17 digits
  config.data.max_image_pixels = 123456789012LL;
  config.data.val_split = "";
  config.model.segmentor_widths = {3, 5};
  config.model.segmentor_scales = {1.0, 1.0 / 3.0};
  config.adversarial.lambda = 1e-7;
  config.adversarial.enabled = false;
  config.train.adversary_optimizer.beta2 = 0.98765432101234567;
  config.train.device = "cuda:1";

  const std::string yaml = to_yaml(config);
  const Config back = parse_config(yaml, "saved.yaml");
  EXPECT_EQ(back.data.dataset, config.data.dataset);
  EXPECT_EQ(back.data.root, config.data.root);
  EXPECT_EQ(back.data.num_classes, 3);
  EXPECT_EQ(back.data.class_names, config.data.class_names);
  EXPECT_EQ(back.data.palette, config.data.palette);
  EXPECT_EQ(back.data.scale_max, config.data.scale_max);  // bit-exact, not merely close
  EXPECT_EQ(back.data.max_image_pixels, config.data.max_image_pixels);
  EXPECT_EQ(back.data.val_split, "");
  EXPECT_EQ(back.model.segmentor_widths, config.model.segmentor_widths);
  EXPECT_EQ(back.model.segmentor_scales, config.model.segmentor_scales);
  EXPECT_EQ(back.adversarial.lambda, config.adversarial.lambda);
  EXPECT_FALSE(back.adversarial.enabled);
  EXPECT_EQ(back.train.adversary_optimizer.beta2, config.train.adversary_optimizer.beta2);
  EXPECT_EQ(back.train.device, "cuda:1");
  EXPECT_EQ(to_yaml(back), yaml);
}

TEST(ToYaml, WritesNestedSectionsWithEveryKey) {
  const std::string yaml = to_yaml(Config());
  EXPECT_NE(yaml.find("train:\n"), std::string::npos);
  EXPECT_NE(yaml.find("\n  segmentor_optimizer:\n    type: adam\n"), std::string::npos);
  EXPECT_NE(yaml.find("  lambda: 0.1\n"), std::string::npos);  // shortest exact text, not 0.10000000000000001
  for (const std::string& key : config_keys()) {
    const std::string leaf = key.substr(key.rfind('.') + 1);
    EXPECT_NE(yaml.find(" " + leaf + ":"), std::string::npos) << key;
  }
}

TEST(ParseConfig, DataTargetTakesEveryDataKeyForTheTargetDomain) {
  const Config plain = parse_config("", "test");
  EXPECT_FALSE(adapts_domain(plain));
  EXPECT_EQ(&evaluated_data(plain), &plain.data);
  const Config config = parse_config(
      "data:\n  shapes_domain: source\n  target:\n    dataset: shapes\n    shapes_domain: target\n"
      "    shapes_val_size: 9\nmodel:\n  adversary: fcd\nadaptation:\n  lambda_ent: 0.001\n",
      "test");
  EXPECT_TRUE(adapts_domain(config));
  EXPECT_EQ(config.data.shapes_domain, "source");
  EXPECT_EQ(config.target.shapes_domain, "target");
  EXPECT_EQ(config.target.shapes_val_size, 9);
  EXPECT_EQ(config.target.crop_height, config.data.crop_height);  // the data defaults
  EXPECT_EQ(&evaluated_data(config), &config.target);
  EXPECT_EQ(&labeled_data(config), &config.data);
  EXPECT_EQ(parse_config(to_yaml(config), "saved").target.shapes_val_size, 9);
  Config oracle = config;
  apply_overrides(oracle,
                  {"adversarial.enabled=false", "adaptation.lambda_ent=0", "adaptation.target_labels=true"});
  EXPECT_EQ(&labeled_data(oracle), &oracle.target);
  // A key of data misspelt under data.target is named with its section.
  EXPECT_EQ(error_of([] { parse_config("data:\n  target:\n    shapes_sede: 3\n", "t.yaml"); }),
            "t.yaml: unknown key 'data.target.shapes_sede' (did you mean 'data.target.shapes_seed'?)");
}

TEST(ConfigKeys, ListsEveryDottedKeyOnceInDeclarationOrder) {
  const std::vector<std::string> keys = config_keys();
  EXPECT_EQ(keys.front(), "data.dataset");
  EXPECT_EQ(keys.back(), "train.adversary_optimizer.poly_power");
  EXPECT_NE(std::find(keys.begin(), keys.end(), "adversarial.lambda"), keys.end());
  EXPECT_NE(std::find(keys.begin(), keys.end(), "train.segmentor_optimizer.lr"), keys.end());
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
  // 29 data + 29 data.target + 18 model + 13 adversarial + 12 semi + 5 adaptation + 15 train
  // + 2 x 8 optimizer
  EXPECT_EQ(keys.size(), 137u);
}

}  // namespace
}  // namespace advseg

namespace advseg {
namespace {

// Found by fuzzing: YAML aliases can make a document refer to itself, or
// double in size at each level; neither may hang or crash the parser.
TEST(ParseConfig, SelfReferencingAndExplodingAliasesAreRejected) {
  EXPECT_THROW(parse_config("data: &x {more: *x}\n", "self.yaml"), Error);
  std::string bomb = "a0: &a0 [1, 2]\n";
  for (int i = 1; i < 25; ++i)
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " {p: *a" + std::to_string(i - 1) +
            ", q: *a" + std::to_string(i - 1) + "}\n";
  EXPECT_THROW(parse_config(bomb, "bomb.yaml"), Error);
}

}  // namespace
}  // namespace advseg
