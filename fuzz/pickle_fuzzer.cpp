// Fuzzes read_pickle (the data.pkl of a torch.save file, which
// models/state_dict.cpp turns into tensors).
#include <set>
#include <string>
#include <vector>

#include "advseg/io/pickle_reader.h"
#include "fuzz_support.h"

namespace {

using advseg::pickle::Pickle;
using advseg::pickle::Value;

// Every value reachable from the root is one of the pickle's own, so none
// dangles once the reader is gone (a list may hold itself: each is visited once).
bool owned_and_reachable(const Pickle& pickle) {
  std::set<const Value*> own;
  for (const auto& value : pickle.values) own.insert(value.get());
  std::set<const Value*> seen;
  std::vector<const Value*> pending = {pickle.root};
  while (!pending.empty()) {
    const Value* value = pending.back();
    pending.pop_back();
    if (own.count(value) == 0) return false;
    if (!seen.insert(value).second) continue;
    for (const Value* item : value->items) pending.push_back(item);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace advseg::fuzz;
  parse_or_reject([&] {
    const Pickle pickle = advseg::pickle::read_pickle(std::string(as_text(data, size)));
    require(pickle.root != nullptr, "a pickled value");
    require(owned_and_reachable(pickle), "every value reachable from the root belongs to the pickle");
    require(pickle.values.size() <= size, "at most one value per byte of input");
  });
  return 0;
}
