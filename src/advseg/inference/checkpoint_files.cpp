#include "advseg/inference/checkpoint_files.h"

#include <c10/util/Exception.h>
#include <c10/util/StringUtil.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <sstream>
#include <system_error>
#include <vector>

#include "advseg/config/config.h"
#include "advseg/error.h"
#include "advseg/io/file_bytes.h"
#include "advseg/models/from_config.h"
#include "advseg/runtime.h"

namespace advseg {
namespace fs = std::filesystem;
namespace {

using Shapes = std::map<std::string, std::vector<std::int64_t>>;

Shapes tensor_shapes(const torch::nn::Module& module) {
  Shapes shapes;
  for (const auto& item : module.named_parameters()) shapes[item.key()] = item.value().sizes().vec();
  for (const auto& item : module.named_buffers()) shapes[item.key()] = item.value().sizes().vec();
  return shapes;
}

bool has_channels_last_weights(const torch::nn::Module& network) {
  for (const auto& p : network.parameters())
    if (p.dim() == 4 && p.is_contiguous(c10::MemoryFormat::ChannelsLast) && !p.is_contiguous()) return true;
  return false;
}

c10::Device device_of(const torch::nn::Module& network) {
  const auto parameters = network.parameters();
  return parameters.empty() ? c10::Device(c10::kCPU) : parameters.front().device();
}

bool is_blank(const std::string& text) { return text.find_first_not_of(" \t\r\n") == std::string::npos; }

}  // namespace

void require_checkpoint_dir(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) fail_at(dir, "no such checkpoint directory");
  if (fs::exists(dir / checkpoint_file::kConfig, error)) return;
  for (const char* name : {"last", "best"})
    if (fs::exists(fs::symlink_status(dir / name, error)))
      fail_at(dir, std::string("is a training run's folder, not a checkpoint: use ") +
                       (dir / "last").string() + " (the latest) or " + (dir / "best").string() +
                       " (the best validation mIoU)");
  fail_at(dir, std::string("not an advseg checkpoint (no ") + checkpoint_file::kConfig + ")");
}

namespace {

bool holds_a_run(const fs::path& dir) {
  std::error_code error;
  return fs::exists(fs::symlink_status(dir / "last", error)) ||
         fs::exists(fs::symlink_status(dir / "best", error));
}

bool is_checkpoint(const fs::path& dir) {
  std::error_code error;
  return fs::is_regular_file(dir / checkpoint_file::kConfig, error) &&
         fs::is_regular_file(dir / checkpoint_file::kState, error);
}

}  // namespace

fs::path run_folder_of(const fs::path& checkpoint_dir) {
  std::error_code error;
  const auto dir = fs::weakly_canonical(fs::absolute(checkpoint_dir), error);
  const auto parent = dir.parent_path();
  if (parent.filename() == "checkpoints" && holds_a_run(parent.parent_path())) return parent.parent_path();
  return holds_a_run(parent) ? parent : fs::path();
}

std::vector<ReadPath> checkpoint_reads(const fs::path& checkpoint) {
  std::vector<ReadPath> reads = {{checkpoint, "the checkpoint"}};
  if (const auto run = run_folder_of(checkpoint); !run.empty())
    reads.push_back({run, "the run folder of the checkpoint"});
  return reads;
}

void check_run_out_dir(const fs::path& out, const std::vector<ReadPath>& reads) {
  check_output_folder(out, reads);
  std::error_code error;
  const auto resolved = fs::weakly_canonical(fs::absolute(out), error);
  for (auto dir = resolved; !dir.empty(); dir = dir.parent_path()) {
    if (is_checkpoint(dir))
      fail_at(out, "--out is " + std::string(dir == resolved ? "" : "inside ") + "the checkpoint " +
                       dir.string() + "; choose another --out");
    if (dir.filename() == "checkpoints" && holds_a_run(dir.parent_path()))
      fail_at(out, "--out is inside " + dir.string() +
                       ", where a run keeps its checkpoints (its next save would delete it); choose another "
                       "--out");
    if (dir == dir.parent_path()) break;
  }
}

Config load_checkpoint_config(const fs::path& checkpoint_dir) {
  require_checkpoint_dir(checkpoint_dir);
  const fs::path path = checkpoint_dir / checkpoint_file::kConfig;
  const std::string text = read_file_bytes(path);
  if (is_blank(text))
    fail_at(path, "empty: not a complete advseg checkpoint (a checkpoint's config lists every key)");
  return parse_config(text, path.string());
}

void sync_path(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) fail_at(path, "cannot open to flush to disk (" + std::generic_category().message(errno) + ")");
  int status = ::fsync(fd);
  ::close(fd);
  if (status != 0) fail_at(path, "cannot flush to disk (disk full?)");
}

void write_archive(const fs::path& path, const std::function<void(torch::serialize::OutputArchive&)>& save) {
  std::ostringstream bytes;
  torch::serialize::OutputArchive archive;
  save(archive);
  archive.save_to(bytes);
  write_file_bytes(path, bytes.str());
}

void read_archive(const fs::path& path, const std::string& what, const c10::Device& device,
                  const std::function<void(torch::serialize::InputArchive&)>& load) {
  if (!fs::exists(path)) fail_at(path, "missing: not a complete advseg checkpoint");
  // Read by advseg first, so that an unreadable file says why (permission
  // denied, a folder) instead of looking corrupted.
  std::istringstream bytes(read_file_bytes(path));
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(bytes, device);
    load(archive);
  } catch (const c10::Error& e) {
    std::string detail = e.what_without_backtrace();
    detail = detail.substr(0, detail.find('\n'));
    fail_at(path, "corrupted, or saved from a different " + what + ": " + detail);
  }
}

void load_network_weights(torch::nn::Module& network, const fs::path& path, const std::string& what) {
  auto expected = tensor_shapes(network);
  const bool channels_last = has_channels_last_weights(network);
  read_archive(path, what, device_of(network),
               [&](torch::serialize::InputArchive& archive) { network.load(archive); });
  // Loaded tensors arrive contiguous (NCHW); the weights get back their format.
  if (channels_last) set_memory_format(network, c10::MemoryFormat::ChannelsLast);
  for (const auto& [name, shape] : tensor_shapes(network)) {
    if (shape != expected[name])
      fail_at(path, "saved from a different " + what + ": " + name + " has shape " +
                        c10::str(c10::IntArrayRef(shape)) + ", the configured network expects " +
                        c10::str(c10::IntArrayRef(expected[name])));
  }
}

std::shared_ptr<SegmentorImpl> load_segmentor(const fs::path& checkpoint_dir, const Config& config) {
  auto segmentor = make_configured_segmentor(config, parse_device(config.train.device));
  load_network_weights(*segmentor, checkpoint_dir / checkpoint_file::kSegmentor, "segmentor architecture");
  return segmentor;
}

}  // namespace advseg
