#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <vector>

#include "advseg/io/image_file.h"
#include "advseg/io/regions_file.h"
#include "io/io_test_util.h"
#include "support/paths.h"

namespace advseg {
namespace {

using test::contains;
using test::error_message;

std::vector<int> values_of(const cv::Mat& labels) {
  std::vector<int> values;
  for (int y = 0; y < labels.rows; ++y) {
    for (int x = 0; x < labels.cols; ++x) values.push_back(labels.at<std::uint8_t>(y, x));
  }
  return values;
}

std::string parse_error(const std::string& text, int num_classes = 8) {
  return error_message([&] { parse_regions(text, num_classes, "labels/x.regions.txt"); });
}

TEST(RegionsFile, ParsesRowsAndMapsNegativeIdsToIgnoreIndex) {
  const cv::Mat labels = parse_regions("0 1 2 \n-1 7 3\n", 8, "x");
  ASSERT_EQ(labels.type(), CV_8UC1);
  ASSERT_EQ(labels.rows, 2);
  ASSERT_EQ(labels.cols, 3);
  EXPECT_EQ(values_of(labels), (std::vector<int>{0, 1, 2, 255, 7, 3}));
}

TEST(RegionsFile, UsesTheGivenIgnoreIndex) {
  const cv::Mat labels = parse_regions("-1 -20 4", 8, "x", 100);
  EXPECT_EQ(values_of(labels), (std::vector<int>{100, 100, 4}));
}

TEST(RegionsFile, ToleratesCrLfTabsTrailingSpacesAndTrailingBlankLines) {
  const cv::Mat labels = parse_regions("1\t2  \r\n3 4\r\n\r\n  \n\n", 8, "x");
  ASSERT_EQ(labels.rows, 2);
  EXPECT_EQ(values_of(labels), (std::vector<int>{1, 2, 3, 4}));
}

TEST(RegionsFile, AcceptsALastRowWithoutNewline) {
  EXPECT_EQ(values_of(parse_regions("5 6\n7 0", 8, "x")), (std::vector<int>{5, 6, 7, 0}));
}

TEST(RegionsFile, RaggedRowIsAnErrorNamingLineAndCounts) {
  const std::string message = parse_error("0 1 2\n0 1 2\n0 1\n");
  EXPECT_PRED2(contains, message, "labels/x.regions.txt: ");
  EXPECT_PRED2(contains, message, "line 3 has 2 values, expected 3 (as on line 1)");
}

TEST(RegionsFile, LongerRowIsAlsoRagged) {
  EXPECT_PRED2(contains, parse_error("0 1\n0 1 2 3\n"), "line 2 has 4 values, expected 2 (as on line 1)");
}

TEST(RegionsFile, NonIntegerTokenIsQuotedWithItsLine) {
  const std::string message = parse_error("0 1\n0 x7\n");
  EXPECT_PRED2(contains, message, "labels/x.regions.txt: ");
  EXPECT_PRED2(contains, message, "'x7'");
  EXPECT_PRED2(contains, message, "line 2");
  EXPECT_PRED2(contains, parse_error("1.5 2\n"), "'1.5'");
  EXPECT_PRED2(contains, parse_error("3 +2\n"), "'+2'");
}

TEST(RegionsFile, NonPrintableBytesInAQuotedTokenAreEscaped) {
  const std::string message = parse_error("0 1\n0 7" + std::string(1, '\0') + "x\x1b\xff\n");
  EXPECT_EQ(message, "labels/x.regions.txt: not an integer: '7\\x00x\\x1b\\xff' at line 2, column 2");
  // Long tokens are cut, then escaped.
  std::string escaped;
  for (int i = 0; i < 32; ++i) escaped += "\\x01";
  EXPECT_PRED2(contains, parse_error(std::string(40, '\x01')), "not an integer: '" + escaped + "...'");
}

TEST(RegionsFile, OutOfRangeIntegerIsAnError) {
  const std::string message = parse_error("0 99999999999999999999\n");
  EXPECT_PRED2(contains, message, "'99999999999999999999' is out of range at line 1, column 2");
}

TEST(RegionsFile, UnknownClassIdNamesIdLineColumnAndRange) {
  const std::string message = parse_error("0 1\n2 8\n");
  EXPECT_PRED2(contains, message, "labels/x.regions.txt: ");
  EXPECT_PRED2(contains, message,
               "unknown class id 8 at line 2, column 2 (classes are 0..7; negative means unknown)");
}

TEST(RegionsFile, EmptyOrBlankFileIsAnError) {
  for (const std::string text : {"", "\n", "  \r\n\n"}) {
    const std::string message = parse_error(text);
    EXPECT_PRED2(contains, message, "labels/x.regions.txt: ");
    EXPECT_PRED2(contains, message, "empty file");
  }
}

TEST(RegionsFile, BlankLineBetweenRowsIsAnError) {
  EXPECT_PRED2(contains, parse_error("0 1\n\n2 3\n"),
               "line 2 is blank but a row of labels follows on line 3");
}

TEST(RegionsFile, RefusesClassCountsThatDoNotFitAByte) {
  EXPECT_PRED2(contains, parse_error("0", 0), "num_classes must be 1..256");
  EXPECT_PRED2(contains, parse_error("0", 257), "num_classes must be 1..256");
}

TEST(RegionsFile, ReadsAFileAndNamesItInErrors) {
  const test::TempDir dir;
  test::write_bytes(dir.file("a.regions.txt"), "0 1\n1 0\n");
  EXPECT_EQ(values_of(read_regions_file(dir.file("a.regions.txt"), 2)), (std::vector<int>{0, 1, 1, 0}));

  test::write_bytes(dir.file("bad.regions.txt"), "0 1\n1\n");
  const std::string message = error_message([&] { read_regions_file(dir.file("bad.regions.txt"), 2); });
  EXPECT_PRED2(contains, message, dir.file("bad.regions.txt").string() + ": line 2 has 1 values");

  const std::string missing = error_message([&] { read_regions_file(dir.file("none.regions.txt"), 2); });
  EXPECT_PRED2(contains, missing, dir.file("none.regions.txt").string() + ": no such file");
}

// Independent reference: the plain iostream reading of the same file.
std::vector<int> stream_parse(const std::string& text, int ignore_index) {
  std::istringstream in(text);
  std::vector<int> values;
  for (int id = 0; in >> id;) values.push_back(id < 0 ? ignore_index : id);
  return values;
}

TEST(RegionsFile, RealStanfordBackgroundFileMatchesItsImage) {
  const std::filesystem::path root =
      std::filesystem::path(testing::shared_data_dir()) / "stanford_background";
  if (!std::filesystem::exists(root)) GTEST_SKIP() << "no Stanford Background copy at " << root;
  // 0000051 holds unknown (negative) pixels, so the ignore mapping is exercised.
  const std::filesystem::path regions = root / "labels" / "0000051.regions.txt";
  const cv::Mat labels = read_regions_file(regions, 8);
  const cv::Mat image = read_rgb_image(root / "images" / "0000051.jpg");
  EXPECT_EQ(labels.rows, image.rows);
  EXPECT_EQ(labels.cols, image.cols);
  const std::vector<int> expected = stream_parse(test::read_bytes(regions), 255);
  EXPECT_EQ(values_of(labels), expected);
  EXPECT_NE(std::count(expected.begin(), expected.end(), 255), 0);
}

}  // namespace
}  // namespace advseg
