#include "advseg/train/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>

#include "advseg/config/config.h"
#include "advseg/error.h"
#include "advseg/io/file_bytes.h"

namespace advseg {
namespace fs = std::filesystem;
namespace {

// Flushes a file or directory to disk, so a rename that follows never
// publishes data still sitting in the page cache.
void sync_path(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) fail_at(path, "cannot open to flush to disk");
  int status = ::fsync(fd);
  ::close(fd);
  if (status != 0) fail_at(path, "cannot flush to disk (disk full?)");
}

// Serialised in memory, then written with our own checks: LibTorch's file
// writer aborts the process when a write fails (a full disk), from a
// destructor that cannot throw.
template <class Saveable>
void save_archive(const Saveable& object, const fs::path& path) {
  std::ostringstream bytes;
  torch::serialize::OutputArchive archive;
  object.save(archive);
  archive.save_to(bytes);
  write_file_bytes(path, bytes.str());
}

template <class Loadable>
void load_archive(Loadable& object, const fs::path& path, const std::string& what) {
  if (!fs::exists(path)) fail_at(path, "missing: not a complete advseg checkpoint");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path.string());
    object.load(archive);
  } catch (const c10::Error& e) {
    std::string detail = e.what_without_backtrace();
    detail = detail.substr(0, detail.find('\n'));
    fail_at(path, "corrupted, or saved from a different " + what + ": " + detail);
  }
}

std::map<std::string, std::vector<std::int64_t>> tensor_shapes(const torch::nn::Module& module) {
  std::map<std::string, std::vector<std::int64_t>> shapes;
  for (const auto& item : module.named_parameters()) shapes[item.key()] = item.value().sizes().vec();
  for (const auto& item : module.named_buffers()) shapes[item.key()] = item.value().sizes().vec();
  return shapes;
}

// LibTorch replaces each tensor by the stored one whatever its shape, so a
// checkpoint of another architecture would load silently: compare shapes.
// Loaded tensors arrive contiguous (NCHW); each weight gets back the memory
// format it had, so channels-last networks stay channels-last.
void load_network(torch::nn::Module& network, const fs::path& path, const std::string& what) {
  auto expected = tensor_shapes(network);
  bool channels_last = false;
  for (const auto& p : network.parameters())
    channels_last = channels_last ||
                    (p.dim() == 4 && p.is_contiguous(c10::MemoryFormat::ChannelsLast) && !p.is_contiguous());
  load_archive(network, path, what);
  if (channels_last) set_memory_format(network, c10::MemoryFormat::ChannelsLast);
  for (const auto& [name, shape] : tensor_shapes(network)) {
    if (shape != expected[name])
      fail_at(path, "saved from a different " + what + ": " + name + " has shape " +
                        c10::str(c10::IntArrayRef(shape)) + ", the configured network expects " +
                        c10::str(c10::IntArrayRef(expected[name])));
  }
}

// The RNG state travels in a module-like archive so it uses the same writer.
// (A Generator copy shares the default generator's state.)
struct RngState {
  void save(torch::serialize::OutputArchive& archive) const {
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    archive.write("cpu", generator.get_state());
  }
  void load(torch::serialize::InputArchive& archive) {
    torch::Tensor state;
    archive.read("cpu", state);
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    generator.set_state(state);
  }
};

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
                            const TrainingProgress& progress, const Config& config) {
  save_archive(*networks.segmentor, dir / "segmentor.pt");
  save_archive(*optimizers.segmentor, dir / "segmentor_optimizer.pt");
  if (networks.adversary) {
    save_archive(*networks.adversary, dir / "adversary.pt");
    save_archive(*optimizers.adversary, dir / "adversary_optimizer.pt");
  }
  save_archive(RngState{}, dir / "rng.pt");
  write_file_bytes(dir / "config.yaml", to_yaml(config));
  write_file_bytes(dir / "state.json", progress_to_json_text(progress));
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
                     const Optimizers& optimizers, const TrainingProgress& progress, const Config& config) {
  fs::path checkpoints = out_dir / "checkpoints";
  fs::path link = out_dir / name;
  try {
    fs::create_directories(checkpoints);
    fs::path final_dir = fresh_directory(checkpoints, name, progress.iteration);
    fs::path staging = checkpoints / ("." + final_dir.filename().string() + ".tmp");
    fs::remove_all(staging);
    fs::create_directory(staging);
    try {
      write_checkpoint_files(staging, networks, optimizers, progress, config);
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

Config load_checkpoint_config(const fs::path& checkpoint_dir) {
  if (!fs::is_directory(checkpoint_dir)) fail_at(checkpoint_dir, "no such checkpoint directory");
  fs::path path = checkpoint_dir / "config.yaml";
  return parse_config(read_file_bytes(path), path.string());
}

TrainingProgress load_checkpoint(const fs::path& checkpoint_dir, Networks& networks, Optimizers* optimizers) {
  auto state = checkpoint_dir / "state.json";
  auto progress = parse_progress_json(read_file_bytes(state), state.string());
  load_network(*networks.segmentor, checkpoint_dir / "segmentor.pt", "segmentor architecture");
  if (networks.adversary && optimizers)
    load_network(*networks.adversary, checkpoint_dir / "adversary.pt", "adversary architecture");
  if (optimizers) {
    load_archive(*optimizers->segmentor, checkpoint_dir / "segmentor_optimizer.pt", "optimizer");
    if (optimizers->adversary)
      load_archive(*optimizers->adversary, checkpoint_dir / "adversary_optimizer.pt", "optimizer");
    RngState rng;
    load_archive(rng, checkpoint_dir / "rng.pt", "LibTorch version");
  }
  return progress;
}

}  // namespace advseg
