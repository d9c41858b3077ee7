// The losses of the method.
//   adversary:  bce(a(x,y),1) + bce(a(x,s(x)),0)
//   segmentor:  mce(s(x),y) + lambda * term, where term is
//               flipped:  bce(a(x,s(x)),1)   (stronger gradients while the adversary wins)
//               original: -bce(a(x,s(x)),0)
#pragma once

#include <torch/types.h>

#include <string>

namespace advseg {

enum class AdversarialLoss { flipped, original };

// "flipped" | "original"; anything else throws advseg::Error.
AdversarialLoss parse_adversarial_loss(const std::string& name);

// Logits [N,C,h,w] upsampled bilinearly (align_corners=false) to [H,W].
torch::Tensor upsample_logits(const torch::Tensor& logits, int height, int width);

// Multi-class cross-entropy at the labels' resolution ([N,H,W] int64), mean
// over pixels whose label is not ignore_index; 0 when no pixel is valid.
torch::Tensor segmentation_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels,
                                         int ignore_index);

// Adversary logits [N] for real and fake maps -> bce(real,1) + bce(fake,0),
// each averaged over the batch.
torch::Tensor adversary_loss(const torch::Tensor& real_logits, const torch::Tensor& fake_logits);

// The segmentor's adversarial term from a(x, s(x)) logits [N].
torch::Tensor segmentor_adversarial_term(const torch::Tensor& fake_logits, AdversarialLoss kind);

}  // namespace advseg
