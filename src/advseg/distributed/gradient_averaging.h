// What DistributedDataParallel does to gradients, on c10d: every worker's
// gradients are averaged over all workers, so each applies the same update:
// the one a single worker with the global batch would have computed when
// every worker's loss averages over as many terms (pixels, cells); with void
// pixels in different numbers, as in DDP, each worker's mean weighs alike.
// Gradients travel flattened into buckets of about `bucket_bytes` (DDP's
// default 25 MiB): one all-reduce per bucket, not one per tensor. Overlapped
// (DDP's way), a bucket's all-reduce starts during the backward pass, as
// soon as its last gradient is computed, while the backward pass goes on
// with earlier layers; otherwise all buckets travel after it.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace advseg {

class Communicator;

struct GradientAveraging {
  std::int64_t bucket_bytes = std::int64_t{25} << 20;
  bool overlap = true;  // start each bucket's all-reduce within the backward pass
};

class GradientAverager {
 public:
  explicit GradientAverager(std::shared_ptr<Communicator> communicator, GradientAveraging options = {});

  // Before the backward pass that computes the gradients of `parameters`
  // (their gradients zeroed or absent): overlapped, watches them arrive.
  // `local_failure` (this worker's loss was not finite) rides along in the
  // first bucket.
  void begin(const std::vector<at::Tensor>& parameters, bool local_failure);
  // After it: each gradient is now its mean over the workers (every worker
  // must compute gradients for the same parameters). Returns true when any
  // worker's loss failed, so that all skip the step together.
  bool finish();

  // begin() and finish() around a backward pass that has already run.
  bool average(const std::vector<at::Tensor>& parameters, bool local_failure);

  // Time spent in finish() (waiting for the reductions not yet done, copying
  // back: with overlap, the communication the backward pass did not hide),
  // and how many updates it averaged.
  double seconds() const { return seconds_; }
  std::int64_t updates() const { return updates_; }

 private:
  struct Bucket {
    std::vector<std::size_t> members;  // indices into parameters_
    at::Tensor flat;                   // the members' gradients, end to end (+ the flag in bucket 0)
    std::size_t arrived = 0;
    std::function<void()> wait;  // set once its all-reduce has started
  };
  // The buckets for `parameters`, none started.
  void prepare(const std::vector<at::Tensor>& parameters, bool local_failure);
  void arrive(std::size_t parameter, const at::Tensor& gradient);
  void start_ready_buckets();
  void start(Bucket& bucket);

  std::shared_ptr<Communicator> communicator_;
  GradientAveraging options_;
  std::vector<at::Tensor> parameters_;
  std::vector<std::pair<std::size_t, std::int64_t>> slots_;  // parameter -> (bucket, offset)
  std::vector<Bucket> buckets_;
  std::size_t next_to_start_ = 0;  // buckets start in order, the same on every worker
  std::vector<unsigned> hooks_;
  double seconds_ = 0;
  std::int64_t updates_ = 0;
};

}  // namespace advseg
