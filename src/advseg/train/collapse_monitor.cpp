#include "advseg/train/collapse_monitor.h"

#include <cmath>

namespace advseg {

CollapseMonitor::State CollapseMonitor::classify(double accuracy_real, double accuracy_fake) {
  double mean = (accuracy_real + accuracy_fake) / 2;
  if (mean >= 0.99) return State::winning;
  if (std::abs(mean - 0.5) <= 0.05) return State::at_chance;
  return State::healthy;
}

std::optional<std::string> CollapseMonitor::observe(double accuracy_real, double accuracy_fake,
                                                    std::int64_t iteration) {
  State state = classify(accuracy_real, accuracy_fake);
  intervals_in_state_ = state == state_ ? intervals_in_state_ + 1 : 1;
  state_ = state;
  if (patience_ <= 0 || state == State::healthy || intervals_in_state_ != patience_) return std::nullopt;

  std::string since = " for the last " + std::to_string(patience_) + " log intervals (iteration " +
                      std::to_string(iteration) + "). ";
  if (state == State::winning)
    return "warning: the adversary has been right about >= 99% of real and predicted maps" + since +
           "It wins outright, so its gradients tell the segmentor little. Try a lower "
           "train.adversary_optimizer.lr, the scaling or product encoding (adversarial.encoding), a smaller "
           "adversary (model.adversary=smallfov-light), or fewer adversary steps (adversarial.d_steps).";
  return "warning: the adversary has been at chance (about 50% accuracy)" + since +
         "It has stopped telling real from predicted maps, so the adversarial term carries no signal. Try a "
         "higher train.adversary_optimizer.lr, more adversary steps (adversarial.d_steps), or a lower "
         "adversarial.lambda.";
}

}  // namespace advseg
