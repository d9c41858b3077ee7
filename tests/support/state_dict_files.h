// State-dict files written from C++ (torch::pickle_save writes torch.save's
// zip format), for tests that need weight files without Python.
#pragma once

#include <torch/nn/module.h>
#include <torch/serialize.h>

#include <filesystem>
#include <fstream>

#include "advseg/models/state_dict.h"

namespace advseg {

// LibTorch's own writer of torch.save's zip format: files like Python's,
// without Python.
inline void save_dict(const c10::impl::GenericDict& dict, const std::filesystem::path& file) {
  const auto bytes = torch::pickle_save(dict);
  std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline void save_state_dict(const StateDict& weights, const std::filesystem::path& file) {
  c10::impl::GenericDict dict(c10::StringType::get(), c10::TensorType::get());
  for (const auto& entry : weights) dict.insert(entry.key(), entry.value());
  save_dict(dict, file);
}

inline StateDict state_of(const torch::nn::Module& module) {
  StateDict weights = module.named_parameters();
  for (const auto& buffer : module.named_buffers()) weights.insert(buffer.key(), buffer.value());
  return weights;
}

}  // namespace advseg
