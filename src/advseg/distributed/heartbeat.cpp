#include "advseg/distributed/heartbeat.h"

#include <map>
#include <utility>

namespace advseg {

Heartbeat::Heartbeat(c10::intrusive_ptr<c10d::Store> store, int rank, int world_size)
    : store_(std::move(store)), rank_(rank), world_size_(world_size) {
  thread_ = std::thread([this] { beat_loop(); });
}

Heartbeat::~Heartbeat() {
  stopping_ = true;
  thread_.join();
}

std::string Heartbeat::key(int rank) { return "advseg/heartbeat/" + std::to_string(rank); }

void Heartbeat::beat_loop() {
  std::uint64_t beats = 0;
  while (!stopping_) {
    try {
      const auto text = std::to_string(++beats);
      store_->set(key(rank_), std::vector<std::uint8_t>(text.begin(), text.end()));
    } catch (const std::exception&) {
      return;  // the store is gone: the collectives will fail and say so
    }
    // Sleeps in small steps, so that stopping never waits a whole interval.
    for (int step = 0; step < 10 && !stopping_; ++step) std::this_thread::sleep_for(kInterval / 10);
  }
}

Heartbeat::Silent Heartbeat::silent_ranks(c10d::Store& store, std::chrono::milliseconds watch) const {
  auto read_all = [&] {
    std::map<int, std::vector<std::uint8_t>> counters;
    for (int rank = 0; rank < world_size_; ++rank)
      if (rank != rank_ && store.check({key(rank)})) counters[rank] = store.get(key(rank));
    return counters;
  };
  const auto before = read_all();
  std::this_thread::sleep_for(watch);
  const auto after = read_all();
  Silent silent;
  for (int rank = 0; rank < world_size_; ++rank) {
    if (rank == rank_) continue;
    const auto was = before.find(rank), is = after.find(rank);
    if (is == after.end())
      silent.never_joined.push_back(rank);
    else if (was != before.end() && was->second == is->second)
      silent.stopped.push_back(rank);
  }
  return silent;
}

}  // namespace advseg
