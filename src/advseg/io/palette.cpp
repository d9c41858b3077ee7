#include "advseg/io/palette.h"

#include <cstdio>

#include "advseg/error.h"

namespace advseg {

namespace {

int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Rgb parse_hex_colour(const std::string& text) {
  const auto invalid = [&text]() {
    return Error("invalid colour '" + text + "': expected #rrggbb (hex digits)");
  };
  if (text.size() != 7 || text[0] != '#') throw invalid();
  Rgb colour{};
  for (std::size_t channel = 0; channel < 3; ++channel) {
    const int high = hex_digit_value(text[1 + 2 * channel]);
    const int low = hex_digit_value(text[2 + 2 * channel]);
    if (high < 0 || low < 0) throw invalid();
    colour[channel] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return colour;
}

std::string to_hex_colour(const Rgb& colour) {
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", colour[0], colour[1], colour[2]);
  return text;
}

std::vector<Rgb> default_palette(int num_classes) {
  if (num_classes < 0)
    throw Error("default_palette: number of classes must be >= 0, got " + std::to_string(num_classes));
  std::vector<Rgb> palette(static_cast<std::size_t>(num_classes));
  // PASCAL VOC scheme: bits 0, 1, 2 of the class id go to the top bits of
  // R, G, B; the next three bits to the next bits down, and so on.
  for (int id = 0; id < num_classes; ++id) {
    Rgb colour{};
    int bits = id;
    for (int shift = 7; shift >= 0 && bits > 0; --shift, bits >>= 3) {
      for (int channel = 0; channel < 3; ++channel) {
        colour[channel] |= static_cast<std::uint8_t>(((bits >> channel) & 1) << shift);
      }
    }
    palette[static_cast<std::size_t>(id)] = colour;
  }
  return palette;
}

}  // namespace advseg
