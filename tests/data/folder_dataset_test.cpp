#include "advseg/data/folder_dataset.h"

#include <gtest/gtest.h>

#include <fstream>

#include "advseg/io/palette.h"
#include "advseg/io/png_mask.h"
#include "support/exif.h"
#include "test_support.h"

namespace advseg {
namespace {

namespace fs = std::filesystem;
using test::error_message;
using test::same_bytes;

// Images of several formats with palette PNG masks of 3 classes.
class FolderDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_sample("cat", ".png", 0);
    write_sample("dog", ".jpg", 1);
    write_sample("ant", ".bmp", 2);
    test::write_text(dir_.path() / "splits" / "val.txt", "dog\ncat\n");
  }

  // A 5x3 image with a mask whose rows are classes 0, 1 and 2 (shifted by `shift`).
  void write_sample(const std::string& stem, const std::string& extension, int shift) {
    test::write_image(dir_.path() / "images" / (stem + extension), test::position_image(3, 5, shift));
    cv::Mat mask(3, 5, CV_8UC1);
    for (int y = 0; y < 3; ++y) mask.row(y).setTo((y + shift) % 3);
    write_mask(stem, mask);
  }

  void write_mask(const std::string& stem, const cv::Mat& mask) {
    fs::create_directories(dir_.path() / "masks");
    write_index_png(mask_path(stem), mask, default_palette(3));
  }

  fs::path mask_path(const std::string& stem) const { return dir_.path() / "masks" / (stem + ".png"); }

  FolderDataset open(const std::string& split, int num_classes = 3) const {
    return FolderDataset(FolderDatasetOptions{dir_.path(), split, num_classes, 255});
  }

  test::TempDir dir_;
};

TEST_F(FolderDatasetTest, ReadsPaletteMasksAsIndices) {
  const FolderDataset dataset = open("val");
  ASSERT_EQ(dataset.size(), 2u);
  const Example cat = dataset.get(1);
  EXPECT_EQ(cat.id, "cat");
  EXPECT_TRUE(same_bytes(cat.image, test::position_image(3, 5, 0)));  // PNG is lossless
  for (int y = 0; y < 3; ++y) EXPECT_EQ(cat.label.at<std::uint8_t>(y, 4), y) << y;
  const Example dog = dataset.get(0);
  EXPECT_EQ(dog.id, "dog");
  EXPECT_EQ(dog.label.at<std::uint8_t>(0, 0), 1);
  EXPECT_EQ(dog.label.at<std::uint8_t>(2, 0), 0);
}

TEST_F(FolderDatasetTest, EmptySplitTakesEveryImageSortedByStem) {
  const FolderDataset dataset = open("");
  ASSERT_EQ(dataset.size(), 3u);
  EXPECT_EQ(dataset.get(0).id, "ant");
  EXPECT_EQ(dataset.get(1).id, "cat");
  EXPECT_EQ(dataset.get(2).id, "dog");
}

TEST_F(FolderDatasetTest, DefaultNamesAndPalette) {
  const FolderDataset dataset = open("", 3);
  const DatasetInfo& info = dataset.info();
  EXPECT_EQ(info.num_classes, 3);
  EXPECT_EQ(info.class_names, (std::vector<std::string>{"class_0", "class_1", "class_2"}));
  EXPECT_EQ(info.palette, default_palette(3));
}

TEST_F(FolderDatasetTest, IgnoreIndexIsAccepted) {
  write_mask("cat", cv::Mat(3, 5, CV_8UC1, cv::Scalar(255)));
  EXPECT_EQ(open("val").get(1).label.at<std::uint8_t>(1, 1), 255);
}

TEST_F(FolderDatasetTest, OutOfRangeMaskValueNamesFileAndValue) {
  cv::Mat mask(3, 5, CV_8UC1, cv::Scalar(0));
  mask.at<std::uint8_t>(2, 3) = 7;
  write_mask("cat", mask);
  const std::string message = error_message([&] { open("val").get(1); });
  EXPECT_NE(message.find(mask_path("cat").string()), std::string::npos) << message;
  EXPECT_NE(message.find("value 7"), std::string::npos) << message;
}

TEST_F(FolderDatasetTest, MissingMaskIsNamed) {
  fs::remove(mask_path("dog"));
  const std::string message = error_message([&] { open("val"); });
  EXPECT_NE(message.find(mask_path("dog").string()), std::string::npos) << message;
}

// A split named by the path of a list file of one's own (a held-out part of
// a split, say) instead of a name under <root>/splits.
TEST_F(FolderDatasetTest, ASplitEndingInTxtIsAListFileOfOnesOwn) {
  const fs::path own = dir_.path() / "elsewhere" / "held_out.txt";
  test::write_text(own, "ant\n");
  const FolderDataset dataset = open(own.string());
  ASSERT_EQ(dataset.size(), 1u);
  EXPECT_EQ(dataset.get(0).id, "ant");
  const std::string missing = (dir_.path() / "elsewhere" / "nope.txt").string();
  const std::string message = error_message([&] { open(missing); });
  EXPECT_NE(message.find(missing), std::string::npos) << message;
}

TEST_F(FolderDatasetTest, MissingImageOfSplitIsNamed) {
  test::write_text(dir_.path() / "splits" / "val.txt", "dog\nemu\n");
  EXPECT_NE(error_message([&] { open("val"); }).find("emu"), std::string::npos);
}

TEST_F(FolderDatasetTest, SizeMismatchIsAnError) {
  write_mask("dog", cv::Mat(4, 5, CV_8UC1, cv::Scalar(0)));
  const std::string message = error_message([&] { open("val").get(0); });
  EXPECT_NE(message.find(mask_path("dog").string()), std::string::npos) << message;
}

// Images are read as stored; a label drawn on the EXIF-rotated view has the
// transposed size, and the message says why.
TEST_F(FolderDatasetTest, Item16ExifRotatedImageSizeMismatchSaysExif) {
  const auto path = dir_.path() / "images" / "dog.jpg";
  std::ifstream in(path, std::ios::binary);
  std::string jpeg((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      << jpeg.substr(0, 2) + testing::exif_segment(6, "II") + jpeg.substr(2);
  write_mask("dog", cv::Mat(5, 3, CV_8UC1, cv::Scalar(0)));
  const std::string message = error_message([&] { open("val").get(0); });
  EXPECT_NE(message.find("EXIF orientation 6, which advseg ignores"), std::string::npos) << message;
}

TEST_F(FolderDatasetTest, Item10NonRegularImageIsNamed) {
  std::filesystem::create_directory(dir_.path() / "images" / "bird.png");
  const std::string message = error_message([&] { open(""); });
  EXPECT_NE(message.find("bird.png: image: is a directory"), std::string::npos) << message;
}

TEST_F(FolderDatasetTest, TwoImagesWithOneStemAreAnError) {
  test::write_image(dir_.path() / "images" / "cat.jpg", test::position_image(3, 5));
  EXPECT_NE(error_message([&] { open(""); }).find("cat"), std::string::npos);
}

}  // namespace
}  // namespace advseg
