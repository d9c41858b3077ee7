#include "advseg/eval/visualize.h"

#include <opencv2/core.hpp>

namespace advseg {

cv::Mat colourize(const cv::Mat& indices, const std::vector<Rgb>& palette) {
  CV_Assert(indices.type() == CV_8UC1);
  cv::Mat colours(indices.size(), CV_8UC3, cv::Scalar(0, 0, 0));
  for (int row = 0; row < indices.rows; ++row) {
    const auto* index = indices.ptr<std::uint8_t>(row);
    auto* pixel = colours.ptr<cv::Vec3b>(row);
    for (int col = 0; col < indices.cols; ++col) {
      if (index[col] < palette.size()) {
        const auto& colour = palette[index[col]];
        pixel[col] = cv::Vec3b(colour[0], colour[1], colour[2]);
      }
    }
  }
  return colours;
}

cv::Mat overlay(const cv::Mat& image, const cv::Mat& colours, double alpha) {
  cv::Mat blended;
  cv::addWeighted(colours, alpha, image, 1.0 - alpha, 0.0, blended);
  return blended;
}

}  // namespace advseg
