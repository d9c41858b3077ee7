// Pictures of predictions: class indices in palette colours, and those
// colours blended over the image.
#pragma once

#include <opencv2/core.hpp>
#include <vector>

#include "advseg/io/png_mask.h"

namespace advseg {

// CV_8UC1 indices -> CV_8UC3 RGB; indices beyond the palette are black.
cv::Mat colourize(const cv::Mat& indices, const std::vector<Rgb>& palette);

// alpha * colours + (1 - alpha) * image, both CV_8UC3 RGB of the same size.
cv::Mat overlay(const cv::Mat& image, const cv::Mat& colours, double alpha = 0.5);

}  // namespace advseg
