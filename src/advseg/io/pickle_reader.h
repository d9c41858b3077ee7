// A reader of the pickles inside torch.save files (protocols 2 to 5, the
// opcodes torch.save and LibTorch's pickle_save write): dicts, OrderedDicts,
// lists, tuples, numbers, strings, and tensors as records of where their data
// is (models/state_dict.cpp loads them). Other classes become opaque values,
// so a pickled model is read, then refused by the caller. Torch-free, so it is
// fuzzed and sanitized (fuzz/pickle_fuzzer.cpp). LibTorch's torch::pickle_load
// cannot read state dicts (1.13 to 2.15 at least; see models/state_dict.h),
// hence this one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "advseg/error.h"

namespace advseg::pickle {

// A problem in the pickled data; the caller adds the file's name.
struct BadPickle : Error {
  using Error::Error;
};

// A tensor as the pickle describes it: the storage record holding its data
// (torch.save's data/<storage_key>), its element type, and its strided view
// of the storage, in elements.
struct TensorRecord {
  std::string storage_type;  // "torch.FloatStorage", ...
  std::string storage_key;
  std::int64_t offset = 0;
  std::vector<std::int64_t> sizes;
  std::vector<std::int64_t> strides;
};

// The few Python values a torch.save file of tensors is made of. Containers
// are shared: the pickle's memo refers to them and later opcodes fill them;
// a list may even hold itself, so values refer to each other by plain
// pointers and their Pickle owns them all.
struct Value;
using ValuePtr = Value*;
struct Value {
  enum class Kind { none, integer, real, text, tuple, list, dict, global, storage, tensor, opaque };
  Kind kind = Kind::none;
  std::int64_t integer = 0;  // also a bool
  double real = 0;
  std::string text;             // a string; a global's "module.name"
  std::vector<ValuePtr> items;  // a tuple's or list's; a dict's keys and values alternate
  TensorRecord tensor;          // a storage's type and key; a tensor's whole record
};

struct Pickle {
  std::vector<std::unique_ptr<Value>> values;
  const Value* root = nullptr;  // the pickled value, one of `values`
};

// The value `bytes` pickles. Throws BadPickle on truncated, malformed or
// unsupported data.
Pickle read_pickle(const std::string& bytes);

}  // namespace advseg::pickle
