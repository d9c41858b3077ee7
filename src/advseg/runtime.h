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

}  // namespace advseg
