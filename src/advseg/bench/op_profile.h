// Where an iteration's time goes, operator by operator: the wall time of every
// LibTorch operator the observing thread runs (backward ones included: on
// the CPU the autograd engine runs them on the caller's thread), as self time,
// its nested operators' time excluded, summed by name. What it shows beyond
// the convolutions (copies, layout conversions, element-wise work around the
// losses) is what a faster step could still cut.
#pragma once

#include <ATen/record_function.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace advseg {

struct OpTime {
  std::string name;
  double self_ms = 0;
  std::int64_t calls = 0;
};

// Observes the constructing thread's operators until destruction.
class OpProfiler {
 public:
  OpProfiler();
  ~OpProfiler();
  OpProfiler(const OpProfiler&) = delete;
  OpProfiler& operator=(const OpProfiler&) = delete;

  // Every operator seen, the most self time first.
  std::vector<OpTime> totals() const;

  // Called by the observer.
  void start();
  void end(const char* name);

 private:
  using Clock = std::chrono::steady_clock;
  struct Frame {
    Clock::time_point start;
    double children_ms = 0;
  };
  std::vector<Frame> stack_;
  std::map<std::string, OpTime> by_name_;
  at::CallbackHandle callback_handle_;
};

}  // namespace advseg
