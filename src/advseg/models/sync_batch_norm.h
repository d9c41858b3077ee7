// Synchronised BatchNorm for data-parallel training: in training mode the
// batch statistics are those of the union of every worker's batch, as if one
// worker held the global batch. The layers stay torch-agnostic about how
// workers talk: they are given a function that sums a tensor over workers in
// place (distributed/ supplies it). Its backward sums the gradients of the
// statistics over workers too, so every worker's loss reaches every input.
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <functional>

namespace advseg {

// Replaces a tensor by its sum over every worker, in place.
using SumAcrossWorkers = std::function<void(torch::Tensor&)>;

// Makes every FoldableBatchNorm2d of `network` compute its training-mode
// statistics over all workers' batches through `sum`; an empty `sum` makes
// them local again. Evaluation mode (running statistics) is unchanged.
void synchronize_batch_norms(torch::nn::Module& network, const SumAcrossWorkers& sum);

// Training-mode batch norm of `input` [N,C,H,W] with statistics over every
// worker's batch; updates `running_mean` and `running_var` (unbiased
// variance over the global count) with `momentum`.
torch::Tensor synchronized_batch_norm(const torch::Tensor& input, const torch::Tensor& weight,
                                      const torch::Tensor& bias, torch::Tensor& running_mean,
                                      torch::Tensor& running_var, double momentum, double eps,
                                      const SumAcrossWorkers& sum);

}  // namespace advseg
