// The Trainer's data-parallel side (trainer.h): joining the workers, rank
// 0's weights for all, collective stops, sharded loaders, every rank's RNG
// state in the checkpoint, and resuming with another world size.
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <iomanip>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "advseg/data/loader.h"
#include "advseg/data/random.h"
#include "advseg/distributed/communicator.h"
#include "advseg/error.h"
#include "advseg/models/sync_batch_norm.h"
#include "advseg/train/trainer.h"

namespace advseg {
namespace {

// The tensors of the networks that rank 0 decides: parameters (every
// learning one) or buffers (BatchNorm's running statistics).
std::vector<torch::Tensor> network_tensors(const Networks& networks, bool parameters) {
  std::vector<torch::Tensor> tensors;
  for (const torch::nn::Module* network :
       {static_cast<const torch::nn::Module*>(networks.segmentor.get()),
        static_cast<const torch::nn::Module*>(networks.adversary.get()),
        static_cast<const torch::nn::Module*>(networks.aux_adversary.get())}) {
    if (network == nullptr) continue;
    for (const auto& t : parameters ? network->parameters() : network->buffers())
      tensors.push_back(t.detach());
  }
  return tensors;
}

std::string as_bytes(const torch::Tensor& state) {
  const auto bytes = state.contiguous();
  return {static_cast<const char*>(bytes.data_ptr()), static_cast<std::size_t>(bytes.nbytes())};
}

torch::Tensor from_bytes(const std::string& bytes) {
  return torch::from_blob(const_cast<char*>(bytes.data()), {static_cast<std::int64_t>(bytes.size())},
                          torch::kUInt8)
      .clone();
}

}  // namespace

// "data-parallel: gradient averaging waited 3.1 ms per update (2.0% of 155 ms per iteration, ...)".
std::string Trainer::communication_summary(std::int64_t iterations, double seconds) const {
  const GradientAverager& averager = *settings_.workers;
  std::ostringstream text;
  text << std::fixed << std::setprecision(1) << "data-parallel: gradient averaging waited "
       << 1000 * averager.seconds() / std::max<std::int64_t>(1, averager.updates()) << " ms per update ("
       << 100 * averager.seconds() / std::max(1e-9, seconds) << "% of "
       << 1000 * seconds / static_cast<double>(std::max<std::int64_t>(1, iterations))
       << " ms per iteration, validation included, on rank 0)";
  return text.str();
}

bool Trainer::is_main() const { return !workers_ || workers_->is_main(); }

int Trainer::world_size() const { return workers_ ? workers_->world_size() : 1; }

void Trainer::join_workers() {
  const auto& group = workers_->group();
  settings_.workers = std::make_shared<GradientAverager>(
      workers_, GradientAveraging{static_cast<std::int64_t>(group.bucket_mb * (1 << 20)), group.overlap});
  if (config_.model.sync_bn) {
    const SumAcrossWorkers sum = [workers = workers_](torch::Tensor& t) {
      workers->sum({t}, "synchronising batch norm statistics");
    };
    synchronize_batch_norms(*networks_.segmentor, sum);
    if (networks_.adversary) synchronize_batch_norms(*networks_.adversary, sum);
    if (networks_.aux_adversary) synchronize_batch_norms(*networks_.aux_adversary, sum);
  }
  use_worker_rng_stream();
}

void Trainer::use_worker_rng_stream() {
  // Rank 0 keeps the seed's own stream, as a single process would.
  if (workers_->rank() > 0)
    torch::manual_seed(mix_seed({static_cast<std::uint64_t>(config_.train.seed),
                                 static_cast<std::uint64_t>(workers_->rank()),
                                 static_cast<std::uint64_t>(progress_.iteration)}));
}

void Trainer::share_main_weights() {
  workers_->broadcast_from_main(network_tensors(networks_, true), "sharing rank 0's weights");
  workers_->broadcast_from_main(network_tensors(networks_, false), "sharing rank 0's batch norm statistics");
}

bool Trainer::stop_requested() const {
  const bool asked = should_stop_ && should_stop_(progress_);
  if (!distributed()) return asked;
  auto votes = torch::full({1}, asked ? 1.0 : 0.0, torch::kDouble);
  workers_->sum({votes}, "agreeing whether to stop");
  return votes.item<double>() > 0;
}

// The same epoch, the same share of it: the iteration count follows the new
// number of batches per epoch (the learning-rate schedule keeps its place).
void Trainer::rescale_to_world_size(int saved_world_size) {
  // Thresholds counted in iterations would move with the iteration count.
  const std::int64_t old_iteration = progress_.iteration;
  for (const auto& [key, threshold, used] :
       {std::tuple<const char*, std::int64_t, bool>{
            "adversarial.start_iteration", config_.adversarial.start_iteration, config_.adversarial.enabled},
        std::tuple<const char*, std::int64_t, bool>{"semi.start_iteration", config_.semi.start_iteration,
                                                    config_.semi.enabled}})
    if (used && threshold > old_iteration)
      throw Error(std::string("cannot resume with ") + std::to_string(world_size()) +
                  " worker(s) a run saved by " + std::to_string(saved_world_size) + ": its " + key + " (" +
                  std::to_string(threshold) + ") lies ahead at iteration " + std::to_string(old_iteration) +
                  ", in iterations of the old global batch; resume with " + std::to_string(saved_world_size) +
                  " worker(s) until then");
  if (progress_.batches_per_epoch > 0)
    progress_.batch_in_epoch = progress_.batch_in_epoch * batches_per_epoch_ / progress_.batches_per_epoch;
  progress_.iteration = progress_.epoch * batches_per_epoch_ + progress_.batch_in_epoch;
  if (sets_.unlabeled) {
    // The same epoch of the unlabelled loader, at the same share of it.
    const auto old_per_epoch = static_cast<std::int64_t>(
        full_batches_per_shard(sets_.unlabeled->size(), config_.train.batch_size, saved_world_size));
    if (old_per_epoch > 0) {
      const auto epoch = progress_.unlabeled_batches / old_per_epoch;
      const auto in_epoch = progress_.unlabeled_batches % old_per_epoch;
      progress_.unlabeled_batches =
          epoch * unlabeled_batches_per_epoch_ + in_epoch * unlabeled_batches_per_epoch_ / old_per_epoch;
    }
  }
  resume_note_ = "resumed a run of " + std::to_string(saved_world_size) + " worker(s) with " +
                 std::to_string(world_size()) + " at its iteration " + std::to_string(old_iteration) +
                 ": the global batch is now " + std::to_string(world_size() * config_.train.batch_size) +
                 " images, so epoch " + std::to_string(progress_.epoch + 1) + " goes on at batch " +
                 std::to_string(progress_.batch_in_epoch) + " of " + std::to_string(batches_per_epoch_) +
                 " and iterations are counted in the new batches from " + std::to_string(progress_.iteration);
}

void Trainer::shard_for_this_worker(LoaderOptions& options) const {
  if (!distributed()) return;
  options.shard = workers_->rank();
  options.shards = world_size();
}

std::vector<torch::Tensor> Trainer::gather_rng_states() {
  if (!distributed()) return {};
  const at::Generator generator = at::detail::getDefaultCPUGenerator();
  std::vector<torch::Tensor> states;
  for (const auto& bytes :
       workers_->gather_on_main(as_bytes(generator.get_state()), "gathering the workers' RNG states"))
    states.push_back(from_bytes(bytes));
  return states;
}

void Trainer::restore_worker_rng_stream(const std::filesystem::path& checkpoint_dir) {
  // Each rank's own stream where the checkpoint has it (same world size), else a fresh one.
  const auto state = progress_.world_size == world_size()
                         ? load_worker_rng_state(checkpoint_dir, workers_->rank())
                         : std::nullopt;
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  if (state)
    generator.set_state(*state);
  else
    use_worker_rng_stream();
}

void Trainer::share_main_batch_norm_statistics() {
  workers_->broadcast_from_main(network_tensors(networks_, false), "sharing rank 0's batch norm statistics");
}

}  // namespace advseg
