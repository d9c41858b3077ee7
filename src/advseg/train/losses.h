// The losses of the method (and of its successors: semi-supervised
// training, domain adaptation).
//   adversary:  gan(a(x,y), 1) + gan(a(x,s(x)), 0)
//   segmentor:  mce(s(x),y) + lambda * term, where term is
//               flipped:  gan(a(x,s(x)), 1)  (stronger gradients while the adversary wins)
//               original: -bce(a(x,s(x)), 0)
// gan() compares the adversary's score map with its target through a
// GanCriterion: per image (the BCE of the map's mean logit, Luc et al. 2016)
// or per cell (Hung et al. 2018), as binary cross-entropy or least squares.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>

namespace advseg {

enum class AdversarialLoss { flipped, original };
enum class GanLoss { bce, lsgan };
enum class ScoreReduction { image, pixel };

// "flipped" | "original", "bce" | "lsgan", "image" | "pixel"; anything else
// throws advseg::Error listing the valid names.
AdversarialLoss parse_adversarial_loss(const std::string& name);
GanLoss parse_gan_loss(const std::string& name);
ScoreReduction parse_reduction(const std::string& name);

struct GanCriterion {
  GanLoss loss = GanLoss::bce;
  ScoreReduction reduction = ScoreReduction::image;
  // The adversary's target on real maps; below 1, one-sided label smoothing
  // (Salimans et al. 2016): the segmentor's flipped term still aims at 1.
  double real_label = 1.0;
};

// Logits [N,C,h,w] upsampled bilinearly (align_corners=false) to [H,W].
torch::Tensor upsample_logits(const torch::Tensor& logits, int height, int width);

// Multi-class cross-entropy at the labels' resolution ([N,H,W] int64), mean
// over pixels whose label is not ignore_index; 0 when no pixel is valid.
torch::Tensor segmentation_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels,
                                         int ignore_index);

// The cells of the label maps the adversary judged that hold a verdict: a
// cell of the ground truth at least half void carries too little truth to
// be called real or fake. valid_share [N,1,h,w] -> [N,1,h,w] of 0/1 floats.
torch::Tensor judged_cells(const torch::Tensor& valid_share);

// The criterion's loss of score maps [N,1,h',w'] (logits) against `target`
// (1: real, 0: fake). image: one verdict per image, the map's mean logit,
// averaged over the images (`valid` only gives the size). pixel: the map is
// upsampled bilinearly to valid's [h,w] and every cell is a verdict,
// averaged over the cells where valid [N,1,h,w] is 1.
torch::Tensor gan_loss(const torch::Tensor& scores, double target, const torch::Tensor& valid,
                       const GanCriterion& criterion);

// gan(real, 1) + gan(fake, 0).
torch::Tensor adversary_loss(const torch::Tensor& real_scores, const torch::Tensor& real_valid,
                             const torch::Tensor& fake_scores, const torch::Tensor& fake_valid,
                             const GanCriterion& criterion);

// The segmentor's adversarial term on the scores of its own maps. `original`
// is a BCE form only (config validation refuses it with lsgan).
torch::Tensor segmentor_adversarial_term(const torch::Tensor& fake_scores, const torch::Tensor& valid,
                                         AdversarialLoss kind, const GanCriterion& criterion);

// The share of verdicts (images, or valid cells) that say "real": a logit
// above 0 (bce) or a score above 1/2 (lsgan); a 0-d tensor, on the scores' device.
torch::Tensor share_judged_real(const torch::Tensor& scores, const torch::Tensor& valid,
                                const GanCriterion& criterion);

// The adversary's belief that each cell is ground truth, in [0, 1]: the
// score map upsampled to [height, width], through a sigmoid (bce) or
// clamped (lsgan, which regresses to 0 and 1). [N,1,height,width].
torch::Tensor adversary_confidence(const torch::Tensor& scores, std::int64_t height, std::int64_t width,
                                   const GanCriterion& criterion);

// Self-training targets for unlabelled images (Hung et al. 2018): the argmax
// of the segmentor's logits [N,C,h,w] upsampled to [height, width], void
// (ignore_index) wherever the adversary's confidence in the prediction
// (adversary_confidence of `scores`) is below `threshold`. [N,height,width]
// int64, without a graph.
torch::Tensor confident_pseudo_labels(const torch::Tensor& logits, const torch::Tensor& scores,
                                      std::int64_t height, std::int64_t width, double threshold,
                                      const GanCriterion& criterion, int ignore_index);

// The consistency methods' losses on unlabelled pixels, each the mean over
// every pixel of a term that `mask` [N,H,W] (0/1 floats: the pixel is
// confident enough) keeps or zeroes, as French et al. and UniMatch average:
// sum_c (probs - targets)^2 of probability maps [N,C,H,W],
torch::Tensor masked_squared_error(const torch::Tensor& probs, const torch::Tensor& targets,
                                   const torch::Tensor& mask);
// and the cross-entropy of logits [N,C,H,W] against labels [N,H,W] (int64).
torch::Tensor masked_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels,
                                   const torch::Tensor& mask);

// ADVENT's entropy loss (Vu et al. 2019): the mean over pixels of
// sum_c -p_c log p_c / log C, p = softmax(logits [N,C,h,w]); in [0, 1].
torch::Tensor mean_entropy(const torch::Tensor& logits);

}  // namespace advseg
