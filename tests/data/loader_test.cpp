#include "advseg/data/loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>

#include "advseg/data/shapes_dataset.h"
#include "advseg/error.h"
#include "test_support.h"

namespace advseg {
namespace {

using test::FunctionDataset;

std::shared_ptr<const Dataset> shapes(int size) {
  ShapesOptions options;
  options.size = size;
  options.image_size = 32;
  return std::make_shared<ShapesDataset>(options);
}

// Every batch of the epoch, in order.
std::vector<Batch> drain(BatchLoader& loader) {
  std::vector<Batch> batches;
  while (std::optional<Batch> batch = loader.next()) batches.push_back(std::move(*batch));
  return batches;
}

std::vector<Batch> all_batches(std::shared_ptr<const Dataset> dataset, const LoaderOptions& options) {
  BatchLoader loader(std::move(dataset), options);
  return drain(loader);
}

void expect_same_batches(const std::vector<Batch>& a, const std::vector<Batch>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].ids, b[i].ids) << "batch " << i;
    EXPECT_TRUE(torch::equal(a[i].images, b[i].images)) << "batch " << i;
    EXPECT_TRUE(torch::equal(a[i].labels, b[i].labels)) << "batch " << i;
  }
}

LoaderOptions augmented_options(int threads) {
  LoaderOptions options;
  options.batch_size = 3;
  options.shuffle = true;
  options.augment = AugmentOptions{};
  options.augment->crop_height = options.augment->crop_width = 24;
  options.augment->scale_min = 0.75;
  options.augment->scale_max = 1.25;
  options.seed = 42;
  options.epoch = 3;
  options.threads = threads;
  return options;
}

bool is_permutation_of_indices(std::vector<std::size_t> order) {
  std::sort(order.begin(), order.end());
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (order[i] != i) return false;
  }
  return true;
}

TEST(EpochOrder, WithoutShuffleIsTheIdentity) {
  EXPECT_EQ(epoch_order(5, 1, 0, false), (std::vector<std::size_t>{0, 1, 2, 3, 4}));
}

TEST(EpochOrder, ShuffleIsAPermutationFixedBySeedAndEpoch) {
  const std::vector<std::size_t> order = epoch_order(100, 7, 2, true);
  EXPECT_TRUE(is_permutation_of_indices(order));
  EXPECT_EQ(order, epoch_order(100, 7, 2, true));
  EXPECT_NE(order, epoch_order(100, 7, 3, true));
  EXPECT_NE(order, epoch_order(100, 8, 2, true));
  std::vector<std::size_t> identity(100);
  std::iota(identity.begin(), identity.end(), std::size_t{0});
  EXPECT_NE(order, identity);
}

TEST(EpochOrder, EveryPositionIsReachable) {
  // Over many epochs, element 0 lands in every one of 4 positions.
  std::set<std::size_t> positions;
  for (int epoch = 0; epoch < 64; ++epoch) {
    const std::vector<std::size_t> order = epoch_order(4, 1, epoch, true);
    positions.insert(std::find(order.begin(), order.end(), 0) - order.begin());
  }
  EXPECT_EQ(positions.size(), 4u);
}

TEST(BatchLoader, CountsBatchesWithAndWithoutDropLast) {
  LoaderOptions options;
  options.batch_size = 4;
  options.threads = 0;
  std::vector<Batch> batches = all_batches(shapes(10), options);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[2].images.size(0), 2);
  EXPECT_EQ(batches[0].ids, (std::vector<std::string>{"train_0", "train_1", "train_2", "train_3"}));
  options.drop_last = true;
  EXPECT_EQ(BatchLoader(shapes(10), options).num_batches(), 2u);
  EXPECT_EQ(all_batches(shapes(10), options).size(), 2u);
}

TEST(BatchLoader, ThreadCountDoesNotChangeTheBatches) {
  const std::vector<Batch> synchronous = all_batches(shapes(14), augmented_options(0));
  ASSERT_EQ(synchronous.size(), 5u);
  EXPECT_EQ(synchronous[0].images.sizes(), (std::vector<std::int64_t>{3, 3, 24, 24}));
  expect_same_batches(synchronous, all_batches(shapes(14), augmented_options(1)));
  expect_same_batches(synchronous, all_batches(shapes(14), augmented_options(2)));
}

TEST(BatchLoader, EpochsDifferInOrderAndAugmentation) {
  LoaderOptions next_epoch = augmented_options(0);
  next_epoch.epoch += 1;
  const std::vector<Batch> a = all_batches(shapes(14), augmented_options(0));
  const std::vector<Batch> b = all_batches(shapes(14), next_epoch);
  EXPECT_NE(a[0].ids, b[0].ids);
  EXPECT_FALSE(torch::equal(a[0].images, b[0].images));
}

TEST(BatchLoader, SkipBatchesYieldsExactlyTheTailWithoutLoadingTheHead) {
  const std::vector<Batch> full = all_batches(shapes(14), augmented_options(0));
  for (int threads : {0, 2}) {
    auto dataset =
        std::make_shared<FunctionDataset>(14, [base = shapes(14)](std::size_t i) { return base->get(i); });
    LoaderOptions options = augmented_options(threads);
    options.skip_batches = 3;
    BatchLoader loader(dataset, options);
    EXPECT_EQ(loader.num_batches(), 5u);
    const std::vector<Batch> tail = drain(loader);
    expect_same_batches(std::vector<Batch>(full.begin() + 3, full.end()), tail);
    EXPECT_EQ(dataset->calls(), 14 - 3 * 3) << threads << " threads";
  }
}

TEST(BatchLoader, ErrorInOneSampleIsRethrownForItsBatchOnly) {
  auto dataset = std::make_shared<FunctionDataset>(8, [](std::size_t i) -> Example {
    if (i == 5) throw Error("bad_sample_5.png: broken");
    return Example{test::position_image(2, 2), test::position_label(2, 2), std::to_string(i)};
  });
  for (int threads : {0, 1, 2}) {
    LoaderOptions options;
    options.batch_size = 2;
    options.threads = threads;
    BatchLoader loader(dataset, options);
    EXPECT_EQ(loader.next()->ids, (std::vector<std::string>{"0", "1"}));
    EXPECT_EQ(loader.next()->ids, (std::vector<std::string>{"2", "3"}));
    const std::string message = test::error_message([&] { loader.next(); });
    EXPECT_NE(message.find("bad_sample_5.png"), std::string::npos) << threads << " threads: " << message;
    EXPECT_EQ(loader.next()->ids, (std::vector<std::string>{"6", "7"}));
    EXPECT_FALSE(loader.next().has_value());
  }
}

TEST(BatchLoader, PadsUnaugmentedImagesOfDifferentSizes) {
  auto dataset = std::make_shared<FunctionDataset>(2, [](std::size_t i) {
    const int side = 2 + static_cast<int>(i);
    return Example{test::position_image(side, side), test::position_label(side, side), std::to_string(i)};
  });
  LoaderOptions options;
  options.batch_size = 2;
  options.threads = 1;
  const Batch batch = *BatchLoader(dataset, options).next();
  EXPECT_EQ(batch.labels.sizes(), (std::vector<std::int64_t>{2, 3, 3}));
  EXPECT_EQ((batch.labels[0] == 255).sum().item<std::int64_t>(), 5);
}

// The destructor must not wait for the rest of the epoch (nor hang): with a
// slow dataset, only the batches already claimed are ever loaded.
TEST(BatchLoader, DestroyingMidEpochStopsLoading) {
  auto dataset = std::make_shared<FunctionDataset>(1000, [](std::size_t i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return Example{test::position_image(2, 2), test::position_label(2, 2), std::to_string(i)};
  });
  LoaderOptions options;
  options.batch_size = 4;
  options.threads = 2;
  options.prefetch_batches = 2;
  {
    BatchLoader loader(dataset, options);
    ASSERT_TRUE(loader.next().has_value());
  }
  // The first batch, then at most `prefetch_batches` more in flight.
  EXPECT_LE(dataset->calls(), 4 * (1 + options.prefetch_batches));
}

TEST(BatchLoader, RejectsImpossibleOptions) {
  LoaderOptions options;
  options.batch_size = 0;
  EXPECT_THROW(BatchLoader(shapes(4), options), Error);
  options.batch_size = 1;
  options.threads = -1;
  EXPECT_THROW(BatchLoader(shapes(4), options), Error);
  options.threads = 0;
  options.shard = 2;
  options.shards = 2;
  EXPECT_THROW(BatchLoader(shapes(4), options), Error);
}

// Data-parallel training: the workers' i-th batches, together, are the i-th
// batch of one worker with the whole batch, augmented alike.
TEST(BatchLoader, ShardsOfHalfBatchesMakeUpTheWholeBatches) {
  LoaderOptions whole = augmented_options(0);
  whole.batch_size = 4;
  whole.drop_last = true;
  const auto expected = all_batches(shapes(15), whole);  // 3 batches of 4
  std::vector<std::vector<Batch>> shards;
  for (int shard = 0; shard < 2; ++shard) {
    LoaderOptions half = whole;
    half.batch_size = 2;
    half.shard = shard;
    half.shards = 2;
    shards.push_back(all_batches(shapes(15), half));
    ASSERT_EQ(shards.back().size(), expected.size());
  }
  EXPECT_EQ(full_batches_per_shard(15, 2, 2), expected.size());
  for (std::size_t b = 0; b < expected.size(); ++b) {
    // Shard s takes positions s, s + 2, ...: the whole batch interleaved.
    for (std::int64_t i = 0; i < 4; ++i) {
      const auto& shard = shards[static_cast<std::size_t>(i % 2)][b];
      EXPECT_EQ(shard.ids[static_cast<std::size_t>(i / 2)], expected[b].ids[static_cast<std::size_t>(i)]);
      EXPECT_TRUE(torch::equal(shard.images[i / 2], expected[b].images[i])) << b << " " << i;
    }
  }
}

TEST(BatchLoader, UnequalShardsWithoutDropLastCoverEverySampleOnce) {
  std::vector<std::string> seen;
  for (int shard = 0; shard < 3; ++shard) {
    LoaderOptions options;
    options.batch_size = 2;
    options.shard = shard;
    options.shards = 3;
    for (const auto& batch : all_batches(shapes(7), options))
      seen.insert(seen.end(), batch.ids.begin(), batch.ids.end());
  }
  std::vector<std::string> all;
  for (const auto& batch : all_batches(shapes(7), LoaderOptions{}))
    all.insert(all.end(), batch.ids.begin(), batch.ids.end());
  std::sort(seen.begin(), seen.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(seen, all);
}

}  // namespace
}  // namespace advseg
