// The files of a checkpoint directory and how they are read and written:
// weights and optimiser states as LibTorch archives, the resolved config as
// YAML, the progress as JSON. Reading sits below both training (which saves
// and resumes whole checkpoints, train/checkpoint.h) and evaluation and
// prediction (which need only the config and the segmentor).
#pragma once

#include <c10/core/Device.h>
#include <torch/nn/module.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "advseg/io/output_file.h"
#include "advseg/models/segmentor.h"

namespace advseg {

struct Config;

namespace checkpoint_file {
inline constexpr const char* kSegmentor = "segmentor.pt";
inline constexpr const char* kAdversary = "adversary.pt";
inline constexpr const char* kSegmentorOptimizer = "segmentor_optimizer.pt";
inline constexpr const char* kAdversaryOptimizer = "adversary_optimizer.pt";
inline constexpr const char* kAuxAdversary = "aux_adversary.pt";  // adaptation.aux_adversary only
inline constexpr const char* kAuxAdversaryOptimizer = "aux_adversary_optimizer.pt";
inline constexpr const char* kGradScaler = "grad_scaler.pt";  // train.precision fp16 only
inline constexpr const char* kTeacher = "teacher.pt";         // semi.method mean_teacher_cutmix only
inline constexpr const char* kRng = "rng.pt";
inline constexpr const char* kConfig = "config.yaml";
inline constexpr const char* kState = "state.json";
}  // namespace checkpoint_file

// Throws advseg::Error unless `dir` is a checkpoint directory (a run's
// folder gets "use RUN/last or RUN/best").
void require_checkpoint_dir(const std::filesystem::path& dir);

// The run folder a checkpoint belongs to: OUT for OUT/last, OUT/best and
// OUT/checkpoints/<name> (links resolved); empty for a checkpoint kept
// outside a run.
std::filesystem::path run_folder_of(const std::filesystem::path& checkpoint_dir);

// What a command reading `checkpoint` may not write into: the checkpoint and
// the run folder it belongs to (io/output_file.h).
std::vector<ReadPath> checkpoint_reads(const std::filesystem::path& checkpoint);

// The rule for a run's output folder (train, experiment): check_output_folder
// against `reads`, and never a checkpoint, a run's checkpoints/ folder, or
// inside one (the next save of that run would delete it).
void check_run_out_dir(const std::filesystem::path& out, const std::vector<ReadPath>& reads);

// The config saved with a checkpoint (DIR/config.yaml), as it was resolved
// when the run started.
Config load_checkpoint_config(const std::filesystem::path& checkpoint_dir);

// Flushes a file or directory to disk, so a rename that follows never
// publishes data still sitting in the page cache.
void sync_path(const std::filesystem::path& path);

// Serialises `save(archive)` in memory and writes it with advseg's checked
// writer: LibTorch's own file writer aborts the process on a full disk.
void write_archive(const std::filesystem::path& path,
                   const std::function<void(torch::serialize::OutputArchive&)>& save);

// Reads the archive at `path` (tensors mapped to `device`) and hands it to
// `load`; a missing, unreadable or corrupted file is an advseg::Error naming
// it, `what` says what a mismatch means ("segmentor architecture").
void read_archive(const std::filesystem::path& path, const std::string& what, const c10::Device& device,
                  const std::function<void(torch::serialize::InputArchive&)>& load);

// Loads a network's weights and buffers, checking every shape (LibTorch
// itself would load another architecture's tensors silently) and keeping
// the network's device and memory format.
void load_network_weights(torch::nn::Module& network, const std::filesystem::path& path,
                          const std::string& what);

// The segmentor of a checkpoint, built from `config` (the checkpoint's own,
// possibly with overrides) on config.train.device.
std::shared_ptr<SegmentorImpl> load_segmentor(const std::filesystem::path& checkpoint_dir,
                                              const Config& config);

}  // namespace advseg
