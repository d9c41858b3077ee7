// Clocks and the process's memory high-water mark, for the benchmarks.
#pragma once

#include <functional>
#include <string>

namespace advseg {

struct Repetitions {
  int warmup = 1;  // untimed runs first: allocator, optimiser state, caches
  int timed = 3;
};

// The fastest timed run of `work`, in wall-clock seconds: on a shared machine
// other processes only ever slow a run down, so the fastest is the one
// closest to what the code itself costs.
double best_seconds(const std::function<void()>& work, const Repetitions& reps);

// The process's peak resident memory so far (getrusage), in MiB.
double peak_rss_mb();

// The CPU's model name from /proc/cpuinfo, or "unknown".
std::string cpu_model_name();

}  // namespace advseg
