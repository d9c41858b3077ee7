#include "advseg/inference/cross_entropy.h"

#include <torch/nn/functional/loss.h>

namespace advseg {

torch::Tensor pixel_cross_entropy_sum(const torch::Tensor& logits, const torch::Tensor& labels,
                                      int ignore_index) {
  namespace F = torch::nn::functional;
  return F::cross_entropy(logits, labels,
                          F::CrossEntropyFuncOptions().ignore_index(ignore_index).reduction(torch::kSum));
}

}  // namespace advseg
