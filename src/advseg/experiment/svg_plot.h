// Line plots as SVG text, drawn by hand so that learning curves need no
// plotting library.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace advseg {

struct PlotSeries {
  std::string label;                              // legend entry; series with the same label share a colour
  std::vector<std::pair<double, double>> points;  // (x, y), in drawing order
};

// A 720x400 plot with framed axes, round ticks (about five per axis), one polyline per
// series and a legend of the distinct labels. Empty series draw nothing but
// keep their label's colour, so a run has one colour in every plot.
std::string line_plot_svg(const std::string& title, const std::string& x_label,
                          const std::vector<PlotSeries>& series);

// `text` with &, < and > escaped: safe as SVG or HTML element text.
std::string xml_escaped(const std::string& text);

}  // namespace advseg
