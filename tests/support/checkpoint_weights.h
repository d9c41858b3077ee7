// Every weight a checkpoint holds, loaded as a run would: the segmentor's
// parameters and buffers, then the adversary's parameters (if any).
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <vector>

#include "advseg/inference/checkpoint_files.h"
#include "advseg/train/checkpoint.h"
#include "support/tiny_run.h"

namespace advseg::testing {

inline std::vector<torch::Tensor> checkpoint_weights(const std::filesystem::path& checkpoint) {
  TinyRun run(load_checkpoint_config(checkpoint));
  load_checkpoint(checkpoint, run.networks, run.optimizers);
  std::vector<torch::Tensor> all;
  for (const auto& p : run.networks.segmentor->parameters()) all.push_back(p.detach().clone());
  for (const auto& b : run.networks.segmentor->buffers()) all.push_back(b.detach().clone());
  if (run.networks.adversary)
    for (const auto& p : run.networks.adversary->parameters()) all.push_back(p.detach().clone());
  return all;
}

}  // namespace advseg::testing
