#include "advseg/data/unlabeled_views.h"

#include <algorithm>
#include <cmath>

#include "advseg/data/random.h"

namespace advseg {
namespace {

torch::Tensor channel_tensor(const std::vector<double>& values, const torch::Tensor& like) {
  return torch::tensor(values, like.options().dtype(torch::kDouble)).to(like.dtype()).view({3, 1, 1});
}

// ITU-R 601 luma of an RGB image [3,H,W], as [1,H,W].
torch::Tensor luma(const torch::Tensor& image) {
  return 0.299 * image[0].unsqueeze(0) + 0.587 * image[1].unsqueeze(0) + 0.114 * image[2].unsqueeze(0);
}

// torchvision's blend: factor * image + (1 - factor) * other, kept in [0, 1].
torch::Tensor blend(const torch::Tensor& image, const torch::Tensor& other, double factor) {
  return (factor * image + (1 - factor) * other).clamp(0, 1);
}

torch::Tensor colour_jitter(torch::Tensor image, std::mt19937_64& rng) {
  const double brightness = uniform(rng, 0.5, 1.5), contrast = uniform(rng, 0.5, 1.5),
               saturation = uniform(rng, 0.5, 1.5);
  image = (image * brightness).clamp(0, 1);
  image = blend(image, luma(image).mean().expand_as(image), contrast);
  return blend(image, luma(image).expand_as(image), saturation);
}

// A Gaussian blur of [3,H,W], separable, with reflected borders.
torch::Tensor gaussian_blur(const torch::Tensor& image, double sigma) {
  const auto largest = std::min(image.size(1), image.size(2)) - 1;
  const auto radius = std::min<std::int64_t>(static_cast<std::int64_t>(std::ceil(3 * sigma)), largest);
  if (radius < 1) return image;
  const auto x = torch::arange(-radius, radius + 1, image.options());
  auto kernel = torch::exp(-x * x / (2 * sigma * sigma));
  kernel = kernel / kernel.sum();
  namespace F = torch::nn::functional;
  auto padded =
      F::pad(image.unsqueeze(0), F::PadFuncOptions({radius, radius, radius, radius}).mode(torch::kReflect));
  padded =
      F::conv2d(padded, kernel.view({1, 1, 1, -1}).expand({3, 1, 1, -1}), F::Conv2dFuncOptions().groups(3));
  padded =
      F::conv2d(padded, kernel.view({1, 1, -1, 1}).expand({3, 1, -1, 1}), F::Conv2dFuncOptions().groups(3));
  return padded.squeeze(0);
}

}  // namespace

torch::Tensor box_masks(std::int64_t count, std::int64_t height, std::int64_t width, double area,
                        std::mt19937_64& rng, const torch::TensorOptions& options) {
  auto masks = torch::zeros({count, 1, height, width}, options);
  for (std::int64_t i = 0; i < count; ++i) {
    // French et al.'s draw: the height's share log-uniform in [area, 1], the width's area / that.
    const double height_share = std::exp(uniform01(rng) * std::log(area));
    const double width_share = area / height_share;
    const auto box_height =
        std::max<std::int64_t>(1, std::llround(height_share * static_cast<double>(height)));
    const auto box_width = std::max<std::int64_t>(1, std::llround(width_share * static_cast<double>(width)));
    const auto top =
        static_cast<std::int64_t>(std::llround(uniform01(rng) * static_cast<double>(height - box_height)));
    const auto left =
        static_cast<std::int64_t>(std::llround(uniform01(rng) * static_cast<double>(width - box_width)));
    masks[i].narrow(1, top, box_height).narrow(2, left, box_width).fill_(1);
  }
  return masks;
}

torch::Tensor cutmix(const torch::Tensor& batch, const torch::Tensor& masks) {
  const auto next = batch.roll(-1, 0);
  if (batch.dim() == 3) return torch::where(masks.squeeze(1) > 0.5, batch, next);
  return masks * batch + (1 - masks) * next;
}

torch::Tensor strong_view(const torch::Tensor& images, const std::vector<double>& mean,
                          const std::vector<double>& std, std::mt19937_64& rng) {
  const auto mean_t = channel_tensor(mean, images), std_t = channel_tensor(std, images);
  std::vector<torch::Tensor> views;
  for (std::int64_t i = 0; i < images.size(0); ++i) {
    auto image = (images[i] * std_t + mean_t).clamp(0, 1);
    if (uniform01(rng) < 0.8) image = colour_jitter(image, rng);
    if (uniform01(rng) < 0.2) image = luma(image).expand_as(image).contiguous();
    if (uniform01(rng) < 0.5) image = gaussian_blur(image, uniform(rng, 0.1, 2.0));
    views.push_back((image - mean_t) / std_t);
  }
  return torch::stack(views);
}

UnlabeledViews make_unlabeled_views(const torch::Tensor& images, const ViewOptions& options,
                                    std::uint64_t seed) {
  UnlabeledViews views(images);
  std::mt19937_64 rng(seed);
  if (options.mix)
    views.mix_mask =
        box_masks(images.size(0), images.size(2), images.size(3), options.cutmix_area, rng, images.options());
  if (options.strong) views.strong = strong_view(images, options.mean, options.std, rng);
  return views;
}

}  // namespace advseg
