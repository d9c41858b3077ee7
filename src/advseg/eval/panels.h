// Picture panels comparing label maps: one row per image, with the image
// (and other views of it, e.g. under data.shift), then label maps (ground
// truth, each model's prediction) in class colours, under a header naming
// the columns.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "advseg/io/png_mask.h"

namespace advseg {

struct PanelRow {
  cv::Mat image;                    // CV_8UC3 RGB
  std::vector<cv::Mat> label_maps;  // CV_8UC1 class indices, each of the image's size
  std::vector<cv::Mat> views;       // CV_8UC3, each of the image's size: drawn after it, before the maps
};

struct PanelLayout {
  int gap = 4;               // white pixels between and around tiles
  int header_height = 24;    // the row of column names
  int min_tile_width = 128;  // smaller images are enlarged by a whole factor (nearest neighbour)
};

// A white RGB picture: the header, then one row of tiles per PanelRow. All
// tiles take the largest image size times the enlargement factor; smaller
// images sit at the tile's top left. Label maps use `palette`; indices beyond
// it (void) are black. `column_names` names the image, each view and each
// label map; every row has as many views.
cv::Mat draw_panels(const std::vector<PanelRow>& rows, const std::vector<std::string>& column_names,
                    const std::vector<Rgb>& palette, const PanelLayout& layout = {});

}  // namespace advseg
