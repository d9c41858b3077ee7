// The views semi-supervised methods take of a batch of unlabelled images:
// the images as the loader gave them (cropped and flipped: the weak view), a
// strongly augmented copy (colour jitter, grayscale, blur: the strong view,
// as FixMatch and UniMatch use) and CutMix boxes that pair each image with
// the next one of the batch (French et al. 2020). Every draw comes from one
// seed, so a resumed run takes the same views.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <random>
#include <vector>

namespace advseg {

struct UnlabeledViews {
  // Only the images: what domain adaptation and Hung et al. use (implicit, so a tensor is a batch of views).
  UnlabeledViews(torch::Tensor images_ = {})
      : images(std::move(images_)) {}  // NOLINT(google-explicit-constructor)
  torch::Tensor images;                // [M,3,H,W] normalised: the weak view
  torch::Tensor strong;                // the same images strongly augmented, or undefined
  torch::Tensor mix_mask;              // [M,1,H,W] 1 inside image i's CutMix box, or undefined
  bool defined() const { return images.defined(); }
};

struct ViewOptions {
  bool strong = false;                            // make the strong view
  bool mix = false;                               // draw CutMix boxes
  double cutmix_area = 0.5;                       // share of the image a box covers
  std::vector<double> mean{0.485, 0.456, 0.406};  // the images' normalisation
  std::vector<double> std{0.229, 0.224, 0.225};
};

UnlabeledViews make_unlabeled_views(const torch::Tensor& images, const ViewOptions& options,
                                    std::uint64_t seed);

// One box per image, of `area` times the image's area with a drawn aspect
// ratio, at a drawn place: [count,1,height,width] floats, 1 inside.
torch::Tensor box_masks(std::int64_t count, std::int64_t height, std::int64_t width, double area,
                        std::mt19937_64& rng, const torch::TensorOptions& options);

// CutMix of a batch with itself: inside image i's box, image i; outside, image
// i+1 (the last takes the first). `batch` is [M,C,H,W] (images,
// probabilities) or [M,H,W] (labels); `masks` [M,1,H,W] from box_masks.
torch::Tensor cutmix(const torch::Tensor& batch, const torch::Tensor& masks);

// The strong view of normalised images [M,3,H,W]: per image, with the
// probabilities of UniMatch's pipeline, colour jitter (brightness, contrast,
// saturation in [0.5, 1.5], p 0.8), grayscale (p 0.2) and a Gaussian blur
// (sigma in [0.1, 2], p 0.5), on [0, 1] pixels; normalised again.
torch::Tensor strong_view(const torch::Tensor& images, const std::vector<double>& mean,
                          const std::vector<double>& std, std::mt19937_64& rng);

}  // namespace advseg
