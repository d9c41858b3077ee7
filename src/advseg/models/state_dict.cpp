#include "advseg/models/state_dict.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "advseg/error.h"
#include "advseg/io/file_bytes.h"
#include "advseg/io/pickle_reader.h"

namespace advseg {
namespace {

using pickle::BadPickle;
using pickle::Value;

std::string record_string(caffe2::serialize::PyTorchStreamReader& archive, const std::string& name) {
  auto [data, size] = archive.getRecord(name);
  return std::string(static_cast<const char*>(data.get()), size);
}

torch::ScalarType storage_dtype(const std::string& type) {
  static const std::map<std::string, torch::ScalarType> dtypes = {
      {"torch.FloatStorage", torch::kFloat}, {"torch.DoubleStorage", torch::kDouble},
      {"torch.HalfStorage", torch::kHalf},   {"torch.BFloat16Storage", torch::kBFloat16},
      {"torch.LongStorage", torch::kLong},   {"torch.IntStorage", torch::kInt},
      {"torch.ShortStorage", torch::kShort}, {"torch.CharStorage", torch::kChar},
      {"torch.ByteStorage", torch::kByte},   {"torch.BoolStorage", torch::kBool},
  };
  const auto found = dtypes.find(type);
  if (found == dtypes.end()) throw BadPickle("unsupported tensor storage type " + type);
  return found->second;
}

// The tensors of one torch.save archive: each storage record is read once,
// views of it share it.
class TensorLoader {
 public:
  explicit TensorLoader(caffe2::serialize::PyTorchStreamReader& archive) : archive_(archive) {}

  torch::Tensor load(const std::string& name, const pickle::TensorRecord& record) {
    const torch::Tensor storage = storage_of(record);
    if (!fits_in(record, storage.numel()))
      throw BadPickle("tensor '" + name + "' lies outside its storage (data/" + record.storage_key + ")");
    return storage.as_strided(record.sizes, record.strides, record.offset);
  }

 private:
  torch::Tensor storage_of(const pickle::TensorRecord& record) {
    const auto found = storages_.find(record.storage_key);
    if (found != storages_.end()) return found->second;
    const std::string name = "data/" + record.storage_key;
    if (!archive_.hasRecord(name)) throw BadPickle("tensor data " + name + " is missing");
    const auto dtype = storage_dtype(record.storage_type);
    auto [data, size] = archive_.getRecord(name);
    const auto element_size = static_cast<std::size_t>(c10::elementSize(dtype));
    auto storage = torch::empty({static_cast<std::int64_t>(size / element_size)}, torch::dtype(dtype));
    std::memcpy(storage.data_ptr(), data.get(), storage.nbytes());
    return storages_[record.storage_key] = storage;
  }

  // Whether every element of the view is inside a storage of `elements`
  // (without overflow, whatever the file says).
  static bool fits_in(const pickle::TensorRecord& record, std::int64_t elements) {
    if (record.sizes.size() != record.strides.size() || record.offset < 0) return false;
    std::int64_t last = record.offset;
    for (std::size_t d = 0; d < record.sizes.size(); ++d) {
      if (record.sizes[d] < 0 || record.strides[d] < 0) return false;
      if (record.sizes[d] == 0) return true;  // no elements at all
      std::int64_t reach = 0;
      if (__builtin_mul_overflow(record.sizes[d] - 1, record.strides[d], &reach) ||
          __builtin_add_overflow(last, reach, &last))
        return false;
    }
    return last < elements;
  }

  caffe2::serialize::PyTorchStreamReader& archive_;
  std::map<std::string, torch::Tensor> storages_;
};

StateDict to_state_dict(const Value& root, TensorLoader& tensors) {
  if (root.kind != Value::Kind::dict)
    throw BadPickle(root.kind == Value::Kind::opaque && !root.text.empty()
                        ? "not a state dict but a pickled " + root.text +
                              " (tools/convert_torchvision.py extracts its state dict)"
                        : "not a state dict (no dict at the top level)");
  StateDict weights("tensor");
  for (std::size_t i = 0; i < root.items.size(); i += 2) {
    const Value& key = *root.items[i];
    const Value& value = *root.items[i + 1];
    if (key.kind != Value::Kind::text) throw BadPickle("not a state dict (a key is not a string)");
    if (value.kind != Value::Kind::tensor)
      throw BadPickle("not a state dict: entry '" + key.text +
                      "' is not a tensor (a training checkpoint? tools/convert_torchvision.py extracts "
                      "its state dict)");
    if (weights.contains(key.text)) throw BadPickle("not a state dict: '" + key.text + "' appears twice");
    const torch::Tensor tensor = tensors.load(key.text, value.tensor);
    // Else training would start from them and report a divergence instead.
    if (tensor.is_floating_point() && !torch::isfinite(tensor).all().item<bool>())
      throw BadPickle("tensor '" + key.text + "' holds NaN or infinite values (saved from a diverged run?)");
    weights.insert(key.text, tensor);
  }
  return weights;
}

// The format, from the first bytes, for errors that say what the file is.
std::string describe_non_zip(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  char first[2] = {0, 0};
  in.read(first, 2);
  if (first[0] == 'P' && first[1] == 'K') return "corrupted: not a readable zip archive (truncated?)";
  if (static_cast<unsigned char>(first[0]) == 0x80)
    return "a legacy (pre-1.6) torch.save file, not the zip format; re-save it with "
           "tools/convert_torchvision.py";
  return "not a PyTorch zip-format file (torch.save)";
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

// The problems of a report, one a line, at most kShown of them.
std::string describe_problems(const LoadReport& report) {
  constexpr std::size_t kShown = 10;
  std::vector<std::string> problems;
  for (const auto& mismatch : report.mismatched)
    problems.push_back(mismatch.name + ": the file has " + shape_text(mismatch.file_shape) +
                       ", the network expects " + shape_text(mismatch.module_shape));
  for (const auto& name : report.missing) problems.push_back(name + ": in the network, not in the file");
  for (const auto& name : report.unexpected) problems.push_back(name + ": in the file, not in the network");
  std::string message = "the weights do not fit the network (" + std::to_string(problems.size()) +
                        (problems.size() == 1 ? " problem):" : " problems):");
  for (std::size_t i = 0; i < problems.size() && i < kShown; ++i) message += "\n  " + problems[i];
  if (problems.size() > kShown)
    message += "\n  ... and " + std::to_string(problems.size() - kShown) + " more";
  return message;
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

StateDict read_state_dict(const std::filesystem::path& file) {
  // A FIFO or a folder is refused by name, never opened (it could block).
  require_regular_file(file, "state dict file");
  if (!std::ifstream(file, std::ios::binary)) fail_at(file, "cannot be read");
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> archive;
  try {
    archive = std::make_unique<caffe2::serialize::PyTorchStreamReader>(file.string());
  } catch (const c10::Error&) {
    fail_at(file, describe_non_zip(file));
  }
  try {
    if (!archive->hasRecord("data.pkl")) fail_at(file, "a zip file without data.pkl, not a torch.save file");
    const std::string pickle = record_string(*archive, "data.pkl");
    const pickle::Pickle values = pickle::read_pickle(pickle);
    TensorLoader tensors(*archive);
    return to_state_dict(*values.root, tensors);
  } catch (const BadPickle& error) {
    fail_at(file, error.what());
  } catch (const c10::Error& error) {
    fail_at(file, std::string("corrupted: ") + error.what_without_backtrace());
  }
}

LoadReport load_state_dict(torch::nn::Module& module, const StateDict& weights, const LoadOptions& options) {
  // Python's state_dict(): the parameters and the buffers, by dotted name.
  auto targets = module.named_parameters();
  for (const auto& buffer : module.named_buffers()) targets.insert(buffer.key(), buffer.value());

  LoadReport report;
  std::set<std::string> in_file;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;  // (target, source)
  for (const auto& entry : weights) {
    if (!starts_with(entry.key(), options.prefix)) continue;
    const std::string name = options.module_prefix + entry.key().substr(options.prefix.size());
    const torch::Tensor* target = targets.find(name);
    if (target == nullptr) {
      report.unexpected.push_back(entry.key());
      continue;
    }
    in_file.insert(name);
    if (target->sizes() != entry.value().sizes()) {
      report.mismatched.push_back({name, entry.value().sizes().vec(), target->sizes().vec()});
      continue;
    }
    report.loaded.push_back(name);
    copies.emplace_back(*target, entry.value());
  }
  for (const auto& target : targets)
    if (in_file.count(target.key()) == 0) report.missing.push_back(target.key());

  const bool fits = report.missing.empty() && report.unexpected.empty() && report.mismatched.empty();
  if (options.strict && !fits) throw Error(describe_problems(report));

  // Into the module's own tensors: copy_ keeps their device and dtype.
  torch::NoGradGuard no_grad;
  for (auto& [target, source] : copies) target.copy_(source);
  return report;
}

LoadReport load_state_dict(torch::nn::Module& module, const std::filesystem::path& file,
                           const LoadOptions& options) {
  const StateDict weights = read_state_dict(file);
  try {
    return load_state_dict(module, weights, options);
  } catch (const Error& error) {
    fail_at(file, error.what());
  }
}

}  // namespace advseg
