// Class colours: "#rrggbb" strings in configs, and a default palette.
#pragma once

#include <string>
#include <vector>

#include "advseg/io/png_mask.h"

namespace advseg {

// Parses "#rrggbb"; throws advseg::Error naming the text otherwise.
Rgb parse_hex_colour(const std::string& text);
std::string to_hex_colour(const Rgb& colour);

// The PASCAL VOC bit-interleaved palette: distinct colours for n classes.
std::vector<Rgb> default_palette(int num_classes);

}  // namespace advseg
