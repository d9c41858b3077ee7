// `advseg bench`: training, inference, memory, data-loading and convolution
// figures of the Stanford Background workload (see workload.h), optionally
// side by side with the Python twin, as one JSON report.
#pragma once

#include <iosfwd>
#include <nlohmann/json_fwd.hpp>

#include "advseg/bench/loader_bench.h"
#include "advseg/bench/twin.h"
#include "advseg/bench/workload.h"

namespace advseg {

struct BenchOptions {
  Workload workload;
  int threads = 0;  // LibTorch intra-op threads, for both sides; 0 = every core
  LoaderBench loader;
  bool twin = false;  // also run the Python twin, in each of twin_options.forms
  TwinOptions twin_options;
};

// Runs every measurement in turn, writing what it is doing to `progress`.
// Keys: train_images_per_s_{standard,adversarial}, infer_images_per_s_{b1,b8},
// peak_rss_mb, loader_images_per_s (null when the data is absent, with a
// note), train_gflops_per_s (the adversarial loop's; per loop in
// train_gflops_per_s_{standard,adversarial}), conv_peak_gflops_per_s, the
// settings and machine, notes; with the twin: twin.<form> and ratios.<form>
// (advseg / twin per figure) for each form (nchw, channels_last, compiled); with
// workload.profile: profile.{standard,adversarial} (iteration_ms,
// outside_operators_ms, ops: the operators with the most self time).
nlohmann::json run_benchmark(const BenchOptions& options, std::ostream& progress);

}  // namespace advseg
