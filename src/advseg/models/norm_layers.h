// Normalisation layers when fine-tuning: BatchNorm frozen for small batches
// (running statistics fixed, affine parameters not learnt), and the
// parameters that take no weight decay (normalisation weights and biases).
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <vector>

namespace advseg {

// BatchNorm, GroupNorm, LayerNorm and InstanceNorm layers.
bool is_normalization_layer(const torch::nn::Module& module);

// network.train(), with every BatchNorm layer back in eval mode when `freeze_bn`.
void set_train_mode(torch::nn::Module& network, bool freeze_bn);

// Stops the affine parameters of every BatchNorm layer from learning.
void freeze_batchnorm_parameters(torch::nn::Module& network);

// Parameters that should take no weight decay: those of normalisation
// layers and every bias.
std::vector<torch::Tensor> norm_and_bias_parameters(const torch::nn::Module& network);

}  // namespace advseg
