// What DistributedDataParallel does to gradients, on c10d: after the
// backward pass, every worker's gradients are averaged over all workers, so
// each applies the same update, the one a single worker with the global
// batch would have computed. Gradients travel flattened into buckets of about
// `bucket_bytes` (DDP's default 25 MiB): one all-reduce per bucket, not one
// per tensor, so small tensors do not pay a round trip each.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace advseg {

class Communicator;

class GradientAverager {
 public:
  explicit GradientAverager(std::shared_ptr<Communicator> communicator,
                            std::int64_t bucket_bytes = std::int64_t{25} << 20);

  // Replaces the gradient of each of `parameters` that has one by its mean
  // over the workers (every worker must hold gradients for the same
  // parameters). `local_failure` (this worker's loss was not finite) rides
  // along in the first bucket: returns true when any worker's did, so that
  // all skip the step together.
  bool average(const std::vector<at::Tensor>& parameters, bool local_failure);

  // Time spent flattening, reducing and copying back, since construction.
  double seconds() const { return seconds_; }

 private:
  std::shared_ptr<Communicator> communicator_;
  std::int64_t bucket_bytes_;
  double seconds_ = 0;
};

}  // namespace advseg
