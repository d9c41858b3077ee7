// Mixed precision for one scope (LibTorch's autocast): convolutions and
// matrix products in the run's low precision (inference/precision.h),
// everything else, the losses included, in float32. On a CPU with
// avx512_bf16 (and on CUDA) oneDNN/cuDNN run bf16 convolutions 2-4x faster
// than fp32; weights and optimiser state stay fp32.
#pragma once

#include <c10/core/DeviceType.h>

#include "advseg/inference/precision.h"

namespace advseg {

// Enables autocast to precision.compute for `device` until destruction
// (nothing for fp32), restoring the previous state and freeing the cached
// low-precision weight copies.
class Autocast {
 public:
  Autocast(c10::DeviceType device, const Precision& precision);
  ~Autocast();
  Autocast(const Autocast&) = delete;
  Autocast& operator=(const Autocast&) = delete;

 private:
  c10::DeviceType device_;
  bool enabled_;
  bool was_enabled_ = false;
  c10::ScalarType previous_dtype_ = c10::kFloat;
};

}  // namespace advseg
