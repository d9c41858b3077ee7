// Checkpoints: a directory holding the networks, their optimisers (and fp16's
// gradient scaler), the RNG states, the training progress (iteration, epoch)
// and the resolved config.
//
// Saving never leaves a half-written checkpoint behind a name: each save
// goes to a fresh directory under OUT/checkpoints/, is flushed to disk, and
// only then is the link OUT/<name> (last, best) switched to it by an atomic
// rename. A run killed at any moment leaves OUT/<name> at the previous
// complete checkpoint.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "advseg/inference/checkpoint_files.h"
#include "advseg/train/networks.h"
#include "advseg/train/training_progress.h"

namespace advseg {

struct Config;

// `worker_rng_states`: a data-parallel run's CPU generator states, rank 0
// first (empty: this process's own).
void save_checkpoint(const std::filesystem::path& out_dir, const std::string& name, const Networks& networks,
                     const Optimizers& optimizers, const TrainingProgress& progress, const Config& config,
                     const std::vector<torch::Tensor>& worker_rng_states = {});

// The CPU generator state that rank `rank` saved in a data-parallel
// checkpoint; nothing when the checkpoint holds none for it (rank 0's is
// the one load_checkpoint restores).
std::optional<torch::Tensor> load_worker_rng_state(const std::filesystem::path& checkpoint_dir, int rank);

// Loads everything a resumed run needs into `networks` and `optimizers`
// (built from the checkpoint's config) and this process's RNG states.
// Missing, corrupted or mismatching files throw advseg::Error naming them.
TrainingProgress load_checkpoint(const std::filesystem::path& checkpoint_dir, Networks& networks,
                                 Optimizers& optimizers);

}  // namespace advseg
