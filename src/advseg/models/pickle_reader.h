// A reader of the pickles inside torch.save files (protocols 2 to 5, the
// opcodes torch.save and LibTorch's pickle_save write): dicts, OrderedDicts,
// lists, tuples, numbers, strings and tensors whose storages it loads through
// a callback. Other classes become opaque values, so a pickled model is read,
// then refused by the caller. LibTorch 1.13's torch::pickle_load cannot read
// state dicts (see state_dict.h), hence this one.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace advseg::pickle {

// A problem in the pickled data; the caller adds the file's name.
struct BadPickle : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The few Python values a torch.save file of tensors is made of. Containers
// are shared: the pickle's memo refers to them and later opcodes fill them.
struct Value;
using ValuePtr = std::shared_ptr<Value>;
struct Value {
  enum class Kind { none, integer, real, text, tuple, list, dict, global, storage, tensor, opaque };
  Kind kind = Kind::none;
  std::int64_t integer = 0;  // also a bool
  double real = 0;
  std::string text;             // a string; a global's "module.name"
  std::vector<ValuePtr> items;  // a tuple's or list's; a dict's keys and values alternate
  torch::Tensor tensor;         // a storage (1-d) or a tensor
};

// Loads the bytes of storage `key` as a 1-d tensor of `dtype`.
using StorageLoader = std::function<torch::Tensor(const std::string& key, torch::ScalarType dtype)>;

// The value `bytes` pickles. Throws BadPickle on truncated or unsupported data.
ValuePtr read_pickle(const std::string& bytes, const StorageLoader& load_storage);

}  // namespace advseg::pickle
