// Tells a dead or stopped worker from a slow one. Each worker's heartbeat
// thread bumps a counter in the rendezvous store twice a second; when a
// collective fails, the worker that caught the failure reads every counter,
// waits a few beats and reads them again: ranks whose counter stood still
// are the ones that died or hang, and the error names them.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <torch/csrc/distributed/c10d/Store.hpp>
#include <vector>

namespace advseg {

class Heartbeat {
 public:
  static constexpr std::chrono::milliseconds kInterval{500};

  // Beats into `store` (a client of its own: the thread must not share a
  // socket with the collectives' store).
  Heartbeat(c10::intrusive_ptr<c10d::Store> store, int rank, int world_size);
  ~Heartbeat();
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

  // The other ranks whose counter does not move within `watch`, read
  // through `store`: those that beat before (stopped: died or hang) and
  // those that never did (never joined). Throws what the store throws when it
  // is unreachable.
  struct Silent {
    std::vector<int> stopped;
    std::vector<int> never_joined;
  };
  Silent silent_ranks(c10d::Store& store, std::chrono::milliseconds watch) const;

 private:
  void beat_loop();
  static std::string key(int rank);

  c10::intrusive_ptr<c10d::Store> store_;
  int rank_;
  int world_size_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace advseg
