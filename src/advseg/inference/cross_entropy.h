// The per-pixel cross-entropy of a segmentor's logits, shared by the training
// loss and the validation loss so that both measure the same quantity.
#pragma once

#include <torch/types.h>

namespace advseg {

// Cross-entropy summed over the pixels whose label is not ignore_index, for
// logits [N,C,H,W] already at the labels' resolution ([N,H,W] int64).
torch::Tensor pixel_cross_entropy_sum(const torch::Tensor& logits, const torch::Tensor& labels,
                                      int ignore_index);

}  // namespace advseg
