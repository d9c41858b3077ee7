#include "advseg/data/camvid_dataset.h"

#include <gtest/gtest.h>

#include "layout_support.h"

namespace advseg {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::error_message;

// The SegNet CamVid folder: two train images, one val image (6x4) and their
// same-named labels in trainannot/ and valannot/.
class CamvidDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_sample("train", "0016E5_07959");
    write_sample("train", "0001TP_006690");
    write_sample("val", "0016E5_07961");
  }

  void write_sample(const std::string& split, const std::string& name) const {
    test::write_image(root() / split / (name + ".png"), test::position_image(4, 6));
    test::write_label(label_path(split, name), cv::Mat(4, 6, CV_8UC1, cv::Scalar(3)));
  }
  fs::path label_path(const std::string& split, const std::string& name) const {
    return root() / (split + "annot") / (name + ".png");
  }
  const fs::path& root() const { return dir_.path(); }
  CamvidDataset open(const std::string& split, int ignore_index = 255) const {
    return CamvidDataset(DatasetFolderOptions{root(), split, ignore_index});
  }

  test::TempDir dir_;
};

TEST_F(CamvidDatasetTest, ReadsSplitFoldersWithSameNamedLabels) {
  const CamvidDataset train = open("train");
  ASSERT_EQ(train.size(), 2u);
  EXPECT_EQ(train.get(0).id, "0001TP_006690");
  EXPECT_EQ(train.get(1).id, "0016E5_07959");
  EXPECT_TRUE(test::same_bytes(train.get(0).image, test::position_image(4, 6)));
  EXPECT_EQ(train.get(0).label.at<std::uint8_t>(3, 5), 3);
  ASSERT_EQ(open("val").size(), 1u);
  EXPECT_EQ(open("val").get(0).id, "0016E5_07961");
}

TEST_F(CamvidDatasetTest, ReadsPaletteLabelsAsIndicesWith11AsVoid) {
  std::vector<Rgb> palette = CamvidDataset::describe(255).palette;
  palette.push_back({{0, 0, 0}});  // void
  const std::vector<int> stored = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  test::write_label(label_path("val", "0016E5_07961"), test::label_with_values(4, 6, stored), palette);
  const cv::Mat label = open("val", 100).get(0).label;
  for (int i = 0; i < 24; ++i) {
    const int value = stored[static_cast<std::size_t>(i) % stored.size()];
    EXPECT_EQ(label.at<std::uint8_t>(i / 6, i % 6), value == 11 ? 100 : value) << i;
  }
}

TEST_F(CamvidDatasetTest, ValueAbove11IsAnErrorNamingTheFile) {
  cv::Mat label(4, 6, CV_8UC1, cv::Scalar(0));
  label.at<std::uint8_t>(0, 3) = 12;
  const fs::path path = label_path("train", "0016E5_07959");
  test::write_label(path, label);
  const std::string message = error_message([&] { open("train").get(1); });
  EXPECT_TRUE(contains(message, path.string())) << message;
  EXPECT_TRUE(contains(message, "label value 12 at (x=3, y=0)")) << message;
  EXPECT_TRUE(contains(message, "11 (void)")) << message;
}

TEST_F(CamvidDatasetTest, MissingLabelIsNamed) {
  const fs::path path = label_path("train", "0001TP_006690");
  fs::remove(path);
  const std::string message = error_message([&] { open("train"); });
  EXPECT_TRUE(contains(message, path.string() + ": label of")) << message;
}

TEST_F(CamvidDatasetTest, MissingLabelFolderIsNamed) {
  const std::string message = error_message([&] { open("test"); });
  EXPECT_TRUE(contains(message, (root() / "test").string())) << message;
}

TEST(CamvidDataset, HasTheElevenSegNetClassesAndColours) {
  const DatasetInfo info = CamvidDataset::describe(255);
  EXPECT_EQ(info.num_classes, 11);
  EXPECT_EQ(info.class_names,
            (std::vector<std::string>{"sky", "building", "pole", "road", "pavement", "tree", "signsymbol",
                                      "fence", "car", "pedestrian", "bicyclist"}));
  ASSERT_EQ(info.palette.size(), 11u);
  EXPECT_EQ(info.palette[0], (Rgb{{128, 128, 128}}));
  EXPECT_EQ(info.palette[3], (Rgb{{128, 64, 128}}));
  EXPECT_EQ(info.palette[4], (Rgb{{60, 40, 222}}));
  EXPECT_EQ(info.palette[10], (Rgb{{0, 128, 192}}));
}

TEST(CamvidDataset, DescribeNeedsNoFilesAndChecksTheClassCount) {
  DataConfig config = test::config_without_files("camvid", 11);
  EXPECT_EQ(describe_dataset(config).palette, CamvidDataset::describe(255).palette);
  config.num_classes = 12;
  EXPECT_TRUE(contains(error_message([&] { describe_dataset(config); }), "camvid dataset has 11 classes"));
}

}  // namespace
}  // namespace advseg
