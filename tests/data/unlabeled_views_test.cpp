// The views of unlabelled images: CutMix boxes of the asked area that pair
// each image with the next, a strong view that changes colours and sharpness
// but not the layout, and every draw fixed by the seed.
#include "advseg/data/unlabeled_views.h"

#include <gtest/gtest.h>

namespace advseg {
namespace {

TEST(BoxMasks, EachIsOneBoxOfTheAskedAreaAndTheSeedFixesThem) {
  std::mt19937_64 rng(7);
  const auto masks = box_masks(6, 40, 60, 0.5, rng, torch::kFloat);
  ASSERT_EQ(masks.sizes(), (std::vector<std::int64_t>{6, 1, 40, 60}));
  EXPECT_TRUE(torch::equal(masks, (masks > 0.5).to(torch::kFloat))) << "binary";
  for (std::int64_t i = 0; i < 6; ++i) {
    const auto inside = masks[i][0].nonzero();
    const auto rows = inside.select(1, 0), columns = inside.select(1, 1);
    const auto height = rows.max().item<std::int64_t>() - rows.min().item<std::int64_t>() + 1;
    const auto width = columns.max().item<std::int64_t>() - columns.min().item<std::int64_t>() + 1;
    EXPECT_EQ(inside.size(0), height * width) << "one filled rectangle";
    EXPECT_NEAR(static_cast<double>(height * width) / (40 * 60), 0.5, 0.05) << i;
  }
  std::mt19937_64 same(7), other(8);
  EXPECT_TRUE(torch::equal(box_masks(6, 40, 60, 0.5, same, torch::kFloat), masks));
  EXPECT_FALSE(torch::equal(box_masks(6, 40, 60, 0.5, other, torch::kFloat), masks));
}

TEST(CutMix, InsideTheBoxTheImageOutsideTheNextOne) {
  const auto images = torch::arange(3).to(torch::kFloat).view({3, 1, 1, 1}).expand({3, 2, 4, 4}).contiguous();
  auto masks = torch::zeros({3, 1, 4, 4});
  masks.narrow(2, 0, 2).fill_(1);  // the top half
  const auto mixed = cutmix(images, masks);
  for (std::int64_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(torch::all(mixed[i].narrow(1, 0, 2) == i).item<bool>());
    EXPECT_TRUE(torch::all(mixed[i].narrow(1, 2, 2) == (i + 1) % 3).item<bool>())
        << "the last takes the first";
  }
  const auto labels = torch::arange(3).view({3, 1, 1}).expand({3, 4, 4}).contiguous();
  EXPECT_TRUE(torch::equal(cutmix(labels, masks), mixed.select(1, 0).to(torch::kLong))) << "labels mix alike";
}

TEST(StrongView, ChangesTheImagesDeterministicallyAndKeepsTheirRange) {
  torch::manual_seed(1);
  const std::vector<double> mean{0.485, 0.456, 0.406}, std{0.229, 0.224, 0.225};
  const auto mean_t = torch::tensor(mean).to(torch::kFloat).view({1, 3, 1, 1});
  const auto std_t = torch::tensor(std).to(torch::kFloat).view({1, 3, 1, 1});
  const auto pixels = torch::rand({8, 3, 24, 24});
  const auto images = (pixels - mean_t) / std_t;
  std::mt19937_64 rng(3), same(3);
  const auto strong = strong_view(images, mean, std, rng);
  ASSERT_EQ(strong.sizes(), images.sizes());
  EXPECT_TRUE(torch::equal(strong, strong_view(images, mean, std, same)));
  const auto back = strong * std_t + mean_t;
  EXPECT_GE(back.min().item<double>(), -1e-5);
  EXPECT_LE(back.max().item<double>(), 1 + 1e-5);
  // An image escapes jitter, grayscale and blur with probability 0.2 * 0.8 * 0.5 = 0.08.
  int changed = 0;
  for (std::int64_t i = 0; i < 8; ++i) changed += !torch::allclose(strong[i], images[i], 1e-4, 1e-4);
  EXPECT_GE(changed, 6);
}

TEST(UnlabeledViews, TheOptionsSayWhichViewsAreMade) {
  const auto images = torch::randn({2, 3, 16, 16});
  EXPECT_FALSE(make_unlabeled_views(images, ViewOptions{}, 1).mix_mask.defined());
  EXPECT_FALSE(make_unlabeled_views(images, ViewOptions{}, 1).strong.defined());
  ViewOptions both;
  both.mix = both.strong = true;
  const auto views = make_unlabeled_views(images, both, 1);
  EXPECT_TRUE(torch::equal(views.images, images));
  EXPECT_EQ(views.mix_mask.sizes(), (std::vector<std::int64_t>{2, 1, 16, 16}));
  EXPECT_EQ(views.strong.sizes(), images.sizes());
  EXPECT_TRUE(torch::equal(make_unlabeled_views(images, both, 1).strong, views.strong));
  EXPECT_FALSE(torch::equal(make_unlabeled_views(images, both, 2).mix_mask, views.mix_mask));
}

}  // namespace
}  // namespace advseg
