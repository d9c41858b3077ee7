#include "advseg/data/stanford_background.h"

#include <gtest/gtest.h>

#include <set>

#include "advseg/error.h"
#include "support/paths.h"
#include "test_support.h"

namespace advseg {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using test::write_text;

const fs::path kRealRoot = fs::path(testing::shared_data_dir()) / "stanford_background";

StanfordBackgroundDataset open_real(const std::string& split) {
  return StanfordBackgroundDataset(StanfordBackgroundOptions{kRealRoot, split});
}

#define SKIP_WITHOUT_REAL_DATA()                                   \
  if (!fs::exists(kRealRoot))                                      \
  GTEST_SKIP() << "Stanford Background not found at " << kRealRoot \
               << " (set the CMake cache variable ADVSEG_SHARED_DATA_DIR when configuring)"

TEST(StanfordBackgroundReal, SplitsHoldTheExpectedNumberOfImages) {
  SKIP_WITHOUT_REAL_DATA();
  EXPECT_EQ(open_real("train").size(), 458u);
  EXPECT_EQ(open_real("val").size(), 114u);
}

TEST(StanfordBackgroundReal, ExampleImageAndLabelAgree) {
  SKIP_WITHOUT_REAL_DATA();
  const StanfordBackgroundDataset dataset = open_real("val");
  const Example example = dataset.get(0);
  EXPECT_EQ(example.image.type(), CV_8UC3);
  EXPECT_EQ(example.image.size(), example.label.size());
  EXPECT_GE(example.image.cols, 200);
  EXPECT_GE(example.image.rows, 200);
  std::set<int> values;
  for (auto it = example.label.begin<std::uint8_t>(); it != example.label.end<std::uint8_t>(); ++it)
    values.insert(*it);
  for (int value : values) EXPECT_TRUE(value <= 7 || value == 255) << value;
  EXPECT_GT(values.size(), 1u);
}

// A tiny dataset in the iccv09Data layout: 6x4 images, ids a, b and c.
class StanfordBackgroundFake : public ::testing::Test {
 protected:
  static constexpr int kWidth = 6, kHeight = 4;

  void SetUp() override {
    for (const std::string id : {"b", "a", "c"}) {
      test::write_image(image_path(id), test::position_image(kHeight, kWidth));
      write_text(label_path(id), regions(kWidth, kHeight, "1"));
    }
    write_text(root() / "splits" / "train.txt", "c\na\n");
  }

  fs::path root() const { return dir_.path(); }
  fs::path image_path(const std::string& id) const { return root() / "images" / (id + ".jpg"); }
  fs::path label_path(const std::string& id) const { return root() / "labels" / (id + ".regions.txt"); }
  StanfordBackgroundDataset open(const std::string& split) const {
    return StanfordBackgroundDataset(StanfordBackgroundOptions{root(), split});
  }

  // A regions file of `height` rows of `width` copies of `value`.
  static std::string regions(int width, int height, const std::string& value) {
    std::string text;
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) text += value + (x + 1 < width ? " " : "\n");
    }
    return text;
  }

  TempDir dir_;
};

TEST_F(StanfordBackgroundFake, SplitFileListsIdsInItsOrder) {
  const StanfordBackgroundDataset dataset = open("train");
  ASSERT_EQ(dataset.size(), 2u);
  EXPECT_EQ(dataset.get(0).id, "c");
  EXPECT_EQ(dataset.get(1).id, "a");
}

TEST_F(StanfordBackgroundFake, EmptySplitTakesEveryImageSorted) {
  const StanfordBackgroundDataset dataset = open("");
  ASSERT_EQ(dataset.size(), 3u);
  EXPECT_EQ(dataset.get(0).id, "a");
  EXPECT_EQ(dataset.get(1).id, "b");
  EXPECT_EQ(dataset.get(2).id, "c");
}

TEST_F(StanfordBackgroundFake, ReadsClassIdsAndMapsUnknownToIgnore) {
  write_text(label_path("a"), "0 1 2 3 4 5\n6 7 -1 0 0 0\n" + regions(kWidth, 2, "-1"));
  const Example example = open("").get(0);
  ASSERT_EQ(example.label.size(), cv::Size(kWidth, kHeight));
  EXPECT_EQ(example.image.size(), cv::Size(kWidth, kHeight));
  EXPECT_EQ(example.label.at<std::uint8_t>(0, 5), 5);
  EXPECT_EQ(example.label.at<std::uint8_t>(1, 1), 7);
  EXPECT_EQ(example.label.at<std::uint8_t>(1, 2), 255);
  EXPECT_EQ(example.label.at<std::uint8_t>(3, 0), 255);
}

TEST_F(StanfordBackgroundFake, MissingImageIsNamed) {
  fs::remove(image_path("c"));
  EXPECT_NE(test::error_message([&] { open("train"); }).find("c.jpg"), std::string::npos);
}

TEST_F(StanfordBackgroundFake, MissingLabelFileIsNamed) {
  fs::remove(label_path("a"));
  EXPECT_NE(test::error_message([&] { open("train"); }).find("a.regions.txt"), std::string::npos);
}

TEST_F(StanfordBackgroundFake, MissingSplitFileIsNamed) {
  EXPECT_NE(test::error_message([&] { open("val"); }).find("val.txt"), std::string::npos);
}

TEST_F(StanfordBackgroundFake, MissingRootIsNamed) {
  const fs::path missing = root() / "nowhere";
  const std::string message = test::error_message([&] {
    StanfordBackgroundDataset(StanfordBackgroundOptions{missing, ""});
  });
  EXPECT_NE(message.find(missing.string()), std::string::npos) << message;
}

TEST_F(StanfordBackgroundFake, TruncatedRegionsFileIsNamed) {
  write_text(label_path("a"), "1 1 1 1 1 1\n1 1 1");
  const StanfordBackgroundDataset dataset = open("train");
  EXPECT_NE(test::error_message([&] { dataset.get(1); }).find("a.regions.txt"), std::string::npos);
}

TEST_F(StanfordBackgroundFake, SizeMismatchNamesBothFilesAndSizes) {
  write_text(label_path("c"), regions(kWidth - 1, kHeight, "2"));
  const std::string message = test::error_message([&] { open("train").get(0); });
  EXPECT_NE(message.find("c.regions.txt"), std::string::npos) << message;
  EXPECT_NE(message.find("c.jpg"), std::string::npos) << message;
  EXPECT_NE(message.find("5x4"), std::string::npos) << message;
  EXPECT_NE(message.find("6x4"), std::string::npos) << message;
}

TEST_F(StanfordBackgroundFake, UnknownClassIdIsNamed) {
  write_text(label_path("c"), regions(kWidth, kHeight, "8"));
  EXPECT_NE(test::error_message([&] { open("train").get(0); }).find("c.regions.txt"), std::string::npos);
}

}  // namespace
}  // namespace advseg
