// BatchLoader: yields the batches of one epoch in a reproducible order while
// background threads load and augment the next ones. The order and every
// augmentation depend only on (seed, epoch, sample), never on thread timing,
// so runs and resumed runs see identical batches.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "advseg/data/augment.h"
#include "advseg/data/batch.h"

namespace advseg {

struct LoaderOptions {
  int batch_size = 16;
  bool shuffle = false;
  bool drop_last = false;
  std::optional<AugmentOptions> augment;  // none: whole images, unaugmented
  Normalization normalization;
  std::uint64_t seed = 1;
  int epoch = 0;
  int threads = 1;               // background loading threads; 0 loads in the caller's thread
  int prefetch_batches = 2;      // batches prepared ahead of the consumer
  std::size_t skip_batches = 0;  // start mid-epoch (resume)
  // Data-parallel training: this worker's share of the epoch, the positions
  // shard, shard + shards, shard + 2 shards, ... of its order. The workers'
  // i-th batches together are then the i-th batch of one worker with
  // shards x batch_size. With drop_last every shard is equally long (the
  // order is cut to a multiple of shards first); without, every sample
  // belongs to exactly one shard.
  int shard = 0;
  int shards = 1;
};

// The sample order of one epoch: a permutation seeded by (seed, epoch) when
// shuffling, else 0..n-1.
std::vector<std::size_t> epoch_order(std::size_t n, std::uint64_t seed, int epoch, bool shuffle);

// The positions of `order` that worker `shard` of `shards` takes (LoaderOptions).
std::vector<std::size_t> shard_of(const std::vector<std::size_t>& order, int shard, int shards,
                                  bool equal_shards);

// Full batches per epoch of each of `shards` workers over `samples` samples (drop_last).
std::size_t full_batches_per_shard(std::size_t samples, int batch_size, int shards);

class BatchLoader {
 public:
  BatchLoader(std::shared_ptr<const Dataset> dataset, LoaderOptions options);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // The next batch, or nothing at the end of the epoch. An error raised while
  // loading (a bad file) is rethrown here, in order.
  std::optional<Batch> next();
  std::size_t num_batches() const;  // in the whole epoch, skipped ones included

 private:
  // A batch handed from a worker to the consumer: the batch or its error.
  struct Result {
    std::optional<Batch> batch;
    std::exception_ptr error;
  };

  Batch load_batch(std::size_t batch_index) const;
  Result try_load_batch(std::size_t batch_index) const;
  void worker_loop();
  bool may_claim() const;  // with mutex_ held
  void stop_workers();

  std::shared_ptr<const Dataset> dataset_;
  LoaderOptions options_;
  std::vector<std::size_t> order_;
  std::size_t num_batches_;
  std::size_t next_to_deliver_;

  // Workers claim batch indices in order and leave results keyed by index;
  // the consumer takes them in order, so timing never reorders batches.
  std::mutex mutex_;
  std::condition_variable work_available_;
  std::condition_variable result_ready_;
  std::size_t next_to_claim_;
  std::map<std::size_t, Result> results_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> workers_;
};

}  // namespace advseg
