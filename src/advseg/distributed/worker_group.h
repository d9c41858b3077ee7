// Who this process is in a data-parallel run, read the way PyTorch scripts
// read it: the environment torchrun (and Slurm or mpirun wrappers) set, with
// RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT, and, under
// torchrun, TORCHELASTIC_USE_AGENT_STORE (the launcher hosts the rendezvous
// store). Explicit command-line flags override the environment. Torch-free,
// so the parsing is tested and fuzzed cheaply.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace advseg {

struct WorkerGroup {
  int rank = 0;
  int world_size = 1;        // 1: a single-process run, nothing distributed
  int local_rank = 0;        // on this machine: picks cuda:LOCAL_RANK (unset: the rank)
  int local_world_size = 0;  // workers on this machine (LOCAL_WORLD_SIZE); 0: unknown, take world_size
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  bool agent_store = false;  // the launcher hosts the TCP store; rank 0 only connects to it
  int restart_count = 0;     // TORCHELASTIC_RESTART_COUNT: keys of a restarted attempt stay apart
  std::string backend;       // "gloo", "nccl" or "" (from the device: gloo on CPU, nccl on CUDA)
  double timeout_s = 300;    // a collective or a silent worker waits this long before failing
  double bucket_mb = 25;     // gradients travel in buckets of about this size (DDP's default)
  bool overlap = true;       // a bucket's all-reduce starts during the backward pass

  bool distributed() const { return world_size > 1; }
  bool is_main() const { return rank == 0; }
};

// Looks up one environment variable; nothing when unset.
using Environment = std::function<std::optional<std::string>(const std::string& name)>;

// The process's own environment.
Environment process_environment();

// The group described by `environment`: a single process when WORLD_SIZE is
// unset. Malformed or inconsistent values throw advseg::Error naming the
// variable and the value.
WorkerGroup worker_group_from(const Environment& environment);

// "300 s", "2.5 s": a duration for messages.
std::string seconds_text(double seconds);

// Checks a group after flags have overridden the environment: rank within
// the world, a port, a known backend, a positive timeout; advseg::Error
// naming the flag or variable otherwise.
void check_worker_group(const WorkerGroup& group);

}  // namespace advseg
