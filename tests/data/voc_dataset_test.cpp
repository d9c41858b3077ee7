#include "advseg/data/voc_dataset.h"

#include <gtest/gtest.h>

#include "advseg/io/palette.h"
#include "layout_support.h"

namespace advseg {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::error_message;

// A VOC2012 folder of three 6x4 images; the train split lists two of them.
class VocDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string id : {"2007_000032", "2007_000039", "2007_000063"}) {
      test::write_image(root() / "JPEGImages" / (id + ".jpg"), test::position_image(4, 6));
      write_label(id, cv::Mat(4, 6, CV_8UC1, cv::Scalar(0)));
    }
    test::write_text(root() / "ImageSets" / "Segmentation" / "train.txt", "2007_000039\n2007_000032\n");
    test::write_text(root() / "ImageSets" / "Segmentation" / "val.txt", "2007_000063\n");
  }

  // As VOC stores them: palette PNGs with the 256-colour VOC palette.
  void write_label(const std::string& id, const cv::Mat& label) const {
    test::write_label(label_path(id), label, default_palette(256));
  }
  fs::path label_path(const std::string& id) const { return root() / "SegmentationClass" / (id + ".png"); }
  const fs::path& root() const { return dir_.path(); }

  VocDataset open(const std::string& split, int ignore_index = 255) const {
    return VocDataset(DatasetFolderOptions{root(), split, ignore_index});
  }

  test::TempDir dir_;
};

TEST_F(VocDatasetTest, ListsTheSplitInFileOrder) {
  const VocDataset train = open("train");
  ASSERT_EQ(train.size(), 2u);
  const Example first = train.get(0);
  EXPECT_EQ(first.id, "2007_000039");
  EXPECT_EQ(first.image.size(), cv::Size(6, 4));
  EXPECT_EQ(first.label.size(), cv::Size(6, 4));
  EXPECT_EQ(train.get(1).id, "2007_000032");
  EXPECT_EQ(open("val").size(), 1u);
}

TEST_F(VocDatasetTest, ReadsPaletteMasksAsIndicesWith255AsVoid) {
  const std::vector<int> stored = {0, 1, 7, 15, 20, 255};
  write_label("2007_000039", test::label_with_values(4, 6, stored));
  const cv::Mat label = open("train", 250).get(0).label;
  for (int i = 0; i < 24; ++i) {
    const int value = stored[static_cast<std::size_t>(i) % stored.size()];
    EXPECT_EQ(label.at<std::uint8_t>(i / 6, i % 6), value == 255 ? 250 : value) << i;
  }
}

TEST_F(VocDatasetTest, LabelValueAboveTheClassesNamesFilePositionAndValue) {
  cv::Mat label(4, 6, CV_8UC1, cv::Scalar(0));
  label.at<std::uint8_t>(1, 2) = 21;
  write_label("2007_000032", label);
  const std::string message = error_message([&] { open("train").get(1); });
  EXPECT_TRUE(contains(message, label_path("2007_000032").string())) << message;
  EXPECT_TRUE(contains(message, "label value 21 at (x=2, y=1)")) << message;
  EXPECT_TRUE(contains(message, "255 (void)")) << message;
}

TEST_F(VocDatasetTest, MissingImageIsNamed) {
  fs::remove(root() / "JPEGImages" / "2007_000032.jpg");
  const std::string message = error_message([&] { open("train"); });
  EXPECT_TRUE(contains(message, (root() / "JPEGImages" / "2007_000032.jpg").string() + ": image of"))
      << message;
}

TEST_F(VocDatasetTest, MissingLabelIsNamed) {
  fs::remove(label_path("2007_000063"));
  const std::string message = error_message([&] { open("val"); });
  EXPECT_TRUE(contains(message, label_path("2007_000063").string() + ": label of")) << message;
}

TEST_F(VocDatasetTest, MissingSplitListIsNamed) {
  const std::string message = error_message([&] { open("trainval"); });
  EXPECT_TRUE(contains(message, (root() / "ImageSets" / "Segmentation" / "trainval.txt").string()))
      << message;
}

TEST_F(VocDatasetTest, LabelOfAnotherSizeIsAnError) {
  write_label("2007_000063", cv::Mat(6, 4, CV_8UC1, cv::Scalar(0)));
  const std::string message = error_message([&] { open("val").get(0); });
  EXPECT_TRUE(contains(message, "label is 4x6 (width x height) but its image")) << message;
}

TEST(VocDataset, HasTheTwentyOneStandardClassesAndPalette) {
  const DatasetInfo info = VocDataset::describe(255);
  EXPECT_EQ(info.num_classes, 21);
  ASSERT_EQ(info.class_names.size(), 21u);
  EXPECT_EQ(info.class_names[0], "background");
  EXPECT_EQ(info.class_names[1], "aeroplane");
  EXPECT_EQ(info.class_names[11], "diningtable");
  EXPECT_EQ(info.class_names[15], "person");
  EXPECT_EQ(info.class_names[20], "tvmonitor");
  ASSERT_EQ(info.palette.size(), 21u);
  EXPECT_EQ(info.palette[0], (Rgb{{0, 0, 0}}));
  EXPECT_EQ(info.palette[1], (Rgb{{128, 0, 0}}));
  EXPECT_EQ(info.palette[12], (Rgb{{64, 0, 128}}));
  EXPECT_EQ(info.palette[15], (Rgb{{192, 128, 128}}));
  EXPECT_EQ(info.palette[20], (Rgb{{0, 64, 128}}));
  EXPECT_EQ(default_palette(256)[255], (Rgb{{224, 224, 192}}));  // VOC's void colour
}

TEST(VocDataset, DescribeNeedsNoFilesAndChecksTheClassCount) {
  DataConfig config = test::config_without_files("voc", 21);
  EXPECT_EQ(describe_dataset(config).palette, VocDataset::describe(255).palette);
  config.num_classes = 20;
  EXPECT_TRUE(contains(error_message([&] { describe_dataset(config); }), "voc dataset has 21 classes"));
}

TEST_F(VocDatasetTest, MakeDatasetReadsTheConfiguredSplits) {
  const DataConfig config = test::config_at("voc", 21, root());
  EXPECT_EQ(make_dataset(config, "train")->size(), 2u);
  EXPECT_EQ(make_dataset(config, "val")->get(0).id, "2007_000063");
}

}  // namespace
}  // namespace advseg
