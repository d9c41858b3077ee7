// Domain shifts applied to a dataset's images as they are read (data.shift):
// a target domain for adaptation made from a real source one, as Foggy
// Cityscapes is made from Cityscapes.
//
// Fog follows the optical model of Sakaridis et al. (2018), I = R·t + L·(1 − t):
// R the clear image, L the atmospheric light, t the transmission. No depth is
// known, so t is either one value for the whole image (fog) or grows from the
// top row (far, dense fog) to the bottom row (near, light fog) (fog_gradient).
// Low light darkens by a gamma and a gain, casts the colour towards blue, and
// adds sensor noise: shot noise, growing with the signal, and read noise.
//
// What varies between images (the atmospheric light, the cast, each pixel's
// noise) is drawn from the seed and the image's id alone: an image looks the
// same in every epoch, run and data-parallel worker. Labels are untouched.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <string>

namespace advseg {

enum class ShiftKind { none, fog, fog_gradient, low_light };

struct ShiftOptions {
  ShiftKind kind = ShiftKind::none;
  double severity = 0.5;  // in (0, 1]: how much of the image the shift takes away
  std::uint64_t seed = 1;
};

// "none", "fog", "fog_gradient", "low_light"; throws advseg::Error naming
// `key` and the allowed names for anything else.
ShiftKind parse_shift_kind(const std::string& name, const std::string& key);

struct DataConfig;

// data.shift, data.shift_severity and data.shift_seed of `config`'s section.
ShiftOptions shift_options(const DataConfig& config);

// `rgb` (CV_8UC3) as seen through the shift; `id` names the image (Example::id).
cv::Mat shift_image(const cv::Mat& rgb, const ShiftOptions& options, const std::string& id);

}  // namespace advseg
