#include "advseg/train/losses.h"

#include <torch/nn/functional/loss.h>

#include <string>
#include <vector>

#include "advseg/error.h"
#include "advseg/inference/cross_entropy.h"
#include "advseg/models/layers.h"

namespace advseg {

namespace F = torch::nn::functional;

namespace {

torch::Tensor bce_against(const torch::Tensor& logits, double target) {
  return F::binary_cross_entropy_with_logits(logits, torch::full_like(logits, target));
}

}  // namespace

AdversarialLoss parse_adversarial_loss(const std::string& name) {
  if (name == "flipped") return AdversarialLoss::flipped;
  if (name == "original") return AdversarialLoss::original;
  throw Error("unknown adversarial loss \"" + name + "\"; valid names: flipped, original");
}

torch::Tensor upsample_logits(const torch::Tensor& logits, int height, int width) {
  return resize_bilinear(logits, height, width);
}

torch::Tensor segmentation_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels,
                                         int ignore_index) {
  const auto upsampled =
      upsample_logits(logits, static_cast<int>(labels.size(1)), static_cast<int>(labels.size(2)));
  // Summing and dividing by max(count, 1) gives exactly 0 (with a graph) when
  // every pixel is void, where the built-in mean would be NaN, and needs no sync.
  const auto summed = pixel_cross_entropy_sum(upsampled, labels, ignore_index);
  const auto valid_count = (labels != ignore_index).sum().to(summed.scalar_type());
  return summed / valid_count.clamp_min(1.0);
}

torch::Tensor adversary_loss(const torch::Tensor& real_logits, const torch::Tensor& fake_logits) {
  return bce_against(real_logits, 1.0) + bce_against(fake_logits, 0.0);
}

torch::Tensor segmentor_adversarial_term(const torch::Tensor& fake_logits, AdversarialLoss kind) {
  // flipped: maximise log a(x,s(x)); original: minimise log(1 - a(x,s(x))).
  if (kind == AdversarialLoss::flipped) return bce_against(fake_logits, 1.0);
  return -bce_against(fake_logits, 0.0);
}

}  // namespace advseg
