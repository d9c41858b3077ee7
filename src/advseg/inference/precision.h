// How the forward passes compute, resolved once from train.precision and the
// device: fp32, or autocast to bf16 or fp16 (convolutions and matrix products
// in the low precision; losses, weights and optimiser state in fp32). fp16's
// narrow range needs its gradients scaled (train/grad_scaler.h); bf16 has
// fp32's range and needs no scaling.
#pragma once

#include <c10/core/ScalarType.h>

#include <string>

namespace advseg {

struct Precision {
  c10::ScalarType compute = c10::kFloat;  // kFloat (no autocast), kBFloat16 or kHalf

  bool autocast() const { return compute != c10::kFloat; }
  bool scales_gradients() const { return compute == c10::kHalf; }
  std::string name() const;  // "fp32", "bf16" or "fp16", as train.precision spells it
};

// train.precision ("fp32", "bf16", "fp16" or "auto") on `device` ("cpu",
// "cuda[:N]"). "auto" is bf16 on a CPU with native bf16 instructions
// (avx512_bf16 or amx_bf16), where convolutions run 2-4x faster than in fp32
// (docs/performance.md), and fp32 elsewhere: emulated bf16 is slow, and
// "auto" has not been measured on CUDA.
Precision resolve_precision(const std::string& setting, const std::string& device);

}  // namespace advseg
