// The data pipeline's throughput on the real Stanford Background files:
// decoding, augmentation (scale, crop, flip) and batching, as in training.
#pragma once

#include "advseg/bench/workload.h"

namespace advseg {

struct LoaderBench {
  int threads = 1;   // background loading threads (train.loader_threads)
  int batches = 20;  // batches to time (fewer if the epoch is shorter)
};

// Images/s through BatchLoader over the train split under workload.data_root,
// from the loader's start to its last batch. Throws advseg::Error on a
// missing or bad dataset file.
double bench_loader(const Workload& workload, const LoaderBench& options);

}  // namespace advseg
