#include "advseg/models/state_dict.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <utility>

#include "advseg/error.h"

namespace advseg {
namespace {

// A problem in the file's contents; read_state_dict adds the file's name.
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

ValuePtr make_value(Value::Kind kind) {
  auto value = std::make_shared<Value>();
  value->kind = kind;
  return value;
}

ValuePtr make_text(Value::Kind kind, std::string text) {
  auto value = make_value(kind);
  value->text = std::move(text);
  return value;
}

// Loads the bytes of storage `key` as a 1-d tensor of `dtype`.
using StorageLoader = std::function<torch::Tensor(const std::string& key, torch::ScalarType dtype)>;

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

std::vector<std::int64_t> integers(const Value& tuple) {
  std::vector<std::int64_t> values;
  for (const auto& item : tuple.items) {
    if (item->kind != Value::Kind::integer) throw BadPickle("a tensor's size or stride is not integers");
    values.push_back(item->integer);
  }
  return values;
}

// A reader of pickle protocols 2 to 5 for the opcodes torch.save and
// LibTorch's pickle_save write; classes other than tensors and OrderedDict
// become opaque values (so a pickled model is read, then refused).
class PickleReader {
 public:
  PickleReader(const std::string& bytes, StorageLoader load_storage)
      : bytes_(bytes), load_storage_(std::move(load_storage)) {}

  ValuePtr read() {
    while (true) {
      const auto opcode = static_cast<unsigned char>(take(1)[0]);
      if (opcode == '.') return pop();
      step(opcode);
    }
  }

 private:
  const char* take(std::size_t count) {
    if (bytes_.size() - position_ < count) throw BadPickle("the pickled data is truncated");
    const char* start = bytes_.data() + position_;
    position_ += count;
    return start;
  }

  // Little-endian unsigned integer of `count` bytes.
  std::uint64_t take_unsigned(std::size_t count) {
    const auto* data = reinterpret_cast<const unsigned char*>(take(count));
    std::uint64_t value = 0;
    for (std::size_t i = count; i-- > 0;) value = (value << 8) | data[i];
    return value;
  }

  std::string take_line() {
    const auto end = bytes_.find('\n', position_);
    if (end == std::string::npos) throw BadPickle("the pickled data is truncated");
    std::string line = bytes_.substr(position_, end - position_);
    position_ = end + 1;
    return line;
  }

  std::string take_string(std::size_t length_bytes) {
    const auto length = take_unsigned(length_bytes);
    if (length > bytes_.size()) throw BadPickle("the pickled data is truncated");
    return std::string(take(length), length);
  }

  ValuePtr pop() {
    if (stack_.empty()) throw BadPickle("the pickled data is malformed (empty stack)");
    auto value = std::move(stack_.back());
    stack_.pop_back();
    return value;
  }

  ValuePtr& top() {
    if (stack_.empty()) throw BadPickle("the pickled data is malformed (empty stack)");
    return stack_.back();
  }

  // The values pushed since the last MARK, which is dropped.
  std::vector<ValuePtr> pop_to_mark() {
    if (marks_.empty()) throw BadPickle("the pickled data is malformed (no mark)");
    const std::size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<ValuePtr> values(stack_.begin() + static_cast<std::ptrdiff_t>(mark), stack_.end());
    stack_.resize(mark);
    return values;
  }

  void push_integer(std::int64_t integer) {
    auto value = make_value(Value::Kind::integer);
    value->integer = integer;
    stack_.push_back(value);
  }

  void push_tuple(std::vector<ValuePtr> items) {
    auto tuple = make_value(Value::Kind::tuple);
    tuple->items = std::move(items);
    stack_.push_back(tuple);
  }

  void push_tuple_of(std::size_t count) {
    if (stack_.size() < count) throw BadPickle("the pickled data is malformed (short tuple)");
    std::vector<ValuePtr> items(stack_.end() - static_cast<std::ptrdiff_t>(count), stack_.end());
    stack_.resize(stack_.size() - count);
    push_tuple(std::move(items));
  }

  void add_to(Value& container, std::vector<ValuePtr> items) {
    const bool is_dict = container.kind == Value::Kind::dict;
    if (!is_dict && container.kind != Value::Kind::list) {
      if (container.kind == Value::Kind::opaque) return;  // the items of something never used
      throw BadPickle("the pickled data is malformed (items added to a non-container)");
    }
    if (is_dict && items.size() % 2 != 0) throw BadPickle("the pickled data is malformed (odd dict items)");
    for (auto& item : items) container.items.push_back(std::move(item));
  }

  void memo_put(std::uint64_t index) { memo_[index] = top(); }

  void memo_get(std::uint64_t index) {
    const auto found = memo_.find(index);
    if (found == memo_.end()) throw BadPickle("the pickled data is malformed (unknown memo entry)");
    stack_.push_back(found->second);
  }

  // pid ('storage', storage type, key, location, numel): the location is
  // ignored, every tensor is read onto the CPU.
  void persistent_load() {
    const auto pid = pop();
    if (pid->kind != Value::Kind::tuple || pid->items.size() < 3 || pid->items[0]->text != "storage" ||
        pid->items[1]->kind != Value::Kind::global || pid->items[2]->kind != Value::Kind::text)
      throw BadPickle("unsupported persistent id (not a tensor storage)");
    auto storage = make_value(Value::Kind::storage);
    storage->tensor = load_storage_(pid->items[2]->text, storage_dtype(pid->items[1]->text));
    stack_.push_back(storage);
  }

  // _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks, ...)
  static ValuePtr rebuild_tensor(const Value& args) {
    if (args.items.size() < 4 || args.items[0]->kind != Value::Kind::storage)
      throw BadPickle("a tensor is malformed");
    auto tensor = make_value(Value::Kind::tensor);
    tensor->tensor = args.items[0]->tensor.as_strided(integers(*args.items[2]), integers(*args.items[3]),
                                                      args.items[1]->integer);
    return tensor;
  }

  ValuePtr reduce(const Value& callable, const Value& args) {
    const std::string& name = callable.text;
    if (callable.kind != Value::Kind::global) return make_value(Value::Kind::opaque);
    if (name == "collections.OrderedDict") return make_value(Value::Kind::dict);
    if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor")
      return rebuild_tensor(args);
    // A tensor, possibly an nn.Parameter: only its data matters here.
    if (name == "torch._utils._rebuild_parameter" || name == "torch._utils._rebuild_parameter_with_state") {
      if (args.items.empty()) throw BadPickle("a parameter is malformed");
      return args.items[0];
    }
    // LibTorch's pickle_save tags typed containers: (value, type name).
    if (name == "torch.jit._pickle.restore_type_tag") {
      if (args.items.empty()) throw BadPickle("a typed value is malformed");
      return args.items[0];
    }
    if (name == "torch._tensor._rebuild_from_type_v2") {  // (function, type, args, state)
      if (args.items.size() < 3) throw BadPickle("a tensor is malformed");
      return reduce(*args.items[0], *args.items[2]);
    }
    return make_text(Value::Kind::opaque, name);
  }

  void step(unsigned char opcode) {
    using Kind = Value::Kind;
    switch (opcode) {
      case 0x80:
        take(1);
        break;  // PROTO
      case 0x95:
        take(8);
        break;  // FRAME
      case '(':
        marks_.push_back(stack_.size());
        break;
      case '0':
        pop();
        break;
      case '1':
        pop_to_mark();
        break;
      case 'N':
        stack_.push_back(make_value(Kind::none));
        break;
      case 0x88:
        push_integer(1);
        break;  // NEWTRUE
      case 0x89:
        push_integer(0);
        break;  // NEWFALSE
      case 'J':
        push_integer(static_cast<std::int32_t>(take_unsigned(4)));
        break;
      case 'K':
        push_integer(static_cast<std::int64_t>(take_unsigned(1)));
        break;
      case 'M':
        push_integer(static_cast<std::int64_t>(take_unsigned(2)));
        break;
      case 0x8a: {  // LONG1: little-endian two's complement
        const auto length = take_unsigned(1);
        if (length > 8) throw BadPickle("an integer does not fit 64 bits");
        auto value = take_unsigned(length);
        if (length > 0 && length < 8 && (value >> (8 * length - 1)) != 0) value |= ~0ULL << (8 * length);
        push_integer(static_cast<std::int64_t>(value));
        break;
      }
      case 'G': {  // BINFLOAT, big-endian
        const auto* data = reinterpret_cast<const unsigned char*>(take(8));
        std::uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | data[i];
        auto value = make_value(Kind::real);
        std::memcpy(&value->real, &bits, sizeof bits);
        stack_.push_back(value);
        break;
      }
      case 'X':
        stack_.push_back(make_text(Kind::text, take_string(4)));
        break;  // BINUNICODE
      case 0x8c:
        stack_.push_back(make_text(Kind::text, take_string(1)));
        break;  // SHORT_BINUNICODE
      case 0x8d:
        stack_.push_back(make_text(Kind::text, take_string(8)));
        break;  // BINUNICODE8
      case 'B':
        stack_.push_back(make_text(Kind::text, take_string(4)));
        break;  // BINBYTES
      case 'C':
        stack_.push_back(make_text(Kind::text, take_string(1)));
        break;  // SHORT_BINBYTES
      case ')':
        push_tuple({});
        break;
      case 't':
        push_tuple(pop_to_mark());
        break;
      case 0x85:
        push_tuple_of(1);
        break;
      case 0x86:
        push_tuple_of(2);
        break;
      case 0x87:
        push_tuple_of(3);
        break;
      case ']':
        stack_.push_back(make_value(Kind::list));
        break;
      case '}':
        stack_.push_back(make_value(Kind::dict));
        break;
      case 'a': {  // APPEND
        auto item = pop();
        add_to(*top(), {std::move(item)});
        break;
      }
      case 's': {  // SETITEM
        auto value = pop();
        auto key = pop();
        add_to(*top(), {std::move(key), std::move(value)});
        break;
      }
      case 'e':    // APPENDS
      case 'u': {  // SETITEMS
        auto items = pop_to_mark();
        add_to(*top(), std::move(items));
        break;
      }
      case 'c': {  // GLOBAL
        std::string module = take_line();
        stack_.push_back(make_text(Kind::global, module + "." + take_line()));
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        const auto name = pop();
        const auto module = pop();
        stack_.push_back(make_text(Kind::global, module->text + "." + name->text));
        break;
      }
      case 'R': {  // REDUCE
        const auto args = pop();
        const auto callable = pop();
        stack_.push_back(reduce(*callable, *args));
        break;
      }
      case 0x81: {  // NEWOBJ: instances of classes, never tensors
        pop();
        stack_.push_back(make_text(Kind::opaque, pop()->text));
        break;
      }
      case 'b':
        pop();
        break;  // BUILD: state (an OrderedDict's _metadata, an object's fields) unused
      case 'q':
        memo_put(take_unsigned(1));
        break;
      case 'r':
        memo_put(take_unsigned(4));
        break;
      case 0x94:
        memo_put(memo_.size());
        break;  // MEMOIZE
      case 'h':
        memo_get(take_unsigned(1));
        break;
      case 'j':
        memo_get(take_unsigned(4));
        break;
      case 'Q':
        persistent_load();
        break;  // BINPERSID
      default: {
        std::ostringstream message;
        message << "unsupported pickle opcode 0x" << std::hex << static_cast<int>(opcode) << " at byte "
                << std::dec << position_ - 1;
        throw BadPickle(message.str());
      }
    }
  }

  const std::string& bytes_;
  StorageLoader load_storage_;
  std::size_t position_ = 0;
  std::vector<ValuePtr> stack_;
  std::vector<std::size_t> marks_;
  std::map<std::uint64_t, ValuePtr> memo_;
};

std::string record_string(caffe2::serialize::PyTorchStreamReader& archive, const std::string& name) {
  auto [data, size] = archive.getRecord(name);
  return std::string(static_cast<const char*>(data.get()), size);
}

torch::Tensor read_storage(caffe2::serialize::PyTorchStreamReader& archive, const std::string& key,
                           torch::ScalarType dtype) {
  const std::string name = "data/" + key;
  if (!archive.hasRecord(name)) throw BadPickle("tensor data " + name + " is missing");
  auto [data, size] = archive.getRecord(name);
  const auto element_size = static_cast<std::size_t>(c10::elementSize(dtype));
  auto storage = torch::empty({static_cast<std::int64_t>(size / element_size)}, torch::dtype(dtype));
  std::memcpy(storage.data_ptr(), data.get(), storage.nbytes());
  return storage;
}

StateDict to_state_dict(const Value& root) {
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
    weights.insert(key.text, value.tensor);
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
    PickleReader reader(pickle, [&](const std::string& key, torch::ScalarType dtype) {
      return read_storage(*archive, key, dtype);
    });
    return to_state_dict(*reader.read());
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
