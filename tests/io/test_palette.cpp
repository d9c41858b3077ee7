#include <gtest/gtest.h>

#include <set>

#include "advseg/io/palette.h"
#include "io/io_test_util.h"

namespace advseg {
namespace {

using test::contains;
using test::error_message;

TEST(Palette, ParsesHexColoursInEitherCase) {
  EXPECT_EQ(parse_hex_colour("#ff8000"), (Rgb{255, 128, 0}));
  EXPECT_EQ(parse_hex_colour("#FF8000"), (Rgb{255, 128, 0}));
  EXPECT_EQ(parse_hex_colour("#0aB1c2"), (Rgb{10, 177, 194}));
}

TEST(Palette, RefusesMalformedColoursQuotingTheText) {
  for (const std::string text : {"", "ff8000", "#ff800", "#ff80000", "#gg0000", "# ff800", "red"}) {
    const std::string message = error_message([&] { parse_hex_colour(text); });
    EXPECT_PRED2(contains, message, "'" + text + "'");
    EXPECT_PRED2(contains, message, "#rrggbb");
  }
}

TEST(Palette, FormatsColoursAsLowercaseHex) {
  EXPECT_EQ(to_hex_colour(Rgb{10, 177, 194}), "#0ab1c2");
  EXPECT_EQ(to_hex_colour(Rgb{0, 0, 0}), "#000000");
  EXPECT_EQ(parse_hex_colour(to_hex_colour(Rgb{1, 254, 128})), (Rgb{1, 254, 128}));
}

TEST(Palette, DefaultPaletteIsThePascalVocColourMap) {
  const std::vector<Rgb> palette = default_palette(21);
  ASSERT_EQ(palette.size(), 21u);
  EXPECT_EQ(palette[0], (Rgb{0, 0, 0}));
  EXPECT_EQ(palette[1], (Rgb{128, 0, 0}));
  EXPECT_EQ(palette[2], (Rgb{0, 128, 0}));
  EXPECT_EQ(palette[3], (Rgb{128, 128, 0}));
  EXPECT_EQ(palette[4], (Rgb{0, 0, 128}));
  EXPECT_EQ(palette[7], (Rgb{128, 128, 128}));
  EXPECT_EQ(palette[8], (Rgb{64, 0, 0}));
  EXPECT_EQ(palette[15], (Rgb{192, 128, 128}));  // VOC "person"
  EXPECT_EQ(palette[20], (Rgb{0, 64, 128}));     // VOC "tvmonitor"
}

TEST(Palette, DefaultPaletteColoursAreDistinct) {
  const std::vector<Rgb> palette = default_palette(256);
  EXPECT_EQ(std::set<Rgb>(palette.begin(), palette.end()).size(), 256u);
  EXPECT_TRUE(default_palette(0).empty());
}

}  // namespace
}  // namespace advseg
