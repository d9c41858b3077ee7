#include "advseg/data/shapes_dataset.h"

#include <gtest/gtest.h>

#include <array>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "advseg/error.h"
#include "test_support.h"

namespace advseg {
namespace {

using test::same_bytes;

ShapesOptions options_for(const std::string& split, int size = 64) {
  ShapesOptions options;
  options.split = split;
  options.size = size;
  return options;
}

TEST(ShapesDataset, DescribesFiveNamedClasses) {
  const ShapesDataset dataset(options_for("train", 10));
  EXPECT_EQ(dataset.size(), 10u);
  EXPECT_EQ(dataset.info().num_classes, 5);
  EXPECT_EQ(dataset.info().class_names,
            (std::vector<std::string>{"background", "disc", "square", "triangle", "ring"}));
  EXPECT_EQ(dataset.info().palette.size(), 5u);
}

TEST(ShapesDataset, ExamplesHaveTheConfiguredSizeAndValidLabels) {
  ShapesOptions options = options_for("train", 5);
  options.image_size = 48;
  const Example example = ShapesDataset(options).get(2);
  EXPECT_EQ(example.image.type(), CV_8UC3);
  EXPECT_EQ(example.label.type(), CV_8UC1);
  EXPECT_EQ(example.image.size(), cv::Size(48, 48));
  EXPECT_EQ(example.label.size(), cv::Size(48, 48));
  double max_label = 0;
  cv::minMaxLoc(example.label, nullptr, &max_label);
  EXPECT_LE(max_label, 4);
}

TEST(ShapesDataset, SameSeedGivesIdenticalBytes) {
  const ShapesDataset first(options_for("train")), second(options_for("train"));
  for (std::size_t index : {0u, 7u, 63u}) {
    const Example a = first.get(index), b = second.get(index);
    EXPECT_TRUE(same_bytes(a.image, b.image)) << index;
    EXPECT_TRUE(same_bytes(a.label, b.label)) << index;
    EXPECT_EQ(a.id, b.id);
  }
}

TEST(ShapesDataset, IndexSplitAndSeedChangeTheImage) {
  const ShapesDataset train(options_for("train")), val(options_for("val"));
  ShapesOptions reseeded = options_for("train");
  reseeded.seed = 8;
  EXPECT_FALSE(same_bytes(train.get(0).image, train.get(1).image));
  EXPECT_FALSE(same_bytes(train.get(0).image, val.get(0).image));
  EXPECT_FALSE(same_bytes(train.get(0).image, ShapesDataset(reseeded).get(0).image));
  EXPECT_NE(train.get(0).id, val.get(0).id);
}

TEST(ShapesDataset, ConcurrentGetMatchesSequentialGet) {
  const ShapesDataset dataset(options_for("val", 8));
  std::vector<Example> concurrent(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < 8; ++i) threads.emplace_back([&, i] { concurrent[i] = dataset.get(i); });
  for (std::thread& thread : threads) thread.join();
  for (std::size_t i = 0; i < 8; ++i) EXPECT_TRUE(same_bytes(concurrent[i].image, dataset.get(i).image)) << i;
}

TEST(ShapesDataset, EveryClassAppearsInTheFirstFiftyImages) {
  const ShapesDataset dataset(options_for("train", 50));
  std::array<long, 5> pixels{};
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    const cv::Mat label = dataset.get(i).label;
    for (int c = 0; c < 5; ++c) pixels[c] += cv::countNonZero(label == c);
  }
  for (int c = 0; c < 5; ++c) EXPECT_GT(pixels[c], 0) << "class " << c;
}

TEST(ShapesDataset, ImagesHoldSeveralShapes) {
  const ShapesDataset dataset(options_for("train", 20));
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    const cv::Mat label = dataset.get(i).label;
    EXPECT_GT(cv::countNonZero(label != 0), 0) << i;  // some shape
    EXPECT_GT(cv::countNonZero(label == 0), 0) << i;  // some background
  }
}

// Colour carries no class information: over many images, each class's
// pixels have the same mean colour, that of the base colours (uniform in
// [30, 225], so 127.5; stripes and noise are symmetric). 15 is about three
// standard errors at this sample size, far below the gaps that colours chosen
// per class would leave.
TEST(ShapesDataset, MeanColourIsTheSameForEveryClass) {
  ShapesOptions options = options_for("train", 400);
  options.image_size = 32;
  const ShapesDataset dataset(options);
  std::array<cv::Vec3d, 5> sums{};
  std::array<double, 5> counts{};
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    const Example example = dataset.get(i);
    for (int c = 0; c < 5; ++c) {
      const cv::Mat mask = example.label == c;
      const double n = cv::countNonZero(mask);
      if (n == 0) continue;
      const cv::Scalar mean = cv::mean(example.image, mask);
      for (int k = 0; k < 3; ++k) sums[c][k] += mean[k] * n;
      counts[c] += n;
    }
  }
  for (int c = 0; c < 5; ++c) {
    for (int k = 0; k < 3; ++k) {
      EXPECT_NEAR(sums[c][k] / counts[c], 127.5, 15.0) << "class " << c << " channel " << k;
    }
  }
}

// Mean brightness and mean horizontal step between neighbouring pixels
// (stripes and noise) over a domain's first images.
struct Looks {
  double brightness = 0, roughness = 0;
};

Looks looks_of(ShapesDomain domain) {
  ShapesOptions options = options_for("train", 40);
  options.domain = domain;
  const ShapesDataset dataset(options);
  Looks looks;
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    cv::Mat grey;
    cv::cvtColor(dataset.get(i).image, grey, cv::COLOR_RGB2GRAY);
    grey.convertTo(grey, CV_32F);
    looks.brightness += cv::mean(grey)[0] / static_cast<double>(dataset.size());
    const cv::Mat step = cv::abs(grey.colRange(1, grey.cols) - grey.colRange(0, grey.cols - 1));
    looks.roughness += cv::mean(step)[0] / static_cast<double>(dataset.size());
  }
  return looks;
}

TEST(ShapesDataset, TheDomainPairLooksApartButDrawsTheSameKindOfScenes) {
  const Looks source = looks_of(ShapesDomain::source), target = looks_of(ShapesDomain::target);
  EXPECT_GT(source.brightness, target.brightness + 40);  // bright against dark
  EXPECT_GT(target.roughness, 2 * source.roughness);     // flat against striped and noisy
  // One seed, two domains: different layouts, never the same image restyled.
  ShapesOptions options = options_for("train", 4);
  options.domain = ShapesDomain::source;
  const Example a = ShapesDataset(options).get(0);
  options.domain = ShapesDomain::target;
  const Example b = ShapesDataset(options).get(0);
  EXPECT_FALSE(same_bytes(a.label, b.label));
  EXPECT_EQ(parse_shapes_domain("target"), ShapesDomain::target);
  EXPECT_THROW(parse_shapes_domain("night"), Error);
}

TEST(ShapesDataset, RejectsUnknownSplitAndTinyImages) {
  EXPECT_THROW(ShapesDataset(options_for("test")), Error);
  ShapesOptions tiny = options_for("train");
  tiny.image_size = 4;
  EXPECT_THROW(ShapesDataset{tiny}, Error);
}

}  // namespace
}  // namespace advseg
