#include "advseg/data/loader.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "advseg/data/random.h"
#include "advseg/error.h"

namespace advseg {

namespace {

void check_options(const Dataset* dataset, const LoaderOptions& options) {
  if (dataset == nullptr) throw Error("batch loader: no dataset");
  if (options.batch_size < 1) {
    throw Error("batch loader: batch_size must be at least 1, got " + std::to_string(options.batch_size));
  }
  if (options.threads < 0) {
    throw Error("batch loader: threads must be 0 or more, got " + std::to_string(options.threads));
  }
  if (options.shards < 1 || options.shard < 0 || options.shard >= options.shards) {
    throw Error("batch loader: shard " + std::to_string(options.shard) + " of " +
                std::to_string(options.shards) + " does not exist");
  }
  if (options.prefetch_batches < 1) {
    throw Error("batch loader: prefetch_batches must be at least 1, got " +
                std::to_string(options.prefetch_batches));
  }
}

std::uint64_t as_key(int value) { return static_cast<std::uint64_t>(static_cast<std::int64_t>(value)); }

}  // namespace

std::vector<std::size_t> epoch_order(std::size_t n, std::uint64_t seed, int epoch, bool shuffle) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (!shuffle) return order;
  // Fisher-Yates with our own draws: std::shuffle differs between standard libraries.
  std::mt19937_64 rng(mix_seed({seed, as_key(epoch)}));
  for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[uniform_below(rng, i)]);
  return order;
}

std::vector<std::size_t> shard_of(const std::vector<std::size_t>& order, int shard, int shards,
                                  bool equal_shards) {
  const auto step = static_cast<std::size_t>(shards);
  const std::size_t end = equal_shards ? order.size() - order.size() % step : order.size();
  std::vector<std::size_t> positions;
  for (std::size_t i = static_cast<std::size_t>(shard); i < end; i += step) positions.push_back(order[i]);
  return positions;
}

std::size_t full_batches_per_shard(std::size_t samples, int batch_size, int shards) {
  return samples / static_cast<std::size_t>(shards) / static_cast<std::size_t>(batch_size);
}

BatchLoader::BatchLoader(std::shared_ptr<const Dataset> dataset, LoaderOptions options)
    : dataset_(std::move(dataset)), options_(std::move(options)) {
  check_options(dataset_.get(), options_);
  order_ = epoch_order(dataset_->size(), options_.seed, options_.epoch, options_.shuffle);
  if (options_.shards > 1) order_ = shard_of(order_, options_.shard, options_.shards, options_.drop_last);
  const auto batch_size = static_cast<std::size_t>(options_.batch_size);
  num_batches_ =
      options_.drop_last ? order_.size() / batch_size : (order_.size() + batch_size - 1) / batch_size;
  // Skipped batches are never claimed, so resuming does not load them.
  next_to_deliver_ = next_to_claim_ = std::min(options_.skip_batches, num_batches_);
  try {
    for (int t = 0; t < options_.threads; ++t) workers_.emplace_back([this] { worker_loop(); });
  } catch (...) {
    stop_workers();
    throw;
  }
}

BatchLoader::~BatchLoader() { stop_workers(); }

std::size_t BatchLoader::num_batches() const { return num_batches_; }

void BatchLoader::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_available_.notify_all();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
}

Batch BatchLoader::load_batch(std::size_t batch_index) const {
  const auto batch_size = static_cast<std::size_t>(options_.batch_size);
  const std::size_t begin = batch_index * batch_size;
  const std::size_t end = std::min(begin + batch_size, order_.size());
  std::vector<Example> examples;
  for (std::size_t position = begin; position < end; ++position) {
    // A loader being destroyed abandons its batch between samples.
    if (stopping_) throw Error("batch loader: stopped");
    const std::size_t index = order_[position];
    examples.push_back(dataset_->get(index));
    if (!options_.augment) continue;
    // Seeded by the sample itself, so thread timing never changes the augmentation.
    std::mt19937_64 rng(mix_seed({options_.seed, as_key(options_.epoch), index}));
    examples.back() = augment(examples.back(), *options_.augment, rng);
  }
  return collate(examples, options_.normalization, dataset_->info().ignore_index);
}

BatchLoader::Result BatchLoader::try_load_batch(std::size_t batch_index) const {
  Result result;
  try {
    result.batch = load_batch(batch_index);
  } catch (...) {
    result.error = std::current_exception();
  }
  return result;
}

bool BatchLoader::may_claim() const {
  return next_to_claim_ < num_batches_ &&
         next_to_claim_ < next_to_deliver_ + static_cast<std::size_t>(options_.prefetch_batches);
}

void BatchLoader::worker_loop() {
  for (;;) {
    std::size_t batch_index = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_available_.wait(lock,
                           [this] { return stopping_ || next_to_claim_ >= num_batches_ || may_claim(); });
      if (stopping_ || next_to_claim_ >= num_batches_) return;
      batch_index = next_to_claim_++;
    }
    Result result = try_load_batch(batch_index);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      results_.emplace(batch_index, std::move(result));
    }
    result_ready_.notify_all();
  }
}

std::optional<Batch> BatchLoader::next() {
  if (next_to_deliver_ >= num_batches_) return std::nullopt;
  if (workers_.empty()) {
    const std::size_t batch_index = next_to_deliver_++;
    return load_batch(batch_index);
  }
  Result result;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    result_ready_.wait(lock, [this] { return results_.count(next_to_deliver_) > 0; });
    auto node = results_.extract(next_to_deliver_);
    result = std::move(node.mapped());
    ++next_to_deliver_;
  }
  work_available_.notify_all();
  if (result.error) std::rethrow_exception(result.error);
  return std::move(result.batch);
}

}  // namespace advseg
