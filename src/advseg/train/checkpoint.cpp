#include "advseg/train/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/core/Generator.h>
#include <torch/cuda.h>

#include <functional>
#include <iomanip>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "advseg/config/config.h"
#include "advseg/error.h"
#include "advseg/inference/checkpoint_files.h"
#include "advseg/io/file_bytes.h"

namespace advseg {
namespace fs = std::filesystem;
namespace {

// The default generator of each CUDA device this process can see (none
// without a GPU). (A Generator copy shares the default generator's state.)
std::vector<std::pair<std::string, at::Generator>> cuda_generators() {
  std::vector<std::pair<std::string, at::Generator>> generators;
  if (!torch::cuda::is_available()) return generators;
  for (c10::DeviceIndex i = 0; i < torch::cuda::device_count(); ++i) {
    const c10::Device device(c10::kCUDA, i);
    generators.emplace_back(device.str(), at::globalContext().defaultGenerator(device));
  }
  return generators;
}

// The RNG states travel in a module-like archive so they use the same
// writer: "cpu", and "cuda:<i>" for each CUDA device. A data-parallel run
// adds the other ranks' CPU states as "cpu_rank_<r>".
void save_rng_states(torch::serialize::OutputArchive& archive, const std::vector<torch::Tensor>& workers) {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  archive.write("cpu", workers.empty() ? generator.get_state() : workers.front());
  for (std::size_t rank = 1; rank < workers.size(); ++rank)
    archive.write("cpu_rank_" + std::to_string(rank), workers[rank]);
  for (auto& [key, cuda] : cuda_generators()) archive.write(key, cuda.get_state());
}

// A CUDA state saved on a machine with more (or any) GPUs than this one has
// no generator here, and is left unused.
void load_rng_state(torch::serialize::InputArchive& archive) {
  torch::Tensor state;
  archive.read("cpu", state);
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  generator.set_state(state);
  for (auto& [key, cuda] : cuda_generators())
    if (torch::Tensor saved; archive.try_read(key, saved)) cuda.set_state(saved);
}

// One file of a checkpoint, written and read by the same entry: save and
// load walk one list, so a new part (an EMA teacher) is one entry.
struct Part {
  const char* file;
  std::function<void(torch::serialize::OutputArchive&)> save;
  std::function<void(const fs::path&)> load;
};

Part network_part(const char* file, torch::nn::Module& network, const char* what) {
  return {file, [&network](auto& archive) { network.save(archive); },
          [&network, what](const fs::path& path) { load_network_weights(network, path, what); }};
}

// Optimiser states live where the weights they update live.
Part optimizer_part(const char* file, torch::optim::Optimizer& optimizer, const c10::Device& device) {
  return {file, [&optimizer](auto& archive) { optimizer.save(archive); },
          [&optimizer, device](const fs::path& path) {
            read_archive(path, "optimizer", device, [&](auto& archive) { optimizer.load(archive); });
          }};
}

// Every part of a training checkpoint but its config and progress.
// `worker_rng_states`: see save_checkpoint.
std::vector<Part> training_parts(const Networks& networks, const Optimizers& optimizers,
                                 const std::vector<torch::Tensor>& worker_rng_states = {}) {
  namespace file = checkpoint_file;
  const auto device = networks.segmentor->parameters().front().device();
  std::vector<Part> parts = {network_part(file::kSegmentor, *networks.segmentor, "segmentor architecture"),
                             optimizer_part(file::kSegmentorOptimizer, *optimizers.segmentor, device)};
  if (networks.adversary) {
    parts.push_back(network_part(file::kAdversary, *networks.adversary, "adversary architecture"));
    parts.push_back(optimizer_part(file::kAdversaryOptimizer, *optimizers.adversary, device));
  }
  if (networks.aux_adversary) {
    parts.push_back(network_part(file::kAuxAdversary, *networks.aux_adversary, "adversary architecture"));
    parts.push_back(optimizer_part(file::kAuxAdversaryOptimizer, *optimizers.aux_adversary, device));
  }
  if (networks.teacher)
    parts.push_back(network_part(file::kTeacher, *networks.teacher, "segmentor architecture"));
  if (auto* scaler = optimizers.scaler.get())
    // A run switched to fp16 on resuming starts its scaler afresh.
    parts.push_back({file::kGradScaler, [scaler](auto& archive) { scaler->save(archive); },
                     [scaler, device](const fs::path& path) {
                       if (fs::exists(path))
                         read_archive(path, "gradient scaler", device,
                                      [&](auto& archive) { scaler->load(archive); });
                     }});
  parts.push_back(
      {file::kRng, [&worker_rng_states](auto& archive) { save_rng_states(archive, worker_rng_states); },
       [](const fs::path& path) { read_archive(path, "LibTorch version", c10::kCPU, load_rng_state); }});
  return parts;
}

// A directory name under checkpoints/ that no earlier save has used.
fs::path fresh_directory(const fs::path& checkpoints, const std::string& name, std::int64_t iteration) {
  std::ostringstream base;
  base << name << "-it" << std::setw(8) << std::setfill('0') << iteration;
  fs::path candidate = checkpoints / base.str();
  for (int suffix = 1; fs::exists(candidate); ++suffix)
    candidate = checkpoints / (base.str() + "." + std::to_string(suffix));
  return candidate;
}

void write_checkpoint_files(const fs::path& dir, const Networks& networks, const Optimizers& optimizers,
                            const TrainingProgress& progress, const Config& config,
                            const std::vector<torch::Tensor>& worker_rng_states) {
  namespace file = checkpoint_file;
  for (const auto& part : training_parts(networks, optimizers, worker_rng_states))
    write_archive(dir / part.file, part.save);
  write_file_bytes(dir / file::kConfig, to_yaml(config));
  write_file_bytes(dir / file::kState, progress_to_json_text(progress));
  for (const auto& entry : fs::directory_iterator(dir)) sync_path(entry.path());
  sync_path(dir);
}

// Points OUT/<name> at `target` with one atomic rename of a symlink.
void switch_link(const fs::path& link, const fs::path& target) {
  if (fs::exists(fs::symlink_status(link)) && !fs::is_symlink(fs::symlink_status(link)))
    fail_at(link, "exists and is not a link made by advseg; move it away");
  fs::path temporary = link.parent_path() / ("." + link.filename().string() + ".link-tmp");
  fs::remove(temporary);
  fs::create_directory_symlink(fs::relative(target, link.parent_path()), temporary);
  fs::rename(temporary, link);
  sync_path(link.parent_path());
}

// Removes every other directory of checkpoint `name`: the one the link
// pointed to before, and any left by a run killed mid-save (staging
// directories, or a finished directory the link never reached).
void remove_superseded(const fs::path& checkpoints, const std::string& name, const fs::path& current) {
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(checkpoints)) {
    auto file = entry.path().filename().string();
    bool ours = file.rfind(name + "-it", 0) == 0 || file.rfind("." + name + "-it", 0) == 0;
    if (ours && entry.path() != current) fs::remove_all(entry.path(), ignored);
  }
}

}  // namespace

void save_checkpoint(const fs::path& out_dir, const std::string& name, const Networks& networks,
                     const Optimizers& optimizers, const TrainingProgress& progress, const Config& config,
                     const std::vector<torch::Tensor>& worker_rng_states) {
  fs::path checkpoints = out_dir / "checkpoints";
  fs::path link = out_dir / name;
  try {
    fs::create_directories(checkpoints);
    fs::path final_dir = fresh_directory(checkpoints, name, progress.iteration);
    fs::path staging = checkpoints / ("." + final_dir.filename().string() + ".tmp");
    fs::remove_all(staging);
    fs::create_directory(staging);
    try {
      write_checkpoint_files(staging, networks, optimizers, progress, config, worker_rng_states);
    } catch (...) {
      std::error_code ignored;
      fs::remove_all(staging, ignored);  // free the space a full disk needs back
      throw;
    }
    fs::rename(staging, final_dir);
    sync_path(checkpoints);

    switch_link(link, final_dir);
    remove_superseded(checkpoints, name, final_dir);
  } catch (const fs::filesystem_error& e) {
    fail_at(e.path1().empty() ? out_dir : e.path1(),
            std::string("cannot save checkpoint: ") + e.code().message());
  }
}

TrainingProgress load_checkpoint(const fs::path& checkpoint_dir, Networks& networks, Optimizers& optimizers) {
  require_checkpoint_dir(checkpoint_dir);
  auto state = checkpoint_dir / checkpoint_file::kState;
  auto progress = parse_progress_json(read_file_bytes(state), state.string());
  for (const auto& part : training_parts(networks, optimizers)) part.load(checkpoint_dir / part.file);
  return progress;
}

std::optional<torch::Tensor> load_worker_rng_state(const fs::path& checkpoint_dir, int rank) {
  if (rank == 0) return std::nullopt;
  std::optional<torch::Tensor> state;
  read_archive(checkpoint_dir / checkpoint_file::kRng, "LibTorch version", c10::kCPU,
               [&](torch::serialize::InputArchive& archive) {
                 torch::Tensor saved;
                 if (archive.try_read("cpu_rank_" + std::to_string(rank), saved)) state = saved;
               });
  return state;
}

}  // namespace advseg
