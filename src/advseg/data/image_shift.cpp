#include "advseg/data/image_shift.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <random>

#include "advseg/config/config.h"
#include "advseg/data/random.h"
#include "advseg/error.h"

namespace advseg {
namespace {

// FNV-1a: the image's id as a seed key (std::hash differs between libraries).
std::uint64_t id_key(const std::string& id) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const unsigned char c : id) hash = (hash ^ c) * 0x100000001b3ULL;
  return hash;
}

using Pixel = std::array<double, 3>;  // RGB in [0, 1]

// Calls `f(row, pixel)` on every pixel of `rgb`, writing back what it returns.
template <class F>
cv::Mat map_pixels(const cv::Mat& rgb, F&& f) {
  cv::Mat out(rgb.size(), CV_8UC3);
  for (int y = 0; y < rgb.rows; ++y) {
    const auto* in = rgb.ptr<cv::Vec3b>(y);
    auto* written = out.ptr<cv::Vec3b>(y);
    for (int x = 0; x < rgb.cols; ++x) {
      const Pixel shifted = f(y, Pixel{in[x][0] / 255.0, in[x][1] / 255.0, in[x][2] / 255.0});
      for (int c = 0; c < 3; ++c)
        written[x][c] = static_cast<std::uint8_t>(std::lround(255.0 * std::clamp(shifted[c], 0.0, 1.0)));
    }
  }
  return out;
}

// I = R·t(y) + L·(1 − t(y)), t from t_top (row 0) to t_bottom (last row).
cv::Mat fog(const cv::Mat& rgb, double light, double t_top, double t_bottom) {
  const double rows = std::max(1, rgb.rows - 1);
  return map_pixels(rgb, [&](int y, Pixel p) {
    const double t = t_top + (t_bottom - t_top) * y / rows;
    for (auto& c : p) c = c * t + light * (1 - t);
    return p;
  });
}

cv::Mat low_light(const cv::Mat& rgb, double severity, std::mt19937_64& rng) {
  const double gamma = 1 + 1.5 * severity, gain = 1 - 0.5 * severity;
  const double cast = severity * uniform(rng, 0.5, 1.0);
  const Pixel tint{1 - 0.15 * cast, 1.0, 1 + 0.1 * cast};
  const double shot = 0.01 * severity, read = 0.02 * severity;  // variance per unit signal; deviation
  return map_pixels(rgb, [&](int, Pixel p) {
    for (int c = 0; c < 3; ++c) {
      const double signal = gain * tint[c] * std::pow(p[c], gamma);
      p[c] = signal + std::sqrt(shot * signal + read * read) * standard_normal(rng);
    }
    return p;
  });
}

}  // namespace

ShiftKind parse_shift_kind(const std::string& name, const std::string& key) {
  if (name == "none") return ShiftKind::none;
  if (name == "fog") return ShiftKind::fog;
  if (name == "fog_gradient") return ShiftKind::fog_gradient;
  if (name == "low_light") return ShiftKind::low_light;
  throw Error(key + ": unknown shift '" + name + "' (one of none, fog, fog_gradient, low_light)");
}

ShiftOptions shift_options(const DataConfig& config) {
  return {parse_shift_kind(config.shift, config.section + ".shift"), config.shift_severity,
          static_cast<std::uint64_t>(config.shift_seed)};
}

cv::Mat shift_image(const cv::Mat& rgb, const ShiftOptions& options, const std::string& id) {
  if (options.kind == ShiftKind::none) return rgb;
  if (rgb.type() != CV_8UC3) throw Error("shift_image: expected an 8-bit RGB image (" + id + ")");
  std::mt19937_64 rng(mix_seed({options.seed, id_key(id)}));
  const double s = options.severity;
  switch (options.kind) {
    case ShiftKind::fog:  // s = 1: 30% of the scene left
      return fog(rgb, uniform(rng, 0.8, 0.95), 1 - 0.7 * s, 1 - 0.7 * s);
    case ShiftKind::fog_gradient:  // s = 1: 5% left at the top, 65% at the bottom
      return fog(rgb, uniform(rng, 0.8, 0.95), 1 - 0.95 * s, 1 - 0.35 * s);
    case ShiftKind::low_light:
      return low_light(rgb, s, rng);
    case ShiftKind::none:
      break;
  }
  return rgb;
}

}  // namespace advseg
