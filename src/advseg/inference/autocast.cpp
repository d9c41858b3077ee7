#include "advseg/inference/autocast.h"

#include <ATen/autocast_mode.h>

namespace advseg {

Autocast::Autocast(c10::DeviceType device, const Precision& precision)
    : device_(device), enabled_(precision.autocast()) {
  if (!enabled_) return;
  was_enabled_ = at::autocast::is_autocast_enabled(device_);
  previous_dtype_ = at::autocast::get_autocast_dtype(device_);
  at::autocast::set_autocast_dtype(device_, precision.compute);
  at::autocast::set_autocast_enabled(device_, true);
  at::autocast::increment_nesting();
}

Autocast::~Autocast() {
  if (!enabled_) return;
  // The outermost scope drops the low-precision weight copies: the next
  // step's weights differ.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  at::autocast::set_autocast_enabled(device_, was_enabled_);
  at::autocast::set_autocast_dtype(device_, previous_dtype_);
}

}  // namespace advseg
