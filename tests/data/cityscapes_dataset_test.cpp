#include "advseg/data/cityscapes_dataset.h"

#include <gtest/gtest.h>

#include "layout_support.h"

namespace advseg {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::error_message;

// The train ids of the label ids 0-33 (cityscapesScripts labels.py); -1 = none.
const std::vector<int> kTrainIdOfLabelId = {-1, -1, -1, -1, -1, -1, -1, 0,  1,  -1, -1, 2,
                                            3,  4,  -1, -1, -1, 5,  -1, 6,  7,  8,  9,  10,
                                            11, 12, 13, 14, 15, -1, -1, 16, 17, 18};

// Two cities of train and one of val, 6x4 images, with label ids as gtFine stores them (grayscale).
class CityscapesDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_sample("train", "bochum", "bochum_000000_000313");
    write_sample("train", "aachen", "aachen_000001_000019");
    write_sample("train", "aachen", "aachen_000000_000019");
    write_sample("val", "frankfurt", "frankfurt_000000_000294");
  }

  void write_sample(const std::string& split, const std::string& city, const std::string& name) const {
    test::write_image(image_path(split, city, name), test::position_image(4, 6));
    test::write_label(label_path(split, city, name), cv::Mat(4, 6, CV_8UC1, cv::Scalar(7)));
  }
  fs::path image_path(const std::string& split, const std::string& city, const std::string& name) const {
    return root() / "leftImg8bit" / split / city / (name + "_leftImg8bit.png");
  }
  fs::path label_path(const std::string& split, const std::string& city, const std::string& name) const {
    return root() / "gtFine" / split / city / (name + "_gtFine_labelIds.png");
  }
  const fs::path& root() const { return dir_.path(); }
  CityscapesDataset open(const std::string& split, int ignore_index = 255) const {
    return CityscapesDataset(DatasetFolderOptions{root(), split, ignore_index});
  }

  test::TempDir dir_;
};

TEST_F(CityscapesDatasetTest, WalksTheCitiesAndTheirImagesInNameOrder) {
  // Files that are neither cities nor images are skipped.
  test::write_text(root() / "leftImg8bit" / "train" / "README", "not a city");
  test::write_text(root() / "leftImg8bit" / "train" / "aachen" / "notes.txt", "not an image");
  const CityscapesDataset train = open("train");
  ASSERT_EQ(train.size(), 3u);
  EXPECT_EQ(train.get(0).id, "aachen_000000_000019");
  EXPECT_EQ(train.get(1).id, "aachen_000001_000019");
  EXPECT_EQ(train.get(2).id, "bochum_000000_000313");
  EXPECT_TRUE(test::same_bytes(train.get(2).image, test::position_image(4, 6)));
  const CityscapesDataset val = open("val");
  ASSERT_EQ(val.size(), 1u);
  EXPECT_EQ(val.get(0).id, "frankfurt_000000_000294");
  EXPECT_EQ(val.get(0).label.size(), cv::Size(6, 4));
}

TEST_F(CityscapesDatasetTest, MapsTheLabelIdsToTheNineteenTrainIds) {
  std::vector<int> label_ids(34);
  for (int id = 0; id < 34; ++id) label_ids[static_cast<std::size_t>(id)] = id;
  label_ids.push_back(255);  // the license plate's -1 as stored in 8 bits
  test::write_label(label_path("val", "frankfurt", "frankfurt_000000_000294"),
                    test::label_with_values(5, 7, label_ids));
  test::write_image(image_path("val", "frankfurt", "frankfurt_000000_000294"), test::position_image(5, 7));
  const cv::Mat label = open("val", 200).get(0).label;
  for (int id = 0; id < 34; ++id) {
    const int train_id = kTrainIdOfLabelId[static_cast<std::size_t>(id)];
    EXPECT_EQ(label.at<std::uint8_t>(id / 7, id % 7), train_id < 0 ? 200 : train_id) << "label id " << id;
  }
  EXPECT_EQ(label.at<std::uint8_t>(4, 6), 200);  // license plate -> ignore
}

TEST_F(CityscapesDatasetTest, UnmappedIdsBecomeTheIgnoreIndex) {
  // unlabeled, ego vehicle, ground, parking, guard rail, caravan, trailer
  test::write_label(label_path("val", "frankfurt", "frankfurt_000000_000294"),
                    test::label_with_values(4, 6, {0, 1, 6, 9, 14, 29, 30, 255}));
  const cv::Mat label = open("val").get(0).label;
  EXPECT_EQ(cv::countNonZero(label != 255), 0);
}

TEST_F(CityscapesDatasetTest, ValueThatIsNoLabelIdNamesFilePositionAndValue) {
  cv::Mat label(4, 6, CV_8UC1, cv::Scalar(7));
  label.at<std::uint8_t>(3, 5) = 34;
  const fs::path path = label_path("train", "bochum", "bochum_000000_000313");
  test::write_label(path, label);
  const std::string message = error_message([&] { open("train").get(2); });
  EXPECT_TRUE(contains(message, path.string())) << message;
  EXPECT_TRUE(contains(message, "label value 34 at (x=5, y=3)")) << message;
}

TEST_F(CityscapesDatasetTest, ImageWithoutLabelIsNamed) {
  const fs::path path = label_path("train", "aachen", "aachen_000001_000019");
  fs::remove(path);
  const std::string message = error_message([&] { open("train"); });
  EXPECT_TRUE(contains(message, path.string() + ": label of")) << message;
}

TEST_F(CityscapesDatasetTest, CityWithoutLabelFolderIsNamed) {
  fs::remove_all(root() / "gtFine" / "train" / "bochum");
  const std::string message = error_message([&] { open("train"); });
  EXPECT_TRUE(contains(message, (root() / "gtFine" / "train" / "bochum").string())) << message;
}

TEST_F(CityscapesDatasetTest, MissingSplitFolderIsNamed) {
  const std::string message = error_message([&] { open("test"); });
  EXPECT_TRUE(contains(message, (root() / "gtFine" / "test").string())) << message;
  EXPECT_TRUE(contains(error_message([&] { open("training"); }), "no split 'training'"));
}

TEST(CityscapesDataset, HasTheNineteenStandardClassesAndColours) {
  const DatasetInfo info = CityscapesDataset::describe(255);
  EXPECT_EQ(info.num_classes, 19);
  ASSERT_EQ(info.class_names.size(), 19u);
  ASSERT_EQ(info.palette.size(), 19u);
  EXPECT_EQ(info.class_names[0], "road");
  EXPECT_EQ(info.palette[0], (Rgb{{128, 64, 128}}));
  EXPECT_EQ(info.class_names[6], "traffic light");
  EXPECT_EQ(info.palette[6], (Rgb{{250, 170, 30}}));
  EXPECT_EQ(info.class_names[10], "sky");
  EXPECT_EQ(info.palette[10], (Rgb{{70, 130, 180}}));
  EXPECT_EQ(info.class_names[13], "car");
  EXPECT_EQ(info.palette[13], (Rgb{{0, 0, 142}}));
  EXPECT_EQ(info.class_names[18], "bicycle");
  EXPECT_EQ(info.palette[18], (Rgb{{119, 11, 32}}));
}

TEST(CityscapesDataset, DescribeNeedsNoFilesAndChecksTheClassCount) {
  DataConfig config = test::config_without_files("cityscapes", 19);
  EXPECT_EQ(describe_dataset(config).class_names, CityscapesDataset::describe(255).class_names);
  config.num_classes = 34;
  EXPECT_TRUE(
      contains(error_message([&] { describe_dataset(config); }), "cityscapes dataset has 19 classes"));
}

TEST_F(CityscapesDatasetTest, MakeDatasetReadsTheConfiguredSplits) {
  const DataConfig config = test::config_at("cityscapes", 19, root());
  EXPECT_EQ(make_dataset(config, "train")->size(), 3u);
  EXPECT_EQ(make_dataset(config, "val")->get(0).label.at<std::uint8_t>(0, 0), 0);  // road
}

}  // namespace
}  // namespace advseg
