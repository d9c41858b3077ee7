// Which training images keep their labels, and where unlabelled images come
// from: an unlabelled image's label file is never read, so a missing or
// corrupt one cannot stop semi-supervised training.
#include "advseg/data/training_sets.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "advseg/config/config.h"
#include "advseg/error.h"
#include "advseg/io/png_mask.h"
#include "test_support.h"

namespace advseg {
namespace {

namespace fs = std::filesystem;
using test::error_message;

TEST(DrawLabeledShare, SplitsEveryImageOnceBySeed) {
  const auto share = draw_labeled_share(10, 0.25, 7);
  EXPECT_EQ(share.labeled.size(), 3u);  // round(2.5) = 3
  EXPECT_EQ(share.unlabeled.size(), 7u);
  std::set<std::size_t> all(share.labeled.begin(), share.labeled.end());
  all.insert(share.unlabeled.begin(), share.unlabeled.end());
  EXPECT_EQ(all.size(), 10u);
  EXPECT_TRUE(std::is_sorted(share.labeled.begin(), share.labeled.end()));
  EXPECT_EQ(draw_labeled_share(10, 0.25, 7).labeled, share.labeled);  // reproducible
  bool another_seed_differs = false;
  for (std::uint64_t seed = 8; seed < 12; ++seed)
    another_seed_differs |= draw_labeled_share(10, 0.25, seed).labeled != share.labeled;
  EXPECT_TRUE(another_seed_differs);
}

TEST(DrawLabeledShare, KeepsAtLeastOneLabelledImageAndAllAtFractionOne) {
  EXPECT_EQ(draw_labeled_share(10, 0.01, 1).labeled.size(), 1u);
  EXPECT_TRUE(draw_labeled_share(10, 1.0, 1).unlabeled.empty());
}

// A folder dataset of 8 images (4x6, 2 classes) in split "train", and 3
// more images listed by split "extra" that have no masks at all.
class SemiSupervisedSets : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string train, extra;
    for (int i = 0; i < 8; ++i) {
      const std::string id = "img" + std::to_string(i);
      test::write_image(root() / "images" / (id + ".png"), test::position_image(4, 6, i));
      fs::create_directories(root() / "masks");
      write_index_png(root() / "masks" / (id + ".png"), cv::Mat(4, 6, CV_8UC1, cv::Scalar(i % 2)), {});
      train += id + "\n";
    }
    for (int i = 0; i < 3; ++i) {
      test::write_image(root() / "images" / ("extra" + std::to_string(i) + ".jpg"),
                        test::position_image(4, 6));
      extra += "extra" + std::to_string(i) + "\n";
    }
    test::write_text(root() / "splits" / "train.txt", train);
    test::write_text(root() / "splits" / "extra.txt", extra);
    config_.data.dataset = "folder";
    config_.data.root = root().string();
    config_.data.num_classes = 2;
    config_.semi.enabled = true;
    config_.adversarial.reduction = "pixel";
  }
  fs::path root() const { return dir_.path() / "data"; }

  test::TempDir dir_;
  Config config_;
};

TEST_F(SemiSupervisedSets, TheUnlabelledShareNeverReadsItsLabels) {
  config_.data.labeled_fraction = 0.5;
  // Corrupt every mask the draw leaves unlabelled: reading one would throw.
  const auto share = draw_labeled_share(8, 0.5, static_cast<std::uint64_t>(config_.data.labeled_seed));
  for (std::size_t index : share.unlabeled)
    test::write_text(root() / "masks" / ("img" + std::to_string(index) + ".png"), "not a png");
  const auto sets = make_training_sets(config_);
  ASSERT_EQ(sets.labeled->size(), 4u);
  ASSERT_EQ(sets.unlabeled->size(), 4u);
  for (std::size_t i = 0; i < sets.unlabeled->size(); ++i) {
    const Example example = sets.unlabeled->get(i);
    EXPECT_EQ(example.image.size(), cv::Size(6, 4));
    // The label the loader needs is made in memory: all void.
    EXPECT_EQ(cv::countNonZero(example.label != config_.data.ignore_index), 0);
  }
  // The labelled share reads its masks, which are intact.
  for (std::size_t i = 0; i < sets.labeled->size(); ++i) EXPECT_NO_THROW(sets.labeled->get(i));
  // The unlabelled images are those the draw named, by their content (the seed channel).
  std::set<int> seeds;
  for (std::size_t i = 0; i < sets.unlabeled->size(); ++i)
    seeds.insert(sets.unlabeled->get(i).image.at<cv::Vec3b>(0, 0)[2]);
  EXPECT_EQ(seeds, std::set<int>(share.unlabeled.begin(), share.unlabeled.end()));
}

TEST_F(SemiSupervisedSets, AnUnlabelledSplitAndFolderNeedNoMasks) {
  config_.data.unlabeled_split = "extra";
  test::write_image(dir_.path() / "photos" / "a.jpg", test::position_image(5, 7));
  test::write_image(dir_.path() / "photos" / "b.PNG", test::position_image(5, 7));
  config_.data.unlabeled_root = (dir_.path() / "photos").string();
  const auto sets = make_training_sets(config_);
  EXPECT_EQ(sets.labeled->size(), 8u);
  ASSERT_EQ(sets.unlabeled->size(), 5u);  // 3 of the split, 2 of the folder
  EXPECT_EQ(sets.unlabeled->get(4).image.size(), cv::Size(7, 5));
}

TEST_F(SemiSupervisedSets, WithoutSemiSupervisionTheRestIsUnused) {
  config_.semi.enabled = false;
  config_.data.labeled_fraction = 0.25;
  const auto sets = make_training_sets(config_);
  EXPECT_EQ(sets.labeled->size(), 2u);
  EXPECT_EQ(sets.unlabeled, nullptr);
}

TEST_F(SemiSupervisedSets, AMissingUnlabelledFolderIsNamed) {
  config_.data.unlabeled_root = (dir_.path() / "nowhere").string();
  EXPECT_NE(error_message([&] { make_training_sets(config_); }).find("nowhere"), std::string::npos);
}

// Domain adaptation: the target's training images are unlabelled as a whole
// (their masks never read); the oracle trains on them with their labels.
TEST_F(SemiSupervisedSets, TargetImagesNeverReadTheirLabels) {
  config_.semi.enabled = false;
  config_.target = config_.data;
  for (int i = 0; i < 8; ++i)
    test::write_text(root() / "masks" / ("img" + std::to_string(i) + ".png"), "not a png");
  const auto sets = make_training_sets(config_);
  ASSERT_NE(sets.unlabeled, nullptr);
  ASSERT_EQ(sets.unlabeled->size(), 8u);
  for (std::size_t i = 0; i < sets.unlabeled->size(); ++i) {
    const Example example = sets.unlabeled->get(i);
    EXPECT_EQ(cv::countNonZero(example.label != config_.data.ignore_index), 0);
  }
  EXPECT_THROW(sets.labeled->get(0), Error);  // the source's masks are read, and these are corrupt
  // Source only: nothing looks at the target, so nothing loads it; the
  // BatchNorm control (adaptation.target_statistics) does.
  config_.adversarial.enabled = false;
  EXPECT_EQ(make_training_sets(config_).unlabeled, nullptr);
  config_.adaptation.target_statistics = true;
  EXPECT_NE(make_training_sets(config_).unlabeled, nullptr);
}

TEST_F(SemiSupervisedSets, TheOracleTrainsOnTheTargetsLabels) {
  config_.semi.enabled = false;
  config_.adversarial.enabled = false;
  config_.target = config_.data;
  config_.data.train_split = "extra";  // no masks: the source must not be read
  config_.adaptation.target_labels = true;
  const auto sets = make_training_sets(config_);
  EXPECT_EQ(sets.unlabeled, nullptr);
  ASSERT_EQ(sets.labeled->size(), 8u);
  EXPECT_EQ(cv::countNonZero(sets.labeled->get(1).label == 1), 4 * 6);
}

}  // namespace
}  // namespace advseg
