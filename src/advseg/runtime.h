// Process-wide settings: how many threads, which device, how freed memory is kept.
#pragma once

#include <c10/core/Device.h>

#include <string>

namespace advseg {

// The intra-op thread count for `requested` on a machine with `hardware`
// threads: <= 0 means all of them, and more than the machine has is capped
// there (on 2 cores, 128 threads made a step 12x slower, 1024 made it 60x).
int thread_count(int requested, int hardware);

// Sets LibTorch's intra-op thread count once per process, before any network
// exists. `requested` <= 0: OMP_NUM_THREADS where it is set (as PyTorch
// honours it: e.g. one thread each for processes sharing a machine), else
// every core. Returns the count in use.
int configure_threads(int requested);

// Keeps freed memory in the process: glibc's malloc hands every freed block
// above its mmap threshold (at most 32 MiB by default) back to the kernel,
// and a training step frees and allocates the same activations and
// gradients again at every step, so a third of the CPU time went to page
// faults (docs/reliability.md). Blocks up to 2 GiB now come from the heap
// and the heap is not trimmed. For programs, not libraries: the `advseg`
// command calls it first thing. A GLIBC_TUNABLES naming glibc.malloc.*
// settings is the user's choice, and wins.
void keep_freed_memory();

// "cpu", "cuda" or "cuda:N"; throws advseg::Error when CUDA is asked for but
// this build or machine has none.
c10::Device parse_device(const std::string& name);

}  // namespace advseg
