#include "advseg/train/losses.h"

#include <torch/nn/functional/loss.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "advseg/error.h"
#include "advseg/inference/cross_entropy.h"
#include "advseg/models/layers.h"

namespace advseg {

namespace F = torch::nn::functional;

namespace {

// Less than this share of valid pixels leaves a cell without a verdict.
constexpr double kLeastValidShare = 0.5;

// The criterion per verdict, unreduced.
torch::Tensor verdict_losses(const torch::Tensor& logits, double target, GanLoss loss) {
  const auto targets = torch::full_like(logits, target);
  if (loss == GanLoss::lsgan) return (logits - targets).pow(2);
  return F::binary_cross_entropy_with_logits(
      logits, targets, F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone));
}

// The verdicts of score maps and the weight of each: the per-image mean
// logits (all weighted 1), or the per-cell scores at valid's size weighted by valid.
struct Verdicts {
  torch::Tensor logits;
  torch::Tensor weights;
};

Verdicts verdicts(const torch::Tensor& scores, const torch::Tensor& valid, ScoreReduction reduction) {
  if (reduction == ScoreReduction::image) {
    const auto logits = scores.mean({1, 2, 3});
    return {logits, torch::ones_like(logits)};
  }
  TORCH_CHECK(valid.dim() == 4 && valid.size(0) == scores.size(0),
              "pixel verdicts need a validity map [N,1,h,w] per score map");
  return {resize_bilinear(scores, valid.size(2), valid.size(3)), valid.to(scores.scalar_type())};
}

// Sum over verdicts / their weight: 0 (with a graph) when none counts.
torch::Tensor weighted_mean(const torch::Tensor& values, const torch::Tensor& weights) {
  return (values * weights).sum() / weights.sum().clamp_min(1.0);
}

template <typename Enum>
Enum parse_name(const std::string& name, const char* what,
                const std::vector<std::pair<std::string, Enum>>& names) {
  std::string valid;
  for (const auto& entry : names) {
    if (entry.first == name) return entry.second;
    valid += (valid.empty() ? "" : ", ") + entry.first;
  }
  throw Error("unknown " + std::string(what) + " \"" + name + "\"; valid names: " + valid);
}

}  // namespace

AdversarialLoss parse_adversarial_loss(const std::string& name) {
  return parse_name<AdversarialLoss>(
      name, "adversarial loss",
      {{"flipped", AdversarialLoss::flipped}, {"original", AdversarialLoss::original}});
}

GanLoss parse_gan_loss(const std::string& name) {
  return parse_name<GanLoss>(name, "GAN loss", {{"bce", GanLoss::bce}, {"lsgan", GanLoss::lsgan}});
}

ScoreReduction parse_reduction(const std::string& name) {
  return parse_name<ScoreReduction>(name, "adversary reduction",
                                    {{"image", ScoreReduction::image}, {"pixel", ScoreReduction::pixel}});
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

torch::Tensor judged_cells(const torch::Tensor& valid_share) {
  return (valid_share >= kLeastValidShare).to(torch::kFloat);
}

torch::Tensor gan_loss(const torch::Tensor& scores, double target, const torch::Tensor& valid,
                       const GanCriterion& criterion) {
  const auto judged = verdicts(scores, valid, criterion.reduction);
  return weighted_mean(verdict_losses(judged.logits, target, criterion.loss), judged.weights);
}

torch::Tensor adversary_loss(const torch::Tensor& real_scores, const torch::Tensor& real_valid,
                             const torch::Tensor& fake_scores, const torch::Tensor& fake_valid,
                             const GanCriterion& criterion) {
  return gan_loss(real_scores, criterion.real_label, real_valid, criterion) +
         gan_loss(fake_scores, 0.0, fake_valid, criterion);
}

torch::Tensor segmentor_adversarial_term(const torch::Tensor& fake_scores, const torch::Tensor& valid,
                                         AdversarialLoss kind, const GanCriterion& criterion) {
  // flipped: maximise log a(x,s(x)); original: minimise log(1 - a(x,s(x))).
  if (kind == AdversarialLoss::flipped) return gan_loss(fake_scores, 1.0, valid, criterion);
  return -gan_loss(fake_scores, 0.0, valid, criterion);
}

torch::Tensor share_judged_real(const torch::Tensor& scores, const torch::Tensor& valid,
                                const GanCriterion& criterion) {
  torch::NoGradGuard no_grad;
  const auto judged = verdicts(scores, valid, criterion.reduction);
  const double threshold = criterion.loss == GanLoss::lsgan ? 0.5 : 0.0;
  return weighted_mean((judged.logits > threshold).to(judged.weights.scalar_type()), judged.weights);
}

torch::Tensor adversary_confidence(const torch::Tensor& scores, std::int64_t height, std::int64_t width,
                                   const GanCriterion& criterion) {
  const auto map = resize_bilinear(scores, height, width);
  return criterion.loss == GanLoss::lsgan ? map.clamp(0.0, 1.0) : torch::sigmoid(map);
}

torch::Tensor confident_pseudo_labels(const torch::Tensor& logits, const torch::Tensor& scores,
                                      std::int64_t height, std::int64_t width, double threshold,
                                      const GanCriterion& criterion, int ignore_index) {
  torch::NoGradGuard no_grad;
  const auto classes = resize_bilinear(logits, height, width).argmax(1);
  const auto confidence = adversary_confidence(scores, height, width, criterion).squeeze(1);
  return classes.masked_fill(confidence < threshold, ignore_index);
}

torch::Tensor masked_squared_error(const torch::Tensor& probs, const torch::Tensor& targets,
                                   const torch::Tensor& mask) {
  return ((probs - targets).pow(2).sum(1) * mask).mean();
}

torch::Tensor masked_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels,
                                   const torch::Tensor& mask) {
  const auto per_pixel = -torch::log_softmax(logits, 1).gather(1, labels.unsqueeze(1)).squeeze(1);
  return (per_pixel * mask).mean();
}

torch::Tensor mean_entropy(const torch::Tensor& logits) {
  const auto log_probs = torch::log_softmax(logits, 1);
  // log C normalises to [0, 1]; one class has no uncertainty to measure.
  const double log_classes = std::log(static_cast<double>(std::max<std::int64_t>(logits.size(1), 2)));
  // log_softmax keeps p·log p finite where p underflows (ADVENT adds 1e-30 instead).
  return -(log_probs.exp() * log_probs).sum(1).mean() / log_classes;
}

}  // namespace advseg
