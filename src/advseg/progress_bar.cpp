#include "advseg/progress_bar.h"

#include <unistd.h>

#include <iomanip>
#include <sstream>
#include <utility>

namespace advseg {

std::string format_duration(double seconds) {
  auto total = static_cast<long long>(seconds + 0.5);
  std::ostringstream text;
  if (total >= 3600) text << total / 3600 << "h";
  if (total >= 60) text << (total / 60) % 60 << "m";
  text << total % 60 << "s";
  return text.str();
}

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) != 0; }

ProgressBar::ProgressBar(std::size_t total, std::string unit, std::ostream& out, bool on_terminal)
    : total_(total), unit_(std::move(unit)), out_(out), on_terminal_(on_terminal) {}

double ProgressBar::elapsed_seconds() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

void ProgressBar::advance() {
  ++done_;
  const auto now = Clock::now();
  if (done_ == total_ || now - drawn_at_ > std::chrono::milliseconds(100)) {
    drawn_at_ = now;
    draw();
  }
}

void ProgressBar::draw() {
  if (!on_terminal_ || total_ == 0) return;
  constexpr std::size_t kWidth = 30;
  const std::size_t filled = kWidth * done_ / total_;
  const double seconds = elapsed_seconds();
  const double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0.0;
  const double left = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
  std::ostringstream line;
  line << "\r\033[K[" << std::string(filled, '=') << std::string(kWidth - filled, ' ') << "] " << done_ << "/"
       << total_ << " " << unit_ << "  " << std::fixed << std::setprecision(1) << rate << " " << unit_
       << "/s  ETA " << format_duration(left);
  out_ << line.str() << std::flush;
}

void ProgressBar::finish() {
  if (on_terminal_ && done_ > 0) out_ << "\r\033[K" << std::flush;
}

}  // namespace advseg
