// Spectral normalisation (Miyato et al. 2018) of a convolution: the weight
// used is weight_orig / sigma, sigma its largest singular value (of the
// weight as an [out, in*kh*kw] matrix), estimated by one power iteration per
// training pass, as torch.nn.utils.spectral_norm does. It bounds how fast
// the adversary's verdict can change, which steadies adversarial training.
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace advseg {

// A square convolution with a bias.
struct ConvShape {
  int in_channels = 1;
  int out_channels = 1;
  int kernel = 3;
  int stride = 1;
  int padding = 0;
};

class SpectralNormConv2dImpl : public torch::nn::Cloneable<SpectralNormConv2dImpl> {
 public:
  explicit SpectralNormConv2dImpl(const ConvShape& shape);
  void reset() override;

  // In training mode, first refines the singular-vector estimates (u, v).
  torch::Tensor forward(const torch::Tensor& input);
  // weight_orig / sigma, with the current estimates.
  torch::Tensor normalised_weight() const;

  ConvShape shape;
  torch::Tensor weight_orig, bias;
  torch::Tensor u, v;  // buffers: the left and right singular-vector estimates

 private:
  void power_iteration();
};

TORCH_MODULE(SpectralNormConv2d);

}  // namespace advseg
