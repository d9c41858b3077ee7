// Progress over a known number of items (images to predict): on a terminal, a
// bar redrawn in place with the count, items per second and the time left;
// elsewhere (a log file, CI) nothing until the summary, so logs stay short.
#pragma once

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

namespace advseg {

// "1h2m3s", "4m5s", "6s".
std::string format_duration(double seconds);

// Whether standard error is a terminal (where progress is redrawn in place).
bool stderr_is_terminal();

class ProgressBar {
 public:
  ProgressBar(std::size_t total, std::string unit, std::ostream& out, bool on_terminal);

  // One more item done; redraws at most ten times a second, and at the last.
  void advance();
  // Clears the bar's line, so the summary that follows stands alone.
  void finish();

  double elapsed_seconds() const;
  std::size_t done() const { return done_; }

 private:
  using Clock = std::chrono::steady_clock;
  void draw();

  std::size_t total_;
  std::string unit_;
  std::ostream& out_;
  bool on_terminal_;
  std::size_t done_ = 0;
  Clock::time_point start_ = Clock::now();
  Clock::time_point drawn_at_{};
};

}  // namespace advseg
