#include "advseg/io/pickle_reader.h"

#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <utility>

namespace advseg::pickle {
namespace {

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
  explicit PickleReader(const std::string& bytes) : bytes_(bytes) {}

  Pickle read() && {
    Pickle pickle;
    while (true) {
      const auto opcode = static_cast<unsigned char>(take(1)[0]);
      if (opcode == '.') break;
      step(opcode);
    }
    pickle.root = pop();
    pickle.values = std::move(values_);
    return pickle;
  }

 private:
  ValuePtr make_value(Value::Kind kind) {
    values_.push_back(std::make_unique<Value>());
    values_.back()->kind = kind;
    return values_.back().get();
  }

  ValuePtr make_text(Value::Kind kind, std::string text) {
    auto value = make_value(kind);
    value->text = std::move(text);
    return value;
  }

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
    if (mark > stack_.size()) throw BadPickle("the pickled data is malformed (popped past a mark)");
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
  // ignored (the caller reads every tensor onto the CPU).
  void persistent_load() {
    const auto pid = pop();
    if (pid->kind != Value::Kind::tuple || pid->items.size() < 3 || pid->items[0]->text != "storage" ||
        pid->items[1]->kind != Value::Kind::global || pid->items[2]->kind != Value::Kind::text)
      throw BadPickle("unsupported persistent id (not a tensor storage)");
    auto storage = make_value(Value::Kind::storage);
    storage->tensor.storage_type = pid->items[1]->text;
    storage->tensor.storage_key = pid->items[2]->text;
    stack_.push_back(storage);
  }

  // _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks, ...)
  ValuePtr rebuild_tensor(const Value& args) {
    if (args.items.size() < 4 || args.items[0]->kind != Value::Kind::storage)
      throw BadPickle("a tensor is malformed");
    if (args.items[1]->kind != Value::Kind::integer) throw BadPickle("a tensor's offset is not an integer");
    auto tensor = make_value(Value::Kind::tensor);
    tensor->tensor = args.items[0]->tensor;
    tensor->tensor.offset = args.items[1]->integer;
    tensor->tensor.sizes = integers(*args.items[2]);
    tensor->tensor.strides = integers(*args.items[3]);
    return tensor;
  }

  // depth: how many _rebuild_from_type_v2 calls wrap this one (a list that
  // holds itself could nest them forever).
  ValuePtr reduce(const Value& callable, const Value& args, int depth = 0) {
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
      if (args.items.size() < 3 || depth > 8) throw BadPickle("a tensor is malformed");
      return reduce(*args.items[0], *args.items[2], depth + 1);
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
  std::vector<std::unique_ptr<Value>> values_;  // every value made, owned here until read() ends
  std::size_t position_ = 0;
  std::vector<ValuePtr> stack_;
  std::vector<std::size_t> marks_;
  std::map<std::uint64_t, ValuePtr> memo_;
};

}  // namespace

Pickle read_pickle(const std::string& bytes) { return PickleReader(bytes).read(); }

}  // namespace advseg::pickle
