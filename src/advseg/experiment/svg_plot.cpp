#include "advseg/experiment/svg_plot.h"

#include <algorithm>
#include <limits>
#include <sstream>

namespace advseg {
namespace {

constexpr double kWidth = 720, kHeight = 400;
constexpr double kLeft = 70, kRight = 560, kTop = 40, kBottom = 350;  // the plot area
constexpr int kTicks = 5;
constexpr const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  void add(double value) {
    low = std::min(low, value);
    high = std::max(high, value);
  }
  // A flat or empty range is widened so that positions stay finite.
  void settle() {
    if (low > high) {
      low = 0;
      high = 1;
    } else if (low == high) {
      low -= 0.5;
      high += 0.5;
    }
  }
  double at(double value, double from, double to) const {
    return from + (value - low) / (high - low) * (to - from);
  }
};

std::string number(double value) {
  std::ostringstream text;
  text.precision(4);
  text << value;
  return text.str();
}

void draw_axes(std::ostream& svg, const Range& x, const Range& y) {
  svg << "<rect x='" << kLeft << "' y='" << kTop << "' width='" << kRight - kLeft << "' height='"
      << kBottom - kTop << "' fill='none' stroke='#444'/>\n";
  for (int i = 0; i <= kTicks; ++i) {
    const double fraction = static_cast<double>(i) / kTicks;
    const double px = kLeft + fraction * (kRight - kLeft), py = kBottom - fraction * (kBottom - kTop);
    svg << "<text x='" << px << "' y='" << kBottom + 16 << "' text-anchor='middle'>"
        << number(x.low + fraction * (x.high - x.low)) << "</text>\n";
    svg << "<text x='" << kLeft - 6 << "' y='" << py + 4 << "' text-anchor='end'>"
        << number(y.low + fraction * (y.high - y.low)) << "</text>\n";
    svg << "<line x1='" << kLeft << "' y1='" << py << "' x2='" << kRight << "' y2='" << py
        << "' stroke='#ddd'/>\n";
  }
}

}  // namespace

std::string xml_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

std::string line_plot_svg(const std::string& title, const std::string& x_label,
                          const std::vector<PlotSeries>& series) {
  Range x, y;
  for (const auto& one : series)
    for (const auto& [px, py] : one.points) {
      x.add(px);
      y.add(py);
    }
  x.settle();
  y.settle();

  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << kWidth << "' height='" << kHeight
      << "' viewBox='0 0 " << kWidth << " " << kHeight
      << "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' fill='white'/>\n";
  svg << "<text x='" << (kLeft + kRight) / 2 << "' y='24' text-anchor='middle' font-size='15'>"
      << xml_escaped(title) << "</text>\n<text x='" << (kLeft + kRight) / 2 << "' y='" << kBottom + 36
      << "' text-anchor='middle'>" << xml_escaped(x_label) << "</text>\n";
  draw_axes(svg, x, y);

  // One colour per distinct label, in order of first appearance; an empty
  // series keeps its label's colour, so that several plots colour alike.
  std::vector<std::string> labels;
  std::vector<bool> drawn;
  for (const auto& one : series) {
    auto found = std::find(labels.begin(), labels.end(), one.label);
    const auto index = static_cast<std::size_t>(found - labels.begin());
    if (found == labels.end()) {
      labels.push_back(one.label);
      drawn.push_back(false);
    }
    if (one.points.empty()) continue;
    drawn[index] = true;
    svg << "<polyline fill='none' stroke-width='1.5' stroke='" << kColours[index % std::size(kColours)]
        << "' points='";
    for (const auto& [px, py] : one.points)
      svg << x.at(px, kLeft, kRight) << "," << y.at(py, kBottom, kTop) << " ";
    svg << "'/>\n";
  }
  double row = kTop + 10;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (!drawn[i]) continue;
    svg << "<line x1='" << kRight + 12 << "' y1='" << row << "' x2='" << kRight + 36 << "' y2='" << row
        << "' stroke-width='3' stroke='" << kColours[i % std::size(kColours)] << "'/>\n<text x='"
        << kRight + 42 << "' y='" << row + 4 << "'>" << xml_escaped(labels[i]) << "</text>\n";
    row += 18;
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace advseg
