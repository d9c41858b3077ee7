// The torch.save pickle reader on the seeds of its fuzz target
// (fuzz/corpus/fuzz_pickle: data.pkl of files torch 2.15 wrote), torch-free
// so that the sanitizer build runs it too.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "advseg/io/file_bytes.h"
#include "advseg/io/pickle_reader.h"
#include "support/paths.h"

namespace advseg {
namespace {

using pickle::Value;

std::string seed(const std::string& name) {
  return read_file_bytes(testing::source_dir() + "/fuzz/corpus/fuzz_pickle/" + name);
}

// The value of `key` in a dict, or nullptr.
const Value* entry(const Value& dict, const std::string& key) {
  for (std::size_t i = 0; i + 1 < dict.items.size(); i += 2)
    if (dict.items[i]->text == key) return dict.items[i + 1];
  return nullptr;
}

TEST(PickleReader, ReadsAStridedViewAsItsStorageRecord) {
  // torch.save(OrderedDict(w=torch.arange(6.).view(2, 3)[:, 1:]))
  const auto pickle = pickle::read_pickle(seed("strided_view.pkl"));
  ASSERT_EQ(pickle.root->kind, Value::Kind::dict);
  const Value* w = entry(*pickle.root, "w");
  ASSERT_NE(w, nullptr);
  ASSERT_EQ(w->kind, Value::Kind::tensor);
  EXPECT_EQ(w->tensor.storage_type, "torch.FloatStorage");
  EXPECT_EQ(w->tensor.offset, 1);
  EXPECT_EQ(w->tensor.sizes, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(w->tensor.strides, (std::vector<std::int64_t>{3, 1}));
}

TEST(PickleReader, ReadsTorchvisionsStateDictInOrder) {
  const auto pickle = pickle::read_pickle(seed("resnet18_state_dict.pkl"));
  ASSERT_EQ(pickle.root->kind, Value::Kind::dict);
  ASSERT_EQ(pickle.root->items.size(), 2U * 122);
  EXPECT_EQ(pickle.root->items[0]->text, "conv1.weight");
  EXPECT_EQ(pickle.root->items[1]->tensor.sizes, (std::vector<std::int64_t>{64, 3, 7, 7}));
  EXPECT_EQ(pickle.root->items.back()->tensor.sizes, (std::vector<std::int64_t>{1000}));  // fc.bias
}

TEST(PickleReader, AParameterIsItsTensorAndADtypeIsItsStorageType) {
  const auto parameter = pickle::read_pickle(seed("parameter.pkl"));
  const Value* p = entry(*parameter.root, "p");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->kind, Value::Kind::tensor);
  const auto dtypes = pickle::read_pickle(seed("dtypes.pkl"));
  EXPECT_EQ(entry(*dtypes.root, "h")->tensor.storage_type, "torch.HalfStorage");
  EXPECT_EQ(entry(*dtypes.root, "bf")->tensor.storage_type, "torch.BFloat16Storage");
}

TEST(PickleReader, APickledModelIsAnOpaqueValueNamingItsClass) {
  const auto pickle = pickle::read_pickle(seed("pickled_model.pkl"));
  EXPECT_EQ(pickle.root->kind, Value::Kind::opaque);
  EXPECT_EQ(pickle.root->text, "torchvision.models.resnet.ResNet");
}

// A list may hold itself: read without looping or leaking (the sanitizer
// build's LeakSanitizer checks the latter).
TEST(PickleReader, AListThatHoldsItselfIsRead) {
  const auto pickle = pickle::read_pickle(seed("self_list_p2.pkl"));
  const Value* list = entry(*pickle.root, "l");
  ASSERT_NE(list, nullptr);
  ASSERT_EQ(list->items.size(), 1U);
  EXPECT_EQ(list->items[0], list);
}

TEST(PickleReader, EveryTruncationIsABadPickle) {
  const std::string bytes = seed("one_entry_dict.pkl");
  for (std::size_t length = 0; length < bytes.size(); ++length)
    EXPECT_THROW(pickle::read_pickle(bytes.substr(0, length)), pickle::BadPickle) << length;
}

}  // namespace
}  // namespace advseg
