// Process-wide LibTorch settings: how many threads, which device.
#pragma once

#include <c10/core/Device.h>

#include <string>

namespace advseg {

// Sets LibTorch's intra-op thread count (LibTorch defaults to one thread on
// this Debian build). `requested` <= 0 means every hardware thread. Returns
// the count in use.
int configure_threads(int requested);

// "cpu", "cuda" or "cuda:N"; throws advseg::Error when CUDA is asked for but
// this build or machine has none.
c10::Device parse_device(const std::string& name);

// Whether convolutions run in bf16 under train.precision: "bf16" always;
// "auto" on a CPU with native bf16 instructions (avx512_bf16 or amx_bf16),
// where they run 2-4x faster than fp32 (docs/performance.md); "fp32" never.
// On CUDA "auto" keeps fp32: its accuracy there has not been measured.
bool uses_bf16(const std::string& precision, const std::string& device);

}  // namespace advseg
