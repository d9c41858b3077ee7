#include "advseg/bench/loader_bench.h"

#include <chrono>

#include "advseg/data/dataset.h"
#include "advseg/data/loader.h"
#include "advseg/data/pipeline_options.h"
#include "advseg/error.h"

namespace advseg {

double bench_loader(const Workload& workload, const LoaderBench& options) {
  Config config = workload_config(workload, /*adversarial=*/false);
  config.train.loader_threads = options.threads;
  // Opening the split checks every file; that is start-up, not throughput.
  auto dataset = make_dataset(config.data, "train");

  const auto start = std::chrono::steady_clock::now();
  BatchLoader loader(dataset, training_loader_options(config, /*epoch=*/0, /*skip_batches=*/0));
  std::int64_t images = 0;
  for (int i = 0; i < options.batches; ++i) {
    auto batch = loader.next();
    if (!batch) break;
    images += batch->images.size(0);
  }
  if (images == 0)
    throw Error("bench: the train split under " + workload.data_root.string() +
                " holds less than one batch of " + std::to_string(workload.batch) + " images");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return static_cast<double>(images) / seconds;
}

}  // namespace advseg
