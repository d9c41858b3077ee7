// Mixed precision: convolutions and matrix products in bfloat16 for one
// scope (LibTorch's autocast), everything else, the losses included, in
// float32. On a CPU with avx512_bf16 (and on CUDA) oneDNN/cuDNN run bf16
// convolutions 2-4x faster than fp32; weights and optimiser state stay fp32.
#pragma once

#include <c10/core/DeviceType.h>

namespace advseg {

// Enables bf16 autocast for `device` until destruction (when `enabled`),
// restoring the previous state and freeing the cached bf16 weight copies.
class Autocast {
 public:
  Autocast(c10::DeviceType device, bool enabled);
  ~Autocast();
  Autocast(const Autocast&) = delete;
  Autocast& operator=(const Autocast&) = delete;

 private:
  c10::DeviceType device_;
  bool enabled_;
  bool was_enabled_ = false;
};

}  // namespace advseg
