#include "advseg/data/augment.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "advseg/data/random.h"
#include "advseg/error.h"

namespace advseg {

namespace {

void check_options(const AugmentOptions& options) {
  if (options.crop_height < 1 || options.crop_width < 1) {
    throw Error("augmentation: crop size must be positive (data.crop_height, data.crop_width), got " +
                std::to_string(options.crop_height) + "x" + std::to_string(options.crop_width));
  }
  if (!(options.scale_min > 0 && options.scale_min <= options.scale_max)) {
    throw Error("augmentation: need 0 < data.scale_min <= data.scale_max, got " +
                std::to_string(options.scale_min) + " and " + std::to_string(options.scale_max));
  }
  if (options.pad_rgb.size() != 3) throw Error("augmentation: pad_rgb needs 3 values");
}

// One axis of a crop: where the window starts in the source, where the copy
// lands in the output, and how long it is. A source longer than the crop is
// cropped at a random offset; a shorter one lands at a random offset in the
// padded output.
struct Span {
  int source = 0, target = 0, length = 0;
};

Span random_span(int source_length, int crop_length, std::mt19937_64& rng) {
  const int slack = uniform_int(rng, 0, std::abs(source_length - crop_length));
  if (source_length >= crop_length) return {slack, 0, crop_length};
  return {0, slack, source_length};
}

Example random_crop(const Example& example, const AugmentOptions& options, std::mt19937_64& rng) {
  const Span rows = random_span(example.image.rows, options.crop_height, rng);
  const Span cols = random_span(example.image.cols, options.crop_width, rng);
  const cv::Scalar pad(options.pad_rgb[0], options.pad_rgb[1], options.pad_rgb[2]);
  Example cropped{cv::Mat(options.crop_height, options.crop_width, CV_8UC3, pad),
                  cv::Mat(options.crop_height, options.crop_width, CV_8UC1, cv::Scalar(options.ignore_index)),
                  example.id};
  const cv::Rect from(cols.source, rows.source, cols.length, rows.length);
  const cv::Rect to(cols.target, rows.target, cols.length, rows.length);
  example.image(from).copyTo(cropped.image(to));
  example.label(from).copyTo(cropped.label(to));
  return cropped;
}

}  // namespace

namespace {

cv::Size scaled_size(const cv::Mat& image, double scale) {
  return cv::Size(std::max(1, static_cast<int>(std::lround(image.cols * scale))),
                  std::max(1, static_cast<int>(std::lround(image.rows * scale))));
}

}  // namespace

cv::Mat rescale_image(const cv::Mat& image, double scale) {
  if (scale == 1.0) return image;
  cv::Mat scaled;
  cv::resize(image, scaled, scaled_size(image, scale), 0, 0, scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return scaled;
}

Example rescale(const Example& example, double scale) {
  if (scale == 1.0) return example;
  Example scaled{rescale_image(example.image, scale), cv::Mat(), example.id};
  cv::resize(example.label, scaled.label, scaled_size(example.image, scale), 0, 0, cv::INTER_NEAREST);
  return scaled;
}

Example augment(const Example& example, const AugmentOptions& options, std::mt19937_64& rng) {
  check_options(options);
  if (example.image.size() != example.label.size()) {
    throw Error("augmentation: image and label of '" + example.id + "' differ in size");
  }
  const double scale = options.scale_min == options.scale_max
                           ? options.scale_min
                           : uniform(rng, options.scale_min, options.scale_max);
  Example result = random_crop(rescale(example, scale), options, rng);
  if (options.hflip && uniform01(rng) < 0.5) {
    cv::flip(result.image, result.image, 1);
    cv::flip(result.label, result.label, 1);
  }
  return result;
}

}  // namespace advseg
