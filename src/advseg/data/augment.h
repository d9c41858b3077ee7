// Training augmentation on decoded examples: random scale, random crop with
// ignore padding, horizontal flip. Every draw comes from the rng passed in,
// so a sample's augmentation is reproducible from its seed.
#pragma once

#include <random>

#include "advseg/data/dataset.h"

namespace advseg {

struct AugmentOptions {
  int crop_height = 64;
  int crop_width = 64;
  double scale_min = 1.0;
  double scale_max = 1.0;
  bool hflip = true;
  int ignore_index = 255;
  std::vector<double> pad_rgb{124, 116, 104};  // image padding (the mean colour, 0 after normalisation)
};

// The example resized by `scale`: area averaging for a smaller image (no
// aliasing), bilinear for a larger one, nearest for the label map, since
// blending class ids would invent classes along boundaries.
Example rescale(const Example& example, double scale);
// The same for an image alone.
cv::Mat rescale_image(const cv::Mat& image, double scale);

Example augment(const Example& example, const AugmentOptions& options, std::mt19937_64& rng);

}  // namespace advseg
