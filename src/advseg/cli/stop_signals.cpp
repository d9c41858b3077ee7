#include "advseg/cli/stop_signals.h"

#include <unistd.h>

#include <atomic>
#include <csignal>

#include "advseg/cli/exit_status.h"

namespace advseg {
namespace {

std::atomic<int> stop_signals{0};
std::atomic<int> first_signal{0};
std::string first_notice, second_notice;  // built before the handlers are installed

void say_from_handler(const std::string& text) {
  [[maybe_unused]] const auto written = ::write(STDERR_FILENO, text.data(), text.size());
}

// Only async-signal-safe work: counters, write(2), signal(2).
extern "C" void request_stop(int signal_number) {
  // A closed pipe raises SIGPIPE at every write, this handler's own included:
  // the first asks to stop, and from then on writes just fail (EPIPE) while
  // the run saves, instead of counting as a second Ctrl-C.
  if (signal_number == SIGPIPE) {
    std::signal(SIGPIPE, SIG_IGN);
    if (stop_signals > 0) return;
  }
  const int count = ++stop_signals;
  if (count == 1) {
    first_signal = signal_number;
    say_from_handler(first_notice);
  }
  if (count == 2) {
    say_from_handler(second_notice);
    std::signal(signal_number, SIG_DFL);
  }
}

}  // namespace

void install_stop_handlers(const std::string& saving) {
  first_notice =
      "\nadvseg: stopping after the current step, then saving " + saving + " (Ctrl-C again quits sooner)\n";
  second_notice = "advseg: still saving " + saving +
                  " once the step in progress ends; Ctrl-C once more quits without saving\n";
  for (const int signal_number : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) std::signal(signal_number, request_stop);
}

bool stop_requested() { return stop_signals > 0; }

void stop_early() {
  const int signal_number = first_signal.load();
  throw StoppedEarly{kExitStoppedBySignal + (signal_number != 0 ? signal_number : SIGTERM)};
}

}  // namespace advseg
