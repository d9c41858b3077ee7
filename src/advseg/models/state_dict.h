// PyTorch state dicts: reading the files Python's
// `torch.save(model.state_dict(), path)` writes (torchvision's .pth weights
// are such files) and copying them, by name, into a LibTorch module's
// parameters and buffers, like Python's `module.load_state_dict`.
//
// LibTorch's torch::pickle_load fails on the OrderedDict of a state dict
// (still in 2.15: TorchvisionFiles.LibTorchsPickleLoadStillCannotRead-
// AStateDict checks), so the pickle is read here; the zip archive and its
// tensor records are read with LibTorch's reader.
#pragma once

#include <torch/nn/module.h>
#include <torch/ordered_dict.h>
#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace advseg {

// Name -> tensor in the file's order, all on the CPU.
using StateDict = torch::OrderedDict<std::string, torch::Tensor>;

// Reads a zip-format torch.save file holding a dict (or OrderedDict) of
// tensors. Throws advseg::Error naming the file when it is unreadable, not a
// zip-format PyTorch file (e.g. the legacy pre-1.6 format), corrupted, or
// not a dict of tensors (a pickled model, a training checkpoint: see
// tools/convert_torchvision.py).
StateDict read_state_dict(const std::filesystem::path& file);

struct LoadOptions {
  // Only the file's entries starting with `prefix` are loaded, with the
  // prefix removed and `module_prefix` put in its place; the others are
  // ignored. {"backbone.", ""} loads the backbone of a whole segmentor;
  // {"backbone.", "features."} loads torchvision's LR-ASPP/DeepLabV3
  // MobileNetV3 backbone (saved without "features.") into a MobileNetV3.
  std::string prefix;
  std::string module_prefix;
  // Strict: any missing, unexpected or mis-shaped tensor is an error, and
  // the module is left as it was.
  bool strict = true;
};

struct ShapeMismatch {
  std::string name;  // the network's name
  std::vector<std::int64_t> file_shape;
  std::vector<std::int64_t> module_shape;
};

struct LoadReport {
  std::vector<std::string> loaded;      // the network's names
  std::vector<std::string> missing;     // the network's names the file lacks
  std::vector<std::string> unexpected;  // the file's names the network lacks
  std::vector<ShapeMismatch> mismatched;
};

// Copies the matching tensors of `weights` into the module's own parameters
// and buffers (batch norm statistics included), keeping their device and
// dtype. Strict: throws advseg::Error listing the problems (each naming the
// tensor, with both shapes when they differ).
LoadReport load_state_dict(torch::nn::Module& module, const StateDict& weights,
                           const LoadOptions& options = {});

// read_state_dict, then load_state_dict; every error names the file.
LoadReport load_state_dict(torch::nn::Module& module, const std::filesystem::path& file,
                           const LoadOptions& options = {});

}  // namespace advseg
