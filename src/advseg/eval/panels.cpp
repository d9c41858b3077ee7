#include "advseg/eval/panels.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "advseg/error.h"
#include "advseg/eval/visualize.h"

namespace advseg {
namespace {

void check_rows(const std::vector<PanelRow>& rows, const std::vector<std::string>& column_names) {
  if (rows.empty() || column_names.empty()) throw Error("panels: no image to draw");
  const std::size_t views = rows.front().views.size();
  for (const auto& row : rows) {
    if (row.image.type() != CV_8UC3 || row.views.size() != views ||
        1 + views + row.label_maps.size() != column_names.size())
      throw Error("panels: each row needs an RGB image, " + std::to_string(views) + " views and " +
                  std::to_string(column_names.size() - 1 - views) + " label maps");
    for (const auto& view : row.views) {
      if (view.type() != CV_8UC3 || view.size() != row.image.size())
        throw Error("panels: a view is not an RGB image of its image's size");
    }
    for (const auto& map : row.label_maps) {
      if (map.type() != CV_8UC1 || map.size() != row.image.size())
        throw Error("panels: a label map is not an 8-bit index map of its image's size");
    }
  }
}

// Places `tile` (enlarged by `scale`) at the top left of cell (row, column).
void place(cv::Mat& canvas, const cv::Mat& tile, int scale, cv::Point cell_origin) {
  cv::Mat enlarged;
  cv::resize(tile, enlarged, cv::Size(), scale, scale, cv::INTER_NEAREST);
  enlarged.copyTo(canvas(cv::Rect(cell_origin, enlarged.size())));
}

}  // namespace

cv::Mat draw_panels(const std::vector<PanelRow>& rows, const std::vector<std::string>& column_names,
                    const std::vector<Rgb>& palette, const PanelLayout& layout) {
  check_rows(rows, column_names);
  cv::Size largest(0, 0);
  for (const auto& row : rows) {
    largest.width = std::max(largest.width, row.image.cols);
    largest.height = std::max(largest.height, row.image.rows);
  }
  // Tiny images (e.g. 32x32 shapes) are enlarged so that the picture is readable.
  const int scale = std::max(1, (layout.min_tile_width + largest.width - 1) / std::max(1, largest.width));
  const cv::Size tile(largest.width * scale, largest.height * scale);
  const int columns = static_cast<int>(column_names.size());
  const int count = static_cast<int>(rows.size());
  cv::Mat canvas(layout.header_height + count * tile.height + (count + 1) * layout.gap,
                 columns * tile.width + (columns + 1) * layout.gap, CV_8UC3, cv::Scalar(255, 255, 255));

  for (int c = 0; c < columns; ++c) {
    cv::putText(canvas, column_names[static_cast<std::size_t>(c)],
                cv::Point(layout.gap + c * (tile.width + layout.gap), layout.header_height - 7),
                cv::FONT_HERSHEY_SIMPLEX, 0.45, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
  for (int r = 0; r < count; ++r) {
    const auto& row = rows[static_cast<std::size_t>(r)];
    const int y = layout.header_height + layout.gap + r * (tile.height + layout.gap);
    std::vector<cv::Mat> tiles = {row.image};
    tiles.insert(tiles.end(), row.views.begin(), row.views.end());
    for (const auto& map : row.label_maps) tiles.push_back(colourize(map, palette));
    for (int c = 0; c < columns; ++c)
      place(canvas, tiles[static_cast<std::size_t>(c)], scale,
            cv::Point(layout.gap + c * (tile.width + layout.gap), y));
  }
  return canvas;
}

}  // namespace advseg
