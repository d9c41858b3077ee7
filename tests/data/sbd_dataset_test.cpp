#include "advseg/data/sbd_dataset.h"

#include <gtest/gtest.h>

#include "advseg/io/palette.h"
#include "layout_support.h"

namespace advseg {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::error_message;

// The DeepLab "train_aug" folder: JPEGImages/ and SegmentationClassAug/
// (grayscale PNGs) for three 6x4 images, with no list yet.
class SbdDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"2008_000002", "2008_000003", "2008_000007"}) {
      test::write_image(root() / "JPEGImages" / (std::string(id) + ".jpg"), test::position_image(4, 6));
      test::write_label(label_path(id), cv::Mat(4, 6, CV_8UC1, cv::Scalar(0)));
    }
  }

  fs::path label_path(const std::string& id) const { return root() / "SegmentationClassAug" / (id + ".png"); }
  const fs::path& root() const { return dir_.path(); }
  SbdDataset open(const std::string& split) const { return SbdDataset(DatasetFolderOptions{root(), split}); }

  test::TempDir dir_;
};

TEST_F(SbdDatasetTest, ReadsIdListsFromImageSets) {
  test::write_text(root() / "ImageSets" / "Segmentation" / "train_aug.txt", "2008_000007\n2008_000002\n");
  const SbdDataset dataset = open("train_aug");
  ASSERT_EQ(dataset.size(), 2u);
  EXPECT_EQ(dataset.get(0).id, "2008_000007");
  EXPECT_EQ(dataset.get(1).id, "2008_000002");
  EXPECT_EQ(dataset.get(1).image.size(), cv::Size(6, 4));
}

TEST_F(SbdDatasetTest, FallsBackToAPairListAtTheRoot) {
  test::write_text(root() / "train_aug.txt",
                   "/JPEGImages/2008_000003.jpg /SegmentationClassAug/2008_000003.png\n"
                   "2008_000002\n");
  EXPECT_EQ(SbdDataset::list_path(root(), "train_aug"), root() / "train_aug.txt");
  const SbdDataset dataset = open("train_aug");
  ASSERT_EQ(dataset.size(), 2u);
  EXPECT_EQ(dataset.get(0).id, "2008_000003");
  EXPECT_EQ(dataset.get(0).label.size(), cv::Size(6, 4));
  EXPECT_EQ(dataset.get(1).id, "2008_000002");
}

TEST_F(SbdDatasetTest, ReadsGrayAndPaletteLabelsAsIndicesWith255AsVoid) {
  test::write_text(root() / "val.txt", "2008_000002\n2008_000003\n");
  const std::vector<int> stored = {0, 5, 20, 255};
  test::write_label(label_path("2008_000002"), test::label_with_values(4, 6, stored));
  test::write_label(label_path("2008_000003"), test::label_with_values(4, 6, stored), default_palette(256));
  const SbdDataset dataset(DatasetFolderOptions{root(), "val", 240});
  for (std::size_t index = 0; index < 2; ++index) {
    const cv::Mat label = dataset.get(index).label;
    EXPECT_EQ(label.at<std::uint8_t>(0, 1), 5) << index;
    EXPECT_EQ(label.at<std::uint8_t>(0, 2), 20) << index;
    EXPECT_EQ(label.at<std::uint8_t>(0, 3), 240) << index;
  }
}

TEST_F(SbdDatasetTest, LabelValueAboveTheClassesIsNamed) {
  test::write_text(root() / "val.txt", "2008_000002\n");
  test::write_label(label_path("2008_000002"), test::label_with_values(4, 6, {0, 0, 0, 0, 0, 0, 0, 30}));
  const std::string message = error_message([&] { open("val").get(0); });
  EXPECT_TRUE(contains(message, label_path("2008_000002").string())) << message;
  EXPECT_TRUE(contains(message, "label value 30 at (x=1, y=1)")) << message;
}

TEST_F(SbdDatasetTest, MissingListNamesBothPlaces) {
  const std::string message = error_message([&] { open("train_aug"); });
  EXPECT_TRUE(contains(message, (root() / "train_aug.txt").string())) << message;
  EXPECT_TRUE(contains(message, (root() / "ImageSets" / "Segmentation" / "train_aug.txt").string()))
      << message;
}

TEST_F(SbdDatasetTest, MissingLabelOfAPairIsNamed) {
  test::write_text(root() / "train_aug.txt",
                   "/JPEGImages/2008_000003.jpg /SegmentationClassAug/missing.png\n");
  const std::string message = error_message([&] { open("train_aug"); });
  EXPECT_TRUE(contains(message, (root() / "SegmentationClassAug" / "missing.png").string())) << message;
}

TEST_F(SbdDatasetTest, MissingImageOfAnIdIsNamed) {
  test::write_text(root() / "train_aug.txt", "2008_000009\n");
  const std::string message = error_message([&] { open("train_aug"); });
  EXPECT_TRUE(contains(message, (root() / "JPEGImages" / "2008_000009.jpg").string())) << message;
}

TEST_F(SbdDatasetTest, LineWithThreeFieldsIsAnError) {
  test::write_text(root() / "train_aug.txt", "2008_000002\na b c\n");
  const std::string message = error_message([&] { open("train_aug"); });
  EXPECT_TRUE(contains(message, "line 2 holds 3 fields: 'a b c'")) << message;
}

TEST(SbdDataset, SharesTheVocClassesAndDescribesWithoutFiles) {
  DataConfig config = test::config_without_files("sbd", 21);
  const DatasetInfo info = describe_dataset(config);
  EXPECT_EQ(info.class_names, VocDataset::describe(255).class_names);
  EXPECT_EQ(info.palette, default_palette(21));
  config.num_classes = 19;
  EXPECT_TRUE(contains(error_message([&] { describe_dataset(config); }), "sbd dataset has 21 classes"));
}

}  // namespace
}  // namespace advseg
