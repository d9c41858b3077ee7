#include "advseg/experiment/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace advseg {
namespace {

constexpr double kWidth = 720, kHeight = 400;
constexpr double kLeft = 70, kRight = 560, kTop = 40, kBottom = 350;  // the plot area
constexpr int kTicks = 5;                                             // about this many steps per axis
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
  // Widens the range to whole steps of 1, 2 or 5 times a power of ten, about
  // kTicks of them, so that every tick is a round number (0.85, 0.9, 0.95).
  double round_to_ticks() {
    const double rough = (high - low) / kTicks;
    const double power = std::pow(10.0, std::floor(std::log10(rough)));
    const double fraction = rough / power;
    const double step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
    low = std::floor(low / step + 1e-9) * step;
    high = std::ceil(high / step - 1e-9) * step;
    return step;
  }
};

// A tick's value with the decimals its step needs, and no more.
std::string tick_text(double value, double step) {
  std::ostringstream text;
  text.setf(std::ios::fixed);
  text.precision(std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9))));
  text << (std::abs(value) < step * 1e-6 ? 0.0 : value);  // no "-0.0"
  return text.str();
}

void draw_axes(std::ostream& svg, const Range& x, double x_step, const Range& y, double y_step) {
  svg << "<rect x='" << kLeft << "' y='" << kTop << "' width='" << kRight - kLeft << "' height='"
      << kBottom - kTop << "' fill='none' stroke='#444'/>\n";
  for (double value = x.low; value <= x.high + x_step * 1e-6; value += x_step)
    svg << "<text x='" << x.at(value, kLeft, kRight) << "' y='" << kBottom + 16 << "' text-anchor='middle'>"
        << tick_text(value, x_step) << "</text>\n";
  for (double value = y.low; value <= y.high + y_step * 1e-6; value += y_step) {
    const double py = y.at(value, kBottom, kTop);
    svg << "<text x='" << kLeft - 6 << "' y='" << py + 4 << "' text-anchor='end'>" << tick_text(value, y_step)
        << "</text>\n";
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
  const double x_step = x.round_to_ticks(), y_step = y.round_to_ticks();

  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << kWidth << "' height='" << kHeight
      << "' viewBox='0 0 " << kWidth << " " << kHeight
      << "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' fill='white'/>\n";
  svg << "<text x='" << (kLeft + kRight) / 2 << "' y='24' text-anchor='middle' font-size='15'>"
      << xml_escaped(title) << "</text>\n<text x='" << (kLeft + kRight) / 2 << "' y='" << kBottom + 36
      << "' text-anchor='middle'>" << xml_escaped(x_label) << "</text>\n";
  draw_axes(svg, x, x_step, y, y_step);

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
