#include "advseg/distributed/communicator.h"

#include <c10/util/Logging.h>
#include <torch/cuda.h>

#include <torch/csrc/distributed/c10d/Backend.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/Types.hpp>
#include <torch/csrc/distributed/c10d/Work.hpp>
#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <optional>
#include <sstream>

#include "advseg/distributed/heartbeat.h"
#include "advseg/error.h"

namespace advseg {
namespace {

// The collectives of one device type: a Gloo or an NCCL backend.
using Collectives = c10d::Backend;

std::chrono::milliseconds as_duration(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

#ifdef USE_C10D_GLOO
// Gloo's transport: the interface GLOO_SOCKET_IFNAME names (as PyTorch reads
// it), else the address this host's name resolves to, else loopback.
std::shared_ptr<::gloo::transport::Device> gloo_device() {
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface)
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  return c10d::ProcessGroupGloo::createDefaultDevice();
}
#endif

c10::intrusive_ptr<Collectives> gloo_group([[maybe_unused]] const c10::intrusive_ptr<c10d::Store>& store,
                                           [[maybe_unused]] const WorkerGroup& group) {
#ifdef USE_C10D_GLOO
  auto options = c10d::ProcessGroupGloo::Options::create(as_duration(group.timeout_s));
  options->devices.push_back(gloo_device());
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, group.rank, group.world_size, options);
#else
  throw Error(
      "--dist-backend gloo: this advseg was built without Gloo's headers (Debian: apt-get install "
      "libgloo-dev, then rebuild)");
#endif
}

c10::intrusive_ptr<Collectives> nccl_group([[maybe_unused]] const c10::intrusive_ptr<c10d::Store>& store,
                                           [[maybe_unused]] const WorkerGroup& group) {
#ifdef USE_C10D_NCCL
  // NCCL applies the timeout only with blocking waits (or async error
  // handling): without them a dead rank would hang the others forever.
  ::setenv("NCCL_BLOCKING_WAIT", "1", 0);
  ::setenv("TORCH_NCCL_BLOCKING_WAIT", "1", 0);
  auto options = c10d::ProcessGroupNCCL::Options::create();
  options->timeout = as_duration(group.timeout_s);
  return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, group.rank, group.world_size, options);
#else
  throw Error(
      "--dist-backend nccl: this advseg was built without NCCL (build it against a CUDA LibTorch, such as "
      "the PyPI wheel scripts/setup.sh installs, with nccl.h found), or use gloo");
#endif
}

// c10d logs each retry of a rendezvous, as a warning or an error, with
// LibTorch's C++ stack: three screens before advseg's own message, which
// names the rank and the cause. Quiet unless TORCH_CPP_LOG_LEVEL asks for it.
void quiet_c10d_logs() {
  if (const char* level = std::getenv("TORCH_CPP_LOG_LEVEL"); level && *level) return;
  FLAGS_caffe2_log_level = std::max<int>(FLAGS_caffe2_log_level, 3);  // 3: FATAL only
}

// LibTorch's message, without the C++ stack it appends after a newline.
std::string without_stack(const std::string& message) {
  return message.substr(0, std::min<std::size_t>(message.find('\n'), 300));
}

c10::intrusive_ptr<c10d::Store> tcp_store(const WorkerGroup& group, bool host) {
  c10d::TCPStoreOptions options;
  options.port = static_cast<std::uint16_t>(group.master_port);
  options.isServer = host;
  options.numWorkers = static_cast<std::size_t>(group.world_size);
  options.waitWorkers = false;
  options.timeout = as_duration(group.timeout_s);
  try {
    return c10::make_intrusive<c10d::TCPStore>(group.master_addr, options);
  } catch (const std::exception& e) {
    throw Error("rank " + std::to_string(group.rank) + ": cannot " + (host ? "host" : "reach") +
                " the rendezvous store at " + group.master_addr + ":" + std::to_string(group.master_port) +
                " within " + seconds_text(group.timeout_s) + " (" + without_stack(e.what()) + ")");
  }
}

std::string rank_list(const std::vector<int>& ranks) {
  std::string text;
  for (int rank : ranks) text += (text.empty() ? "" : ", ") + std::to_string(rank);
  return text;
}

}  // namespace

struct Communicator::State {
  WorkerGroup group_settings;  // rank, world size, timeout, ...
  std::string store_address;   // "host:port", for errors; empty for a store given by a test
  bool nccl = false;
  c10::Device device = c10::kCPU;         // where NCCL's tensors must be
  c10::intrusive_ptr<c10d::Store> store;  // our keys (gather, heartbeat)
  // A store client of its own for the diagnosis of a failure, connected
  // while every rank was there: the gathers' client may be left mid-request
  // by a get that timed out, and connecting anew to a host that died waits
  // out the whole timeout.
  c10::intrusive_ptr<c10d::Store> diagnosis_store;
  c10::intrusive_ptr<Collectives> group;
  std::optional<Heartbeat> heartbeat;
  std::int64_t gathers = 0;
  bool joined = false;  // a run that never joined has no checkpoint to speak of

  // The error for a collective that failed: which ranks stopped answering.
  [[noreturn]] void fail(const std::string& what, const std::exception& cause) {
    std::ostringstream text;
    text << "distributed training: " << what << " failed on rank " << group_settings.rank << " of "
         << group_settings.world_size << ": ";
    try {
      const auto silent = heartbeat->silent_ranks(*diagnosis_store, 6 * Heartbeat::kInterval);
      if (!silent.never_joined.empty())
        text << "rank " << rank_list(silent.never_joined) << " never joined (not started, or it failed "
             << "before joining; its own output says why)" << (silent.stopped.empty() ? "" : "; ");
      if (!silent.stopped.empty())
        text << "rank " << rank_list(silent.stopped) << (silent.stopped.size() == 1 ? " has" : " have")
             << " stopped (died or hangs)";
      if (silent.never_joined.empty() && silent.stopped.empty())
        text << "every other rank's heartbeat still beats: one of them is stuck outside the collectives "
                "(a deadlock, a stalled file system?) or failed with an error of its own";
    } catch (const std::exception&) {
      text << "the rendezvous store" << (store_address.empty() ? "" : " at " + store_address)
           << " is unreachable: "
           << (group_settings.agent_store
                   ? "torchrun's agent, which hosts it, has stopped"
                   : "rank 0, which hosts it, has stopped (died, hangs, or exited after "
                     "another rank's failure)");
    }
    if (joined) text << "; a checkpoint on disk, if any, is the last complete one";
    text << ". Detail: " << without_stack(cause.what());
    throw Error(text.str());
  }

  // Runs the collectives `start` returns and waits for them all.
  template <class Start>
  void run(const std::string& what, Start start) {
    try {
      auto works = start();
      for (auto& work : works) work->wait();
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      fail(what, e);
    }
  }

  // Runs `collective` on each tensor (all started, then waited for), on the
  // group's device, and copies the results back.
  template <class Collective>
  void each_tensor(const std::vector<at::Tensor>& tensors, const std::string& what, Collective collective) {
    auto moved = on_group_device(tensors);
    run(what, [&] {
      std::vector<c10::intrusive_ptr<c10d::Work>> works;
      for (auto& tensor : moved) {
        std::vector<at::Tensor> one{tensor};
        works.push_back(collective(one));
      }
      return works;
    });
    copy_back(tensors, moved);
  }

  // NCCL reduces CUDA tensors only: CPU ones travel through the device.
  std::vector<at::Tensor> on_group_device(const std::vector<at::Tensor>& tensors) const {
    if (!nccl) return tensors;
    std::vector<at::Tensor> moved;
    for (const auto& t : tensors) moved.push_back(t.is_cuda() ? t : t.to(device));
    return moved;
  }
  static void copy_back(const std::vector<at::Tensor>& tensors, const std::vector<at::Tensor>& moved) {
    for (std::size_t i = 0; i < tensors.size(); ++i)
      if (!moved[i].is_same(tensors[i])) tensors[i].copy_(moved[i]);
  }
};

Communicator::Communicator(std::unique_ptr<State> state) : state_(std::move(state)) {}
Communicator::~Communicator() = default;

std::shared_ptr<Communicator> Communicator::join(const WorkerGroup& group, c10::DeviceType device) {
  check_worker_group(group);
  quiet_c10d_logs();
  auto state = std::make_unique<State>();
  state->group_settings = group;
  state->store_address = group.master_addr + ":" + std::to_string(group.master_port);
  const std::string backend = !group.backend.empty() ? group.backend : device == c10::kCUDA ? "nccl" : "gloo";
  state->nccl = backend == "nccl";
  if (state->nccl && !torch::cuda::is_available())
    throw Error("rank " + std::to_string(group.rank) +
                ": --dist-backend nccl needs a CUDA GPU and none is visible to this process (train with "
                "--device cuda on a machine with GPUs, or use --dist-backend gloo)");
  if (state->nccl) state->device = c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(group.local_rank));
  // The keys of a restarted attempt (torchrun --max_restarts) never meet the last one's.
  const std::string prefix = "advseg/attempt_" + std::to_string(group.restart_count) + "/";
  const bool host = group.is_main() && !group.agent_store;
  auto server = tcp_store(group, host);
  state->store = c10::make_intrusive<c10d::PrefixStore>(prefix, server);
  state->diagnosis_store = c10::make_intrusive<c10d::PrefixStore>(prefix, tcp_store(group, false));
  state->heartbeat.emplace(c10::make_intrusive<c10d::PrefixStore>(prefix, tcp_store(group, false)),
                           group.rank, group.world_size);
  auto group_store = c10::make_intrusive<c10d::PrefixStore>(prefix + "group/", server);
  try {
    state->group = state->nccl ? nccl_group(group_store, group) : gloo_group(group_store, group);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    state->fail("joining the " + backend + " process group", e);
  }
  state->joined = true;
  return std::shared_ptr<Communicator>(new Communicator(std::move(state)));
}

std::shared_ptr<Communicator> Communicator::over_store(const c10::intrusive_ptr<c10d::Store>& store, int rank,
                                                       int world_size, double timeout_s) {
  auto state = std::make_unique<State>();
  state->group_settings.rank = rank;
  state->group_settings.world_size = world_size;
  state->group_settings.timeout_s = timeout_s;
  state->store = store;
  state->diagnosis_store = store;
  state->heartbeat.emplace(store, rank, world_size);
  state->group = gloo_group(c10::make_intrusive<c10d::PrefixStore>("group/", store), state->group_settings);
  state->joined = true;
  return std::shared_ptr<Communicator>(new Communicator(std::move(state)));
}

int Communicator::rank() const { return state_->group_settings.rank; }
int Communicator::world_size() const { return state_->group_settings.world_size; }
const WorkerGroup& Communicator::group() const { return state_->group_settings; }

void Communicator::sum(const std::vector<at::Tensor>& tensors, const std::string& what) {
  state_->each_tensor(tensors, what, [&](std::vector<at::Tensor>& one) {
    return state_->group->allreduce(one, c10d::AllreduceOptions());
  });
}

std::function<void()> Communicator::start_sum(const at::Tensor& tensor, const std::string& what) {
  c10::intrusive_ptr<c10d::Work> work;
  state_->run(what, [&] {
    std::vector<at::Tensor> one{tensor};
    work = state_->group->allreduce(one, c10d::AllreduceOptions());
    return std::vector<c10::intrusive_ptr<c10d::Work>>{};
  });
  return [state = state_.get(), work, what] {
    state->run(what, [&] { return std::vector<c10::intrusive_ptr<c10d::Work>>{work}; });
  };
}

void Communicator::broadcast_from_main(const std::vector<at::Tensor>& tensors, const std::string& what) {
  state_->each_tensor(tensors, what, [&](std::vector<at::Tensor>& one) {
    return state_->group->broadcast(one, c10d::BroadcastOptions());
  });
}

void Communicator::barrier(const std::string& what) {
  state_->run(what, [&] { return std::vector<c10::intrusive_ptr<c10d::Work>>{state_->group->barrier()}; });
}

namespace {

// Fault injection for the tests: ADVSEG_TEST_STOP_IN_GATHER=<rank> makes that
// rank stop itself (SIGSTOP: alive and silent, as a hung worker) on entering
// its first gather, the one path a signal from outside cannot aim at.
void stop_here_if_asked(int rank) {
  const char* victim = std::getenv("ADVSEG_TEST_STOP_IN_GATHER");
  if (victim && *victim && std::to_string(rank) == victim) ::raise(SIGSTOP);
}

}  // namespace

std::vector<std::string> Communicator::gather_on_main(const std::string& bytes, const std::string& what) {
  stop_here_if_asked(rank());
  const std::string round = "advseg/gather/" + std::to_string(state_->gathers++) + "/";
  std::vector<std::string> all;
  try {
    state_->store->set(round + std::to_string(rank()), std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
    if (!is_main()) return all;
    for (int rank = 0; rank < world_size(); ++rank) {
      const auto key = round + std::to_string(rank);
      const auto value = state_->store->get(key);  // waits for it, up to the timeout
      all.emplace_back(value.begin(), value.end());
      state_->store->deleteKey(key);
    }
  } catch (const std::exception& e) {
    state_->fail(what, e);
  }
  return all;
}

}  // namespace advseg
