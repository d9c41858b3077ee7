// Watches the adversary's accuracy on real and predicted maps, once per log
// interval. An adversary that always wins gives the segmentor saturated,
// useless gradients; one stuck at chance has stopped telling maps apart.
// Either, lasting `patience` intervals, earns one warning with advice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace advseg {

class CollapseMonitor {
 public:
  explicit CollapseMonitor(int patience) : patience_(patience) {}

  // A warning the first time a collapse has lasted `patience` intervals in a
  // row; nothing otherwise (also while patience is 0).
  std::optional<std::string> observe(double accuracy_real, double accuracy_fake, std::int64_t iteration);

 private:
  enum class State { healthy, winning, at_chance };
  static State classify(double accuracy_real, double accuracy_fake);

  int patience_;
  State state_ = State::healthy;
  int intervals_in_state_ = 0;
};

}  // namespace advseg
