// Process-wide LibTorch settings: how many threads, which device.
#pragma once

#include <c10/core/Device.h>

#include <string>

namespace advseg {

// The intra-op thread count for `requested` on a machine with `hardware`
// threads: <= 0 means all of them, and more than the machine has is capped
// there (on 2 cores, 128 threads made a step 12x slower, 1024 made it 60x).
int thread_count(int requested, int hardware);

// Sets LibTorch's intra-op thread count once per process, before any network
// exists (LibTorch defaults to one thread here). Returns the count in use.
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
