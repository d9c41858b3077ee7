#include <gtest/gtest.h>

#include "advseg/config/config.h"
#include "advseg/data/dataset.h"
#include "advseg/error.h"
#include "advseg/io/palette.h"
#include "test_support.h"

namespace advseg {
namespace {

using test::error_message;

TEST(MakeDataset, ShapesSplitsTakeTheirSizesFromTheConfig) {
  DataConfig config;
  config.shapes_train_size = 6;
  config.shapes_val_size = 3;
  config.shapes_image_size = 16;
  EXPECT_EQ(make_dataset(config, "train")->size(), 6u);
  const auto val = make_dataset(config, "val");
  EXPECT_EQ(val->size(), 3u);
  EXPECT_EQ(val->get(0).image.size(), cv::Size(16, 16));
  EXPECT_EQ(val->info().class_names.at(4), "ring");
}

TEST(MakeDataset, ConfigNamesAndPaletteReplaceTheDatasets) {
  DataConfig config;
  config.shapes_train_size = 2;
  config.class_names = {"bg", "a", "b", "c", "d"};
  config.palette = {"#000000", "#ff0000", "#00ff00", "#0000ff", "#102030"};
  const auto dataset = make_dataset(config, "train");
  EXPECT_EQ(dataset->info().class_names, config.class_names);
  EXPECT_EQ(dataset->info().palette.at(4), (Rgb{{0x10, 0x20, 0x30}}));
  EXPECT_EQ(dataset->size(), 2u);
  EXPECT_EQ(describe_dataset(config).class_names, config.class_names);
}

TEST(MakeDataset, ImageScaleResizesImagesAndLabelsAlike) {
  DataConfig config;
  config.shapes_val_size = 1;
  config.shapes_image_size = 32;
  const Example full = make_dataset(config, "val")->get(0);
  config.image_scale = 0.5;
  const Example half = make_dataset(config, "val")->get(0);
  EXPECT_EQ(half.image.size(), cv::Size(16, 16));
  EXPECT_EQ(half.label.size(), cv::Size(16, 16));
  // Nearest-neighbour labels: every class id already occurs in the full map.
  for (int row = 0; row < 16; ++row) {
    for (int col = 0; col < 16; ++col) {
      const int id = half.label.at<std::uint8_t>(row, col);
      EXPECT_GT(cv::countNonZero(full.label == id), 0)
          << "class " << id << " invented at " << row << "," << col;
    }
  }
}

// data.shift changes the images the same way at every read, never the labels.
TEST(MakeDataset, AShiftChangesImagesAloneAndTheSameWayEachTime) {
  DataConfig config;
  config.shapes_val_size = 2;
  const Example clear = make_dataset(config, "val")->get(1);
  config.shift = "fog";
  const auto foggy = make_dataset(config, "val");
  const Example first = foggy->get(1);
  EXPECT_EQ(cv::norm(first.label, clear.label, cv::NORM_INF), 0);
  EXPECT_GT(cv::norm(first.image, clear.image, cv::NORM_INF), 0);
  EXPECT_EQ(cv::norm(foggy->get(1).image, first.image, cv::NORM_INF), 0);
  EXPECT_EQ(cv::norm(foggy->image_only(1).image, first.image, cv::NORM_INF), 0);
  config.shift = "snow";
  EXPECT_NE(error_message([&] { make_dataset(config, "val"); }).find("data.shift: unknown shift 'snow'"),
            std::string::npos);
}

TEST(MakeDataset, WrongNumberOfNamesIsNamed) {
  DataConfig config;
  config.class_names = {"one", "two"};
  EXPECT_NE(error_message([&] { make_dataset(config, "train"); }).find("data.class_names"),
            std::string::npos);
}

TEST(MakeDataset, StanfordBackgroundNeedsEightClasses) {
  DataConfig config;
  config.dataset = "stanford_background";
  config.root = "/nonexistent";
  config.num_classes = 5;
  EXPECT_NE(error_message([&] { make_dataset(config, "train"); }).find("data.num_classes"),
            std::string::npos);
  config.num_classes = 8;
  const DatasetInfo info = describe_dataset(config);  // reads no file
  EXPECT_EQ(info.class_names.at(0), "sky");
  EXPECT_EQ(info.palette.size(), 8u);
}

// A target dataset's errors name its own keys (domain adaptation).
TEST(MakeDataset, TargetDatasetErrorsNameTheTargetsKeys) {
  DataConfig target = no_target_data();
  target.dataset = "stanford_background";
  target.root = "/nonexistent";
  target.num_classes = 5;
  EXPECT_NE(error_message([&] { make_dataset(target, "train"); }).find("data.target.num_classes is 5"),
            std::string::npos);
  target.root.clear();
  target.num_classes = 8;
  EXPECT_NE(error_message([&] { make_dataset(target, "train"); }).find("data.target.root"),
            std::string::npos);
}

TEST(MakeDataset, StanfordBackgroundUsesTheConfiguredSplitFile) {
  test::TempDir dir;
  DataConfig config;
  config.dataset = "stanford_background";
  config.root = dir.path().string();
  config.num_classes = 8;
  config.val_split = "holdout";
  std::filesystem::create_directories(dir.path() / "images");
  EXPECT_NE(error_message([&] { make_dataset(config, "val"); }).find("holdout.txt"), std::string::npos);
}

TEST(MakeDataset, FolderDatasetDescribesConfiguredClasses) {
  DataConfig config;
  config.dataset = "folder";
  config.num_classes = 3;
  const DatasetInfo info = describe_dataset(config);
  EXPECT_EQ(info.num_classes, 3);
  EXPECT_EQ(info.class_names.at(2), "class_2");
  EXPECT_EQ(info.palette, default_palette(3));
}

TEST(MakeDataset, UnknownDatasetAndSplitAreErrors) {
  DataConfig config;
  config.dataset = "imagenet";
  EXPECT_NE(error_message([&] { make_dataset(config, "train"); }).find("data.dataset"), std::string::npos);
  config.dataset = "shapes";
  EXPECT_THROW(make_dataset(config, "test"), Error);
}

TEST(MakeDataset, IgnoreIndexMustNotBeAClass) {
  DataConfig config;
  config.ignore_index = 3;
  EXPECT_NE(error_message([&] { describe_dataset(config); }).find("data.ignore_index"), std::string::npos);
}

}  // namespace
}  // namespace advseg
