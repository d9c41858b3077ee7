// The collectives of a data-parallel run, on PyTorch's own distributed layer
// (c10d): a TCP store for the rendezvous, then a Gloo (CPU) or NCCL (CUDA)
// process group. Every worker calls the same collectives in the same order;
// a failure (a worker that died or hangs) becomes an advseg::Error that names
// the silent rank, within the group's timeout, never a hang.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/DeviceType.h>
#include <c10/util/intrusive_ptr.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "advseg/distributed/worker_group.h"

namespace c10d {
class Store;
}

namespace advseg {

class Communicator {
 public:
  // Joins `group` (world size > 1): rank 0 (or torchrun's agent) hosts the
  // store at MASTER_ADDR:MASTER_PORT, and every worker must call this.
  static std::shared_ptr<Communicator> join(const WorkerGroup& group, c10::DeviceType device);
  // Over a store that exists already (tests run workers as threads sharing one).
  static std::shared_ptr<Communicator> over_store(const c10::intrusive_ptr<c10d::Store>& store, int rank,
                                                  int world_size, double timeout_s);
  ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  int rank() const;
  int world_size() const;
  // What the group was joined with (over_store: the defaults, with its rank and size).
  const WorkerGroup& group() const;
  bool is_main() const { return rank() == 0; }

  // Replaces each tensor by its sum over every worker (all at once, then
  // waits). `what` names the operation in errors.
  void sum(const std::vector<at::Tensor>& tensors, const std::string& what);
  // Starts the sum of `tensor` (on the process group's device) in the
  // background; the returned function waits for it.
  std::function<void()> start_sum(const at::Tensor& tensor, const std::string& what);
  // Copies rank 0's values of the tensors into every worker's.
  void broadcast_from_main(const std::vector<at::Tensor>& tensors, const std::string& what);
  void barrier(const std::string& what);
  // Each worker's `bytes`, in rank order, on rank 0; the others get nothing.
  std::vector<std::string> gather_on_main(const std::string& bytes, const std::string& what);

 private:
  struct State;
  explicit Communicator(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace advseg
