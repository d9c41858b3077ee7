#include "advseg/inference/autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace advseg {
namespace {

// LibTorch 2.4 replaced the per-device functions with ones taking the device.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool is_enabled(c10::DeviceType device) { return at::autocast::is_autocast_enabled(device); }
void set_enabled(c10::DeviceType device, bool enabled) {
  at::autocast::set_autocast_enabled(device, enabled);
}
void use_bf16(c10::DeviceType device) { at::autocast::set_autocast_dtype(device, at::kBFloat16); }
#else
bool is_enabled(c10::DeviceType device) {
  return device == c10::DeviceType::CPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
}
void set_enabled(c10::DeviceType device, bool enabled) {
  if (device == c10::DeviceType::CPU)
    at::autocast::set_cpu_enabled(enabled);
  else
    at::autocast::set_enabled(enabled);
}
void use_bf16(c10::DeviceType device) {
  if (device == c10::DeviceType::CPU)
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
  else
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
}
#endif

}  // namespace

Autocast::Autocast(c10::DeviceType device, bool enabled) : device_(device), enabled_(enabled) {
  if (!enabled_) return;
  was_enabled_ = is_enabled(device_);
  use_bf16(device_);
  set_enabled(device_, true);
  at::autocast::increment_nesting();
}

Autocast::~Autocast() {
  if (!enabled_) return;
  // The outermost scope drops the bf16 weight copies: the next step's
  // weights differ.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_enabled(device_, was_enabled_);
}

}  // namespace advseg
