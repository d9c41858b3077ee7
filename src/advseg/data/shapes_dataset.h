// The built-in synthetic dataset: 2-4 overlapping shapes (disc, square,
// triangle, ring) on a background. Every region, background included, takes
// its colour and striped texture from the same distribution, so a pixel's
// class shows only in the shape as a whole: a task that needs the spatial
// context adversarial training is meant to teach. Images are generated from
// (seed, split, index) on demand, so nothing is stored and get() is
// thread-safe. Its domains (any, source, target) draw colours and stripes
// from different ranges: a synthetic pair for domain adaptation.
#pragma once

#include <cstdint>
#include <string>

#include "advseg/data/dataset.h"

namespace advseg {

// Which textures an image's regions take (data.shapes_domain).
enum class ShapesDomain : std::uint8_t { any = 0, source = 1, target = 2 };
ShapesDomain parse_shapes_domain(const std::string& name);

struct ShapesOptions {
  std::string split = "train";  // "train" or "val": disjoint image seeds
  int size = 512;               // number of images
  int image_size = 64;          // width and height in pixels
  std::uint64_t seed = 7;
  int ignore_index = 255;
  ShapesDomain domain = ShapesDomain::any;
};

class ShapesDataset final : public Dataset {
 public:
  enum Class : std::uint8_t { kBackground = 0, kDisc = 1, kSquare = 2, kTriangle = 3, kRing = 4 };
  static constexpr int kNumClasses = 5;
  static DatasetInfo describe(int ignore_index);  // classes, names, palette

  explicit ShapesDataset(ShapesOptions options);

  std::size_t size() const override { return static_cast<std::size_t>(options_.size); }
  Example get(std::size_t index) const override;
  // Drawn as get() draws it (image and label come from one stream), the label then dropped.
  Example image_only(std::size_t index) const override;
  const DatasetInfo& info() const override { return info_; }

 private:
  ShapesOptions options_;
  std::uint64_t split_key_;
  DatasetInfo info_;
};

}  // namespace advseg
