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

}  // namespace advseg
