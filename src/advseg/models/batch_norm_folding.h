// Batch norm folded into the convolution before it, for inference. In eval
// mode a BatchNorm2d is a per-channel affine map, y = x * scale + shift, so a
// convolution followed by one equals the same convolution with its filters
// scaled per output channel and a bias added: the normalisation's pass over
// memory disappears. The networks use FoldableBatchNorm2d, a BatchNorm2d that
// can be switched off once folded; FoldedBatchNorms finds which convolution
// feeds which normalisation by watching one forward pass (the networks are
// C++ code, not graphs) and folds the pairs for as long as it lives.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/options/batchnorm.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <vector>

namespace advseg {

// torch::nn::BatchNorm2d's parameters, buffers, state-dict names and
// computation (affine, with running statistics), as a module that becomes
// the identity while FoldedBatchNorms has folded it. (A subclass of LibTorch's
// cannot link: its base's pretty_print is not exported.)
class FoldableBatchNorm2dImpl : public torch::nn::Module {
 public:
  explicit FoldableBatchNorm2dImpl(std::int64_t channels);
  // Only eps and momentum may differ from the defaults.
  explicit FoldableBatchNorm2dImpl(const torch::nn::BatchNormOptions& options);
  torch::Tensor forward(const torch::Tensor& input);
  void pretty_print(std::ostream& stream) const override;
  bool folded() const { return folded_; }

  torch::nn::BatchNormOptions options;
  torch::Tensor weight, bias, running_mean, running_var, num_batches_tracked;
  // Set: training-mode statistics over every worker's batch (sync_batch_norm.h).
  std::function<void(torch::Tensor&)> sum_across_workers;

 private:
  friend class FoldedBatchNorms;
  bool folded_ = false;
};
TORCH_MODULE(FoldableBatchNorm2d);

// Folds, until destruction, every FoldableBatchNorm2d of `network` that
// `run_forward` (one forward pass in eval mode, on any small input) shows to
// read the output of a torch::nn::Conv2d and nothing else, where that output
// is read by nothing else, at every call of either. Needs eval mode: folding
// uses the running statistics. The destructor puts the original weights back
// (the same tensors, bit for bit), so a network in training can be folded for
// a validation pass. Training a folded network is an advseg::Error.
class FoldedBatchNorms {
 public:
  FoldedBatchNorms(torch::nn::Module& network, const std::function<void()>& run_forward);
  ~FoldedBatchNorms();
  FoldedBatchNorms(const FoldedBatchNorms&) = delete;
  FoldedBatchNorms& operator=(const FoldedBatchNorms&) = delete;

  std::size_t size() const { return folds_.size(); }

 private:
  struct Fold {
    std::shared_ptr<torch::nn::Conv2dImpl> conv;
    std::shared_ptr<FoldableBatchNorm2dImpl> norm;
    torch::Tensor weight;     // the convolution's own, put back at the end
    torch::Tensor bias;       // undefined when the convolution has none
    bool bias_added = false;  // the fold gave the convolution a bias it did not have
  };
  void fold_into_conv(Fold& fold);
  void restore();

  std::vector<Fold> folds_;
};

}  // namespace advseg
