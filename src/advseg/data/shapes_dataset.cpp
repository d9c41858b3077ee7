#include "advseg/data/shapes_dataset.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <random>
#include <utility>
#include <vector>

#include "advseg/data/random.h"
#include "advseg/error.h"
#include "advseg/io/palette.h"

namespace advseg {

namespace {

constexpr int kMinImageSize = 8;

// The ranges an image's textures and noise are drawn from: one style per
// domain. Every style draws the same number of values, so a domain changes
// how an image looks, never the stream its shapes come from.
struct Style {
  double base_min, base_max;  // each channel of a region's base colour
  double amplitude_max;       // stripes' amplitude, from 0 or amplitude_min
  double amplitude_min;
  double stripes_min, stripes_max;  // stripes across the image
  double noise_sigma;               // Gaussian noise on every pixel
};

constexpr Style kAnyStyle{30, 225, 60, 0, 1.5, 6.0, 10.0};
// The domain pair: bright, nearly flat regions (source) against darker,
// strongly and finely striped, noisier ones (target), whose stripe edges a
// source-trained segmentor has never had to ignore.
constexpr Style kSourceStyle{100, 225, 12, 0, 1.5, 6.0, 6.0};
constexpr Style kTargetStyle{20, 150, 80, 40, 4.0, 10.0, 16.0};

const Style& style_of(ShapesDomain domain) {
  switch (domain) {
    case ShapesDomain::source:
      return kSourceStyle;
    case ShapesDomain::target:
      return kTargetStyle;
    case ShapesDomain::any:
      break;
  }
  return kAnyStyle;
}

// A base colour plus oriented sinusoidal stripes. Every region draws one from
// the same distribution, so colour and texture say nothing about the class.
struct Texture {
  std::array<double, 3> base{};
  double amplitude = 0;
  double wave_x = 0, wave_y = 0;  // radians per pixel along x and y
  double phase = 0;

  double value(int channel, int x, int y) const {
    return base[channel] + amplitude * std::sin(wave_x * x + wave_y * y + phase);
  }
};

Texture random_texture(std::mt19937_64& rng, int image_size, const Style& style) {
  Texture texture;
  for (double& channel : texture.base) channel = uniform(rng, style.base_min, style.base_max);
  texture.amplitude = uniform(rng, style.amplitude_min, style.amplitude_max);
  const double direction = uniform(rng, 0, kTwoPi);
  const double wave = kTwoPi * uniform(rng, style.stripes_min, style.stripes_max) / image_size;
  texture.wave_x = wave * std::cos(direction);
  texture.wave_y = wave * std::sin(direction);
  texture.phase = uniform(rng, 0, kTwoPi);
  return texture;
}

struct Shape {
  ShapesDataset::Class kind = ShapesDataset::kDisc;
  cv::Point2d centre;
  double radius = 0;     // circumradius for the polygons
  double rotation = 0;   // square and triangle
  double thickness = 0;  // ring
};

Shape random_shape(std::mt19937_64& rng, int image_size) {
  Shape shape;
  shape.kind =
      static_cast<ShapesDataset::Class>(uniform_int(rng, ShapesDataset::kDisc, ShapesDataset::kRing));
  shape.centre = {uniform(rng, 0.15, 0.85) * image_size, uniform(rng, 0.15, 0.85) * image_size};
  shape.radius = uniform(rng, 0.12, 0.30) * image_size;
  shape.rotation = uniform(rng, 0, kTwoPi);
  shape.thickness = uniform(rng, 0.35, 0.50) * shape.radius;
  return shape;
}

std::vector<cv::Point> regular_polygon(const Shape& shape, int corners) {
  std::vector<cv::Point> points;
  for (int i = 0; i < corners; ++i) {
    const double angle = shape.rotation + kTwoPi * i / corners;
    points.emplace_back(static_cast<int>(std::lround(shape.centre.x + shape.radius * std::cos(angle))),
                        static_cast<int>(std::lround(shape.centre.y + shape.radius * std::sin(angle))));
  }
  return points;
}

void fill_circle(cv::Mat& mask, const cv::Point2d& centre, double radius, int value) {
  const cv::Point pixel(static_cast<int>(std::lround(centre.x)), static_cast<int>(std::lround(centre.y)));
  cv::circle(mask, pixel, static_cast<int>(std::lround(radius)), cv::Scalar(value), cv::FILLED, cv::LINE_8);
}

// The shape's pixels, rasterised without anti-aliasing so the label is exact.
cv::Mat shape_mask(const Shape& shape, int image_size) {
  cv::Mat mask(image_size, image_size, CV_8UC1, cv::Scalar(0));
  if (shape.kind == ShapesDataset::kSquare || shape.kind == ShapesDataset::kTriangle) {
    const int corners = shape.kind == ShapesDataset::kSquare ? 4 : 3;
    const std::vector<std::vector<cv::Point>> polygons{regular_polygon(shape, corners)};
    cv::fillPoly(mask, polygons, cv::Scalar(255), cv::LINE_8);
    return mask;
  }
  fill_circle(mask, shape.centre, shape.radius, 255);
  if (shape.kind == ShapesDataset::kRing) fill_circle(mask, shape.centre, shape.radius - shape.thickness, 0);
  return mask;
}

std::uint8_t to_byte(double value) {
  return static_cast<std::uint8_t>(std::clamp(std::lround(value), 0L, 255L));
}

// Each pixel takes its region's texture plus Gaussian noise everywhere, so
// no region is flat enough to be recognised by its noise level either.
cv::Mat paint(const cv::Mat& regions, const std::vector<Texture>& textures, double noise_sigma,
              std::mt19937_64& rng) {
  cv::Mat image(regions.size(), CV_8UC3);
  for (int y = 0; y < regions.rows; ++y) {
    const std::uint8_t* region = regions.ptr<std::uint8_t>(y);
    std::uint8_t* pixel = image.ptr<std::uint8_t>(y);
    for (int x = 0; x < regions.cols; ++x) {
      for (int c = 0; c < 3; ++c) {
        pixel[3 * x + c] = to_byte(textures[region[x]].value(c, x, y) + noise_sigma * standard_normal(rng));
      }
    }
  }
  return image;
}

std::uint64_t split_number(const std::string& split) {
  if (split == "train") return 0;
  if (split == "val") return 1;
  throw Error("shapes dataset: unknown split '" + split + "' (expected train or val)");
}

}  // namespace

ShapesDomain parse_shapes_domain(const std::string& name) {
  if (name == "any") return ShapesDomain::any;
  if (name == "source") return ShapesDomain::source;
  if (name == "target") return ShapesDomain::target;
  throw Error("shapes dataset: unknown domain '" + name + "' (expected any, source or target)");
}

DatasetInfo ShapesDataset::describe(int ignore_index) {
  return make_dataset_info(ignore_index, {"background", "disc", "square", "triangle", "ring"},
                           default_palette(kNumClasses));
}

ShapesDataset::ShapesDataset(ShapesOptions options)
    : options_(std::move(options)),
      // Seeds are splitmix64(base + (split << 32) + index): distinct inputs of
      // a bijection, so train and val never share an image seed.
      // the domain's number, 0 for any, in the bits above: the two domains of
      // a pair never share an image's layout, even with one seed.
      split_key_(splitmix64(options_.seed) + (split_number(options_.split) << 32) +
                 (static_cast<std::uint64_t>(options_.domain) << 40)),
      info_(describe(options_.ignore_index)) {
  if (options_.image_size < kMinImageSize) {
    throw Error("shapes dataset: image size " + std::to_string(options_.image_size) + " is below " +
                std::to_string(kMinImageSize) + " (data.shapes_image_size)");
  }
  if (options_.size < 0) {
    throw Error("shapes dataset: negative number of images " + std::to_string(options_.size) +
                " (data.shapes_" + options_.split + "_size)");
  }
}

Example ShapesDataset::get(std::size_t index) const {
  if (index >= size()) throw Error("shapes dataset: index " + std::to_string(index) + " out of range");
  std::mt19937_64 rng(splitmix64(split_key_ + index));
  const int image_size = options_.image_size;
  cv::Mat regions(image_size, image_size, CV_8UC1, cv::Scalar(0));
  Example example;
  example.label = cv::Mat(image_size, image_size, CV_8UC1, cv::Scalar(kBackground));
  example.id = options_.split + "_" + std::to_string(index);

  // Later shapes are drawn over earlier ones, so overlaps occlude naturally.
  const Style& style = style_of(options_.domain);
  std::vector<Texture> textures{random_texture(rng, image_size, style)};
  const int num_shapes = uniform_int(rng, 2, 4);
  for (int k = 1; k <= num_shapes; ++k) {
    const Shape shape = random_shape(rng, image_size);
    const cv::Mat mask = shape_mask(shape, image_size);
    regions.setTo(cv::Scalar(k), mask);
    example.label.setTo(cv::Scalar(shape.kind), mask);
    textures.push_back(random_texture(rng, image_size, style));
  }
  example.image = paint(regions, textures, style.noise_sigma, rng);
  return example;
}

Example ShapesDataset::image_only(std::size_t index) const {
  Example example = get(index);
  example.label = cv::Mat();
  return example;
}

}  // namespace advseg
