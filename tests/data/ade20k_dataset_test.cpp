#include "advseg/data/ade20k_dataset.h"

#include <gtest/gtest.h>

#include <set>

#include "advseg/io/palette.h"
#include "layout_support.h"

namespace advseg {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::error_message;

// ADEChallengeData2016 with two training images and one validation image (6x4).
class Ade20kDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_sample("training", "ADE_train_00000002");
    write_sample("training", "ADE_train_00000001");
    write_sample("validation", "ADE_val_00000001");
  }

  void write_sample(const std::string& folder, const std::string& id) const {
    test::write_image(root() / "images" / folder / (id + ".jpg"), test::position_image(4, 6));
    test::write_label(label_path(folder, id), cv::Mat(4, 6, CV_8UC1, cv::Scalar(1)));
  }
  fs::path label_path(const std::string& folder, const std::string& id) const {
    return root() / "annotations" / folder / (id + ".png");
  }
  const fs::path& root() const { return dir_.path(); }
  Ade20kDataset open(const std::string& split, int ignore_index = 255) const {
    return Ade20kDataset(DatasetFolderOptions{root(), split, ignore_index});
  }

  test::TempDir dir_;
};

TEST_F(Ade20kDatasetTest, TrainAndValReadTheTrainingAndValidationFolders) {
  const Ade20kDataset train = open("train");
  ASSERT_EQ(train.size(), 2u);
  EXPECT_EQ(train.get(0).id, "ADE_train_00000001");
  EXPECT_EQ(train.get(1).id, "ADE_train_00000002");
  EXPECT_EQ(train.get(1).image.size(), cv::Size(6, 4));
  EXPECT_EQ(open("training").size(), 2u);
  ASSERT_EQ(open("val").size(), 1u);
  EXPECT_EQ(open("validation").get(0).id, "ADE_val_00000001");
}

TEST_F(Ade20kDatasetTest, ShiftsAnnotationsByOneWithZeroAsVoid) {
  const std::vector<int> stored = {0, 1, 2, 13, 150};
  test::write_label(label_path("validation", "ADE_val_00000001"), test::label_with_values(4, 6, stored));
  const cv::Mat label = open("val", 200).get(0).label;
  for (int i = 0; i < 24; ++i) {
    const int value = stored[static_cast<std::size_t>(i) % stored.size()];
    EXPECT_EQ(label.at<std::uint8_t>(i / 6, i % 6), value == 0 ? 200 : value - 1) << i;
  }
}

TEST_F(Ade20kDatasetTest, PaletteAnnotationsReadAsIndices) {
  // Written with the palette that predictions use (class c+1 stored as c+1).
  std::vector<Rgb> palette = {{{0, 0, 0}}};
  for (const Rgb& colour : Ade20kDataset::describe(255).palette) palette.push_back(colour);
  test::write_label(label_path("validation", "ADE_val_00000001"),
                    test::label_with_values(4, 6, {0, 1, 100, 150}), palette);
  const cv::Mat label = open("val").get(0).label;
  EXPECT_EQ(label.at<std::uint8_t>(0, 0), 255);
  EXPECT_EQ(label.at<std::uint8_t>(0, 1), 0);
  EXPECT_EQ(label.at<std::uint8_t>(0, 2), 99);
  EXPECT_EQ(label.at<std::uint8_t>(0, 3), 149);
}

TEST_F(Ade20kDatasetTest, ValueAbove150NamesFilePositionAndValue) {
  cv::Mat label(4, 6, CV_8UC1, cv::Scalar(3));
  label.at<std::uint8_t>(2, 4) = 151;
  const fs::path path = label_path("training", "ADE_train_00000002");
  test::write_label(path, label);
  const std::string message = error_message([&] { open("train").get(1); });
  EXPECT_TRUE(contains(message, path.string())) << message;
  EXPECT_TRUE(contains(message, "label value 151 at (x=4, y=2)")) << message;
}

TEST_F(Ade20kDatasetTest, MissingAnnotationIsNamed) {
  const fs::path path = label_path("training", "ADE_train_00000001");
  fs::remove(path);
  const std::string message = error_message([&] { open("train"); });
  EXPECT_TRUE(contains(message, path.string() + ": label of")) << message;
}

TEST_F(Ade20kDatasetTest, MissingImageFolderIsNamed) {
  fs::remove_all(root() / "images" / "validation");
  const std::string message = error_message([&] { open("val"); });
  EXPECT_TRUE(contains(message, (root() / "images" / "validation").string())) << message;
}

TEST_F(Ade20kDatasetTest, UnknownSplitIsAnError) {
  const std::string message = error_message([&] { open("test"); });
  EXPECT_TRUE(contains(message, "ade20k dataset has no split 'test'")) << message;
}

TEST(Ade20kDataset, HasExactly150DistinctStandardClassNames) {
  const DatasetInfo info = Ade20kDataset::describe(255);
  EXPECT_EQ(info.num_classes, 150);
  ASSERT_EQ(info.class_names.size(), 150u);
  EXPECT_EQ(std::set<std::string>(info.class_names.begin(), info.class_names.end()).size(), 150u);
  EXPECT_EQ(info.class_names[0], "wall");
  EXPECT_EQ(info.class_names[2], "sky");
  EXPECT_EQ(info.class_names[12], "person");
  EXPECT_EQ(info.class_names[44], "chest of drawers");
  EXPECT_EQ(info.class_names[89], "television receiver");
  EXPECT_EQ(info.class_names[136], "traffic light");
  EXPECT_EQ(info.class_names[149], "flag");
  EXPECT_EQ(info.palette, default_palette(150));
}

TEST(Ade20kDataset, DescribeNeedsNoFilesAndChecksTheClassCount) {
  DataConfig config = test::config_without_files("ade20k", 150);
  EXPECT_EQ(describe_dataset(config).palette.size(), 150u);
  config.num_classes = 151;
  EXPECT_TRUE(contains(error_message([&] { describe_dataset(config); }), "ade20k dataset has 150 classes"));
}

}  // namespace
}  // namespace advseg
