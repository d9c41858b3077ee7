#include "advseg/train/training_progress.h"

#include <gtest/gtest.h>

#include "advseg/error.h"

namespace advseg {
namespace {

TEST(TrainingProgress, RoundTripsThroughJson) {
  TrainingProgress progress{1234, 7, 12, 0.625, 6};
  auto parsed = parse_progress_json(progress_to_json_text(progress), "state.json");
  EXPECT_EQ(parsed.iteration, 1234);
  EXPECT_EQ(parsed.epoch, 7);
  EXPECT_EQ(parsed.batch_in_epoch, 12);
  EXPECT_EQ(parsed.best_mean_iou, 0.625);
  EXPECT_EQ(parsed.best_epoch, 6);
}

TEST(TrainingProgress, KeepsTheUnlabelledLoadersPositionAndReadsOlderFormats) {
  TrainingProgress progress;
  progress.unlabeled_batches = 41;
  EXPECT_EQ(parse_progress_json(progress_to_json_text(progress), "state.json").unlabeled_batches, 41);
  // Format 2 had no unlabelled loader: its position is 0.
  const auto old = parse_progress_json(
      R"({"format_version": 2, "iteration": 3, "epoch": 1, "batch_in_epoch": 0, "best_mean_iou": 0.5,
          "best_epoch": 1, "batches_per_epoch": 3, "validation_pending": false})",
      "state.json");
  EXPECT_EQ(old.iteration, 3);
  EXPECT_EQ(old.unlabeled_batches, 0);
  EXPECT_EQ(old.world_size, 1);  // before format 4: a single process
  EXPECT_THROW(parse_progress_json(R"({"format_version": 6})", "s.json"), Error);
}

// Issue 27, item 3: a resumed run's time counts every part of it.
TEST(TrainingProgress, KeepsTheTrainingTimeAcrossResumes) {
  TrainingProgress progress;
  progress.train_seconds = 12.5;
  const auto text = progress_to_json_text(progress);
  EXPECT_EQ(parse_progress_json(text, "state.json").train_seconds, 12.5);
  auto negative = text;
  negative.replace(negative.find("12.5"), 4, "-1.0");
  EXPECT_THROW(parse_progress_json(negative, "state.json"), Error);
}

TEST(TrainingProgress, KeepsTheWorldSizeAndRefusesAnEmptyWorld) {
  TrainingProgress progress;
  progress.world_size = 4;
  const auto text = progress_to_json_text(progress);
  EXPECT_EQ(parse_progress_json(text, "state.json").world_size, 4);
  const std::string four = "\"world_size\": 4";
  auto zero = text;
  zero.replace(zero.find(four), four.size(), "\"world_size\": 0");
  EXPECT_THROW(parse_progress_json(zero, "state.json"), Error);
}

// Issue 27: a hand-edited position past the end of its epoch is refused by name.
TEST(TrainingProgress, RefusesABatchPastTheEndOfItsEpoch) {
  TrainingProgress progress;
  progress.batches_per_epoch = 10;
  progress.batch_in_epoch = 10;
  EXPECT_EQ(parse_progress_json(progress_to_json_text(progress), "state.json").batch_in_epoch, 10);
  progress.batch_in_epoch = 11;
  try {
    parse_progress_json(progress_to_json_text(progress), "state.json");
    ADD_FAILURE() << "accepted";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "state.json: \"batch_in_epoch\" 11 is past \"batches_per_epoch\" 10");
  }
}

// Found by fuzzing: numbers that do not fit were converted with undefined
// behaviour or wrapped silently.
TEST(TrainingProgress, RejectsNumbersThatDoNotFitTheirField) {
  const std::string head =
      R"({"format_version": 1, "batch_in_epoch": 0, "best_mean_iou": 0.5, "best_epoch": 1, )";
  for (const std::string bad :
       {R"("iteration": 9.2e25, "epoch": 1})", R"("iteration": 3, "epoch": 4294967297})",
        R"("iteration": 2.5, "epoch": 1})"}) {
    try {
      parse_progress_json(head + bad, "ck/state.json");
      FAIL() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("ck/state.json"), std::string::npos) << e.what();
    }
  }
}

TEST(TrainingProgress, RejectsMalformedText) {
  EXPECT_THROW(parse_progress_json("{\"iteration\": ", "s.json"), Error);
  EXPECT_THROW(parse_progress_json("[]", "s.json"), Error);
  EXPECT_THROW(parse_progress_json(R"({"format_version": 2})", "s.json"), Error);
}

}  // namespace
}  // namespace advseg
