#include <gtest/gtest.h>

#include "advseg/io/split_file.h"
#include "io/io_test_util.h"

namespace advseg {
namespace {

using test::contains;
using test::error_message;

TEST(SplitFile, ReadsTrimmedIdsSkippingBlankLinesAndComments) {
  const test::TempDir dir;
  test::write_bytes(dir.file("train.txt"),
                    "# training images\n0000047\r\n  0000051 \n\n\t\n#0000072\n0000087");
  EXPECT_EQ(read_split_file(dir.file("train.txt")),
            (std::vector<std::string>{"0000047", "0000051", "0000087"}));
}

TEST(SplitFile, EmptyOrCommentOnlyFileIsAnErrorNamingIt) {
  const test::TempDir dir;
  for (const std::string text : {"", "\n\n", "# nothing here\n  \n"}) {
    test::write_bytes(dir.file("val.txt"), text);
    const std::string message = error_message([&] { read_split_file(dir.file("val.txt")); });
    EXPECT_PRED2(contains, message, dir.file("val.txt").string() + ": lists no sample ids");
  }
}

// Issue 27, item 13.
TEST(SplitFile, ANulByteOrARepeatedIdIsRefusedSayingWhere) {
  const test::TempDir dir;
  test::write_bytes(dir.file("nul.txt"), std::string("0000047\n00000\0"
                                                     "51\n",
                                                     17));
  EXPECT_PRED2(contains, error_message([&] { read_split_file(dir.file("nul.txt")); }),
               dir.file("nul.txt").string() + ": line 2 holds a NUL byte");
  test::write_bytes(dir.file("twice.txt"), "a\nb\na\nc\nb\n");
  EXPECT_PRED2(contains, error_message([&] { read_split_file(dir.file("twice.txt")); }),
               dir.file("twice.txt").string() + ": 2 ids are listed twice, e.g. 'a' on lines 1 and 3");
}

TEST(SplitFile, MissingFileIsAnError) {
  const test::TempDir dir;
  const std::string message = error_message([&] { read_split_file(dir.file("test.txt")); });
  EXPECT_PRED2(contains, message, dir.file("test.txt").string() + ": no such file");
}

TEST(SplitFile, DirectoryIsAnError) {
  const test::TempDir dir;
  EXPECT_PRED2(contains, error_message([&] { read_split_file(dir.path()); }), "is a directory");
}

TEST(SplitFile, TwoIdsOnOneLineIsAnError) {
  const test::TempDir dir;
  test::write_bytes(dir.file("train.txt"), "a\nb c\n");
  const std::string message = error_message([&] { read_split_file(dir.file("train.txt")); });
  EXPECT_PRED2(contains, message, "line 2 holds more than one id: 'b c'");
}

TEST(SplitFile, ListFileSplitsLinesIntoFieldsAndKeepsLineNumbers) {
  const test::TempDir dir;
  test::write_bytes(dir.file("list.txt"), "# pairs\n/a.jpg\t /a.png\n\nb\n");
  const std::vector<ListLine> lines = read_list_file(dir.file("list.txt"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].number, 2u);
  EXPECT_EQ(lines[0].fields, (std::vector<std::string>{"/a.jpg", "/a.png"}));
  EXPECT_EQ(lines[1].number, 4u);
  EXPECT_EQ(lines[1].text, "b");
}

}  // namespace
}  // namespace advseg
